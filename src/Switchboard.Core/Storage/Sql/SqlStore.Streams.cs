using Switchboard.Core.Streams;

namespace Switchboard.Core.Storage.Sql;

/// <summary>
/// Durable streams' reads and upkeep, once for both databases (<see cref="SqlStreams"/>). A store supplies only its stream
/// write transaction (its lock, how other nodes learn of a commit) and the batched primitives in it (<see cref="IDurableStreamWriter"/>);
/// every rule is <see cref="StreamWriteProcessor"/>'s.
/// </summary>
internal abstract partial class SqlStore : IStreamStore
{
    /// <summary>Chunks one reclaim run deletes at most, so no run holds the writer for long.</summary>
    private const int ReclaimChunkBudget = 2000;

    /// <inheritdoc />
    public abstract IStreamFeed StreamFeed { get; }

    /// <inheritdoc />
    public abstract Task<T> WriteStreamsAsync<T>(Func<IDurableStreamWriter, CancellationToken, Task<T>> work, CancellationToken cancellationToken);

    /// <inheritdoc />
    public Task<StreamChain?> ReadChainAsync(string path, CancellationToken cancellationToken) => ReadAsync("read a stream", snapshot: false, async db =>
    {
        var rows = await SqlStreams.QueryRowsAsync(db, SqlStreams.SelectChain(Sql), ("@path", path));
        return rows.Count == 0 ? null : new StreamChain(rows);
    }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<StreamChunk>> ReadChunksAsync(IReadOnlyList<ChunkRange> ranges, long maxBytes, ChunkBuffers? buffers,
        CancellationToken cancellationToken) =>
        ReadAsync("read stream data", snapshot: false, db => SqlStreams.ReadChunksAsync(db, ranges, maxBytes, buffers), cancellationToken);

    /// <inheritdoc />
    public Task RenewAsync(StreamRow renewed, CancellationToken cancellationToken) => WriteOutsideLogAsync("renew a stream's TTL", db => db.ExecuteAsync(
        $"UPDATE {Sql.Table("streams")} SET accessed_at = @a, due_at = @d WHERE id = @id AND state = 0 AND accessed_at < @a;",
        ("@id", renewed.Id), ("@a", Sql.Time(renewed.AccessedAt)), ("@d", renewed.DueAt is { } due ? Sql.Time(due) : null)), cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// Each call deletes at most <see cref="ReclaimChunkBudget"/> chunks. Every step can run twice (a crash between them,
    /// or two nodes reclaiming the same stream): a deleted stream's path is already free and nothing reads its rows, so a
    /// repeated delete changes nothing.
    /// </remarks>
    public Task<int> ReclaimAsync(int limit, CancellationToken cancellationToken) => WriteOutsideLogAsync("reclaim deleted streams", async db =>
    {
        var streams = Sql.Table("streams");
        var chunks = Sql.Table("stream_chunks");
        var ids = await db.QueryAsync($"SELECT id FROM {streams} WHERE state = 2 ORDER BY id LIMIT @limit;", r => r.GetInt64(0), ("@limit", limit));
        var budget = ReclaimChunkBudget;
        var finished = 0;
        foreach (var id in ids)
        {
            budget -= await db.ExecuteAsync(
                $"DELETE FROM {chunks} WHERE stream_id = @id AND end_pos IN (SELECT end_pos FROM {chunks} WHERE stream_id = @id ORDER BY end_pos LIMIT @n);",
                ("@id", id), ("@n", budget));
            if (await db.FirstAsync($"SELECT 1 FROM {chunks} WHERE stream_id = @id LIMIT 1;", r => true, ("@id", id)))
            {
                break; // budget spent; the next run goes on
            }

            await db.ExecuteAsync($"DELETE FROM {Sql.Table("stream_producers")} WHERE stream_id = @id;", ("@id", id));
            await db.ExecuteAsync($"DELETE FROM {streams} WHERE id = @id;", ("@id", id));
            finished++;
        }

        return finished;
    }, cancellationToken);
}
