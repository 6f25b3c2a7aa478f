using Npgsql;
using Switchboard.Core.Storage.Sql;
using Switchboard.Core.Streams;

namespace Switchboard.Storage.Postgres;

/// <summary>
/// The stream primitives inside one READ COMMITTED transaction: <see cref="LockAsync"/> takes an advisory lock per path
/// and row locks on the streams and their sources, so writers of the same streams on every node queue there. The SQL
/// and its order are <see cref="SqlStreamWriter"/>'s; a lock and a persist are each one round trip (a batch), the
/// persist ending with the NOTIFY that tells every other node's readers.
/// </summary>
internal sealed class PostgresStreamWriter(NpgsqlConnection connection, NpgsqlTransaction transaction)
    : SqlStreamWriter(new SqlConnectionScope(connection, transaction, PostgresDialect.Instance))
{
    public override async Task<IReadOnlyList<StreamRow>> LockAsync(IReadOnlyCollection<string> paths, DueStreams? due, CancellationToken cancellationToken)
    {
        var array = paths.ToArray();
        await using var batch = new NpgsqlBatch(connection, transaction);
        var locks = new NpgsqlBatchCommand(PostgresStreamSchema.LockPaths);
        locks.Parameters.Add(new NpgsqlParameter<string[]>("paths", array));
        batch.BatchCommands.Add(locks);
        batch.BatchCommands.Add(PostgresStreamRows.Command(SqlStreams.SelectWithSources(Db.Sql),
            [("@paths", array), ("@now", Db.Sql.Time(due?.Now ?? DateTimeOffset.UnixEpoch)), ("@limit", due?.Limit ?? 0)]));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken); // the advisory locks' rows
        var rows = new List<StreamRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(SqlStreams.ReadRow(reader, Db.Sql));
        }

        return rows;
    }

    /// <summary>One round trip: every statement in one batch, ending with the NOTIFY that tells every node's readers.</summary>
    protected override async Task WriteAsync(IReadOnlyList<SqlStatement> rows, IReadOnlyList<StreamChunk> chunks, IReadOnlyList<SqlStatement> producers,
        IReadOnlyList<StreamAdvance> advances, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var row in rows)
        {
            batch.BatchCommands.Add(PostgresStreamRows.Command(row.Sql, row.Args));
        }

        foreach (var chunk in chunks)
        {
            batch.BatchCommands.Add(PostgresStreamRows.Insert(chunk));
        }

        foreach (var producer in producers)
        {
            batch.BatchCommands.Add(PostgresStreamRows.Command(producer.Sql, producer.Args));
        }

        foreach (var notify in PostgresStreamRows.Notify(advances))
        {
            batch.BatchCommands.Add(notify);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
    }
}
