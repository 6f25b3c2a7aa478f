using System.Data.Common;

namespace Switchboard.Core.Storage.Sql;

/// <summary>
/// A connection (and the transaction it reads or writes in) with the statements <see cref="SqlStore"/> runs on it; with
/// <paramref name="prepared"/>, the connection's kept commands run them.
/// </summary>
internal sealed class SqlConnectionScope(DbConnection connection, DbTransaction? transaction, SqlDialect sql, PreparedStatements? prepared = null)
{
    public SqlDialect Sql => sql;

    /// <summary>A blob named by a handle column of <see cref="SqlDialect.BlobColumns"/>, read in this session's transaction.</summary>
    public Stream OpenBlob(string table, string column, long handle) => sql.OpenBlob(connection, table, column, handle);

    /// <summary>Rows of <paramref name="text"/>, each read by <paramref name="read"/>.</summary>
    public async Task<List<T>> QueryAsync<T>(string text, Func<DbDataReader, T> read, params (string Name, object? Value)[] args)
    {
        await using var lease = Command(text, args);
        await using var reader = await lease.Command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>The first row of <paramref name="text"/>, or the default when it has none.</summary>
    public async Task<T?> FirstAsync<T>(string text, Func<DbDataReader, T> read, params (string Name, object? Value)[] args)
    {
        await using var lease = Command(text, args);
        await using var reader = await lease.Command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? read(reader) : default;
    }

    /// <summary>The rows <paramref name="text"/> changed.</summary>
    public async Task<int> ExecuteAsync(string text, params (string Name, object? Value)[] args)
    {
        await using var lease = Command(text, args);
        return await lease.Command.ExecuteNonQueryAsync();
    }

    /// <summary>The log's head seq, in this session's transaction.</summary>
    public async Task<long> HeadAsync() => await FirstAsync(sql.HeadSql, r => r.IsDBNull(0) ? 0 : r.GetInt64(0));

    /// <summary>The log row as stored (<see cref="SqlStatements.ReadLog"/>), in this session's transaction.</summary>
    public async Task<Switchboard.Core.Writes.LogHead> LogRowAsync() =>
        await FirstAsync(sql.Statements.ReadLog, r => new Switchboard.Core.Writes.LogHead(r.GetInt64(0), r.GetInt64(1), sql.ReadBool(r, 2)));

    private CommandLease Command(string text, (string Name, object? Value)[] args)
    {
        if (prepared?.Take(text, transaction, args) is { } kept)
        {
            return new CommandLease(kept, Owned: false);
        }

        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = text;
        foreach (var (name, value) in args)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return new CommandLease(command, Owned: true);
    }

    /// <summary>A command for one run: disposed after it unless <see cref="PreparedStatements"/> keeps it.</summary>
    private readonly record struct CommandLease(DbCommand Command, bool Owned) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Owned ? Command.DisposeAsync() : ValueTask.CompletedTask;
    }
}
