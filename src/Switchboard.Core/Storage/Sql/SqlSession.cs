using System.Data.Common;

namespace Switchboard.Storage.Sql;

/// <summary>A connection (and the transaction it reads or writes in) with the statements <see cref="SqlStore"/> runs on it.</summary>
internal sealed class SqlSession(DbConnection connection, DbTransaction? transaction, SqlDialect sql)
{
    public SqlDialect Sql => sql;

    /// <summary>A blob named by a handle column of <see cref="SqlDialect.BlobColumns"/>, read in this session's transaction.</summary>
    public Stream OpenBlob(string table, string column, long handle) => sql.OpenBlob(connection, table, column, handle);

    /// <summary>Rows of <paramref name="text"/>, each read by <paramref name="read"/>.</summary>
    public async Task<List<T>> QueryAsync<T>(string text, Func<DbDataReader, T> read, params (string Name, object? Value)[] args)
    {
        await using var command = Command(text, args);
        await using var reader = await command.ExecuteReaderAsync();
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
        await using var command = Command(text, args);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? read(reader) : default;
    }

    /// <summary>The rows <paramref name="text"/> changed.</summary>
    public async Task<int> ExecuteAsync(string text, params (string Name, object? Value)[] args)
    {
        await using var command = Command(text, args);
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Runs <paramref name="statements"/> in order. A run of statements with the same text and parameter names shares one
    /// command, given each one's values in turn, so a driver that prepares per command (SQLite) parses the text once.
    /// </summary>
    public async Task ExecuteAllAsync(IEnumerable<SqlStatement> statements)
    {
        DbCommand? command = null;
        try
        {
            foreach (var (text, args) in statements)
            {
                if (command is not null && command.CommandText == text && SameNames(command.Parameters, args))
                {
                    for (var i = 0; i < args.Length; i++)
                    {
                        command.Parameters[i].Value = args[i].Value ?? DBNull.Value;
                    }
                }
                else
                {
                    if (command is not null)
                    {
                        await command.DisposeAsync();
                    }

                    command = Command(text, args);
                }

                await command.ExecuteNonQueryAsync();
            }
        }
        finally
        {
            if (command is not null)
            {
                await command.DisposeAsync();
            }
        }

        static bool SameNames(DbParameterCollection parameters, (string Name, object? Value)[] args)
        {
            if (parameters.Count != args.Length)
            {
                return false;
            }

            for (var i = 0; i < args.Length; i++)
            {
                if (parameters[i].ParameterName != args[i].Name)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>The log's head seq, in this session's transaction.</summary>
    public async Task<long> HeadAsync() => await FirstAsync(sql.HeadSql, r => r.IsDBNull(0) ? 0 : r.GetInt64(0));

    private DbCommand Command(string text, (string Name, object? Value)[] args)
    {
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

        return command;
    }
}
