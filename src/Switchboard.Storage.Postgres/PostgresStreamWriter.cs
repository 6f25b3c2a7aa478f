using Npgsql;
using Switchboard.Streams;

namespace Switchboard.Storage.Postgres;

/// <summary>
/// The stream primitives inside one READ COMMITTED transaction: <see cref="LockAsync"/> takes an advisory lock per path
/// and row locks on the streams and their sources, so writers of the same streams on every node queue there.
/// </summary>
internal sealed class PostgresStreamWriter(NpgsqlConnection connection, NpgsqlTransaction transaction) : IStreamWriter
{
    /// <summary>What was persisted, for the store to publish on this node once committed.</summary>
    public StreamChanges? Persisted { get; private set; }

    public async Task<IReadOnlyList<StreamRow>> LockAsync(IReadOnlyCollection<string> paths, DueStreams? due, CancellationToken cancellationToken)
    {
        var array = paths.ToArray();
        await using var batch = new NpgsqlBatch(connection, transaction);
        var locks = new NpgsqlBatchCommand(PostgresStreamSchema.LockPaths);
        locks.Parameters.Add(new NpgsqlParameter<string[]>("paths", array));
        var select = new NpgsqlBatchCommand(PostgresStreamSchema.SelectWithSources);
        select.Parameters.Add(new NpgsqlParameter<string[]>("paths", array));
        select.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", (due?.Now ?? DateTimeOffset.UnixEpoch).ToUniversalTime()));
        select.Parameters.Add(new NpgsqlParameter<int>("limit", due?.Limit ?? 0));
        batch.BatchCommands.Add(locks);
        batch.BatchCommands.Add(select);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken); // the advisory locks' rows
        return await PostgresStreamRows.ReadAllAsync(reader, cancellationToken);
    }

    public async Task<IReadOnlyList<ProducerRow>> ReadProducersAsync(IReadOnlyCollection<ProducerKey> keys, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT p.stream_id, p.producer, p.epoch, p.last_seq FROM switchboard_stream_producers p " +
            "JOIN unnest(@ids, @producers) AS k(stream_id, producer) USING (stream_id, producer);", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<long[]>("ids", [.. keys.Select(k => k.StreamId)]));
        command.Parameters.Add(new NpgsqlParameter<string[]>("producers", [.. keys.Select(k => k.ProducerId)]));
        var rows = new List<ProducerRow>();
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            rows.Add(new ProducerRow(r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3)));
        }

        return rows;
    }

    public async Task<IReadOnlyDictionary<string, long>> CountLiveAsync(IReadOnlyCollection<string> owners, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT owner, count(*) FROM switchboard_streams WHERE state = 0 AND owner = ANY(@owners) GROUP BY owner;", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string[]>("owners", [.. owners]));
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            counts[r.GetString(0)] = r.GetInt64(1);
        }

        return counts;
    }

    public Task<IReadOnlyList<StreamChunk>> ReadChunksAsync(IReadOnlyList<ChunkRange> ranges, long maxBytes, CancellationToken cancellationToken) =>
        PostgresSessionStore.ReadChunksAsync(connection, transaction, ranges, maxBytes, cancellationToken);

    public async Task PersistAsync(StreamChanges changes, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        // Updates first: a row deleted in this transaction frees its path for a row created in it.
        foreach (var row in changes.Updated)
        {
            batch.BatchCommands.Add(PostgresStreamRows.Write(PostgresStreamSchema.UpdateRow, row));
        }

        foreach (var row in changes.Inserted)
        {
            batch.BatchCommands.Add(PostgresStreamRows.Write(PostgresStreamSchema.InsertRow, row));
        }

        foreach (var chunk in changes.Chunks)
        {
            batch.BatchCommands.Add(PostgresStreamRows.Insert(chunk));
        }

        foreach (var producer in changes.Producers)
        {
            batch.BatchCommands.Add(PostgresStreamRows.Upsert(producer));
        }

        foreach (var notify in PostgresStreamRows.Notify(changes.Advances))
        {
            batch.BatchCommands.Add(notify);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
        Persisted = changes;
    }
}
