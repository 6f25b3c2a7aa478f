using Npgsql;
using Switchboard.Storage.Sql;
using Switchboard.Streams;

namespace Switchboard.Storage.Postgres;

/// <summary>
/// The stream primitives inside one READ COMMITTED transaction: <see cref="LockAsync"/> takes an advisory lock per path
/// and row locks on the streams and their sources, so writers of the same streams on every node queue there. The SQL is
/// <see cref="SqlStreams"/>'s; a lock and a persist are each one round trip (a batch), the persist ending with the NOTIFY
/// that tells every other node's readers.
/// </summary>
internal sealed class PostgresStreamWriter(NpgsqlConnection connection, NpgsqlTransaction transaction) : IStreamWriter
{
    private readonly SqlSession _db = new(connection, transaction, PostgresDialect.Instance);

    /// <summary>What was persisted, for the store to publish on this node once committed.</summary>
    public StreamChanges? Persisted { get; private set; }

    public async Task<IReadOnlyList<StreamRow>> LockAsync(IReadOnlyCollection<string> paths, DueStreams? due, CancellationToken cancellationToken)
    {
        var array = paths.ToArray();
        await using var batch = new NpgsqlBatch(connection, transaction);
        var locks = new NpgsqlBatchCommand(PostgresStreamSchema.LockPaths);
        locks.Parameters.Add(new NpgsqlParameter<string[]>("paths", array));
        batch.BatchCommands.Add(locks);
        batch.BatchCommands.Add(PostgresStreamRows.Command(SqlStreams.SelectWithSources(_db.Sql),
            [("@paths", array), ("@now", _db.Sql.Time(due?.Now ?? DateTimeOffset.UnixEpoch)), ("@limit", due?.Limit ?? 0)]));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken); // the advisory locks' rows
        var rows = new List<StreamRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(SqlStreams.ReadRow(reader, _db.Sql));
        }

        return rows;
    }

    public Task<IReadOnlyList<ProducerRow>> ReadProducersAsync(IReadOnlyCollection<ProducerKey> keys, CancellationToken cancellationToken) =>
        SqlStreams.ReadProducersAsync(_db, keys);

    public Task<IReadOnlyDictionary<string, long>> CountLiveAsync(IReadOnlyCollection<string> owners, CancellationToken cancellationToken) =>
        SqlStreams.CountLiveAsync(_db, "owner", owners);

    public Task<IReadOnlyDictionary<string, long>> CountSessionStreamsAsync(IReadOnlyCollection<string> sessionIds, CancellationToken cancellationToken) =>
        SqlStreams.CountLiveAsync(_db, "session_id", sessionIds);

    public Task<IReadOnlyList<StreamChunk>> ReadChunksAsync(IReadOnlyList<ChunkRange> ranges, long maxBytes, CancellationToken cancellationToken) =>
        SqlStreams.ReadChunksAsync(_db, ranges, maxBytes);

    public async Task PersistAsync(StreamChanges changes, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        // Updates first: a row deleted in this transaction frees its path for a row created in it.
        foreach (var row in changes.Updated)
        {
            batch.BatchCommands.Add(PostgresStreamRows.Command(SqlStreams.UpdateRow(_db.Sql), SqlStreams.RowArgs(row, _db.Sql)));
        }

        foreach (var row in changes.Inserted)
        {
            batch.BatchCommands.Add(PostgresStreamRows.Command(SqlStreams.InsertRow(_db.Sql), SqlStreams.RowArgs(row, _db.Sql)));
        }

        foreach (var chunk in changes.Chunks)
        {
            batch.BatchCommands.Add(PostgresStreamRows.Insert(chunk));
        }

        foreach (var producer in changes.Producers)
        {
            batch.BatchCommands.Add(PostgresStreamRows.Command(SqlStreams.UpsertProducer(_db.Sql), SqlStreams.ProducerArgs(producer)));
        }

        foreach (var notify in PostgresStreamRows.Notify(changes.Advances))
        {
            batch.BatchCommands.Add(notify);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
        Persisted = changes;
    }
}
