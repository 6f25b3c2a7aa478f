using Switchboard.Core.Streams;

namespace Switchboard.Core.Storage.Sql;

/// <summary>
/// The stream primitives every SQL store shares, over <see cref="SqlStreams"/>'s statements in the store's dialect:
/// the reads inside the transaction, and what a persist writes in which order (the rows, updated ones first, then new
/// ones, then the chunks and producers). A store adds only what is its engine's own: how it locks (<see cref="LockAsync"/>)
/// and how it sends a persist's statements (<see cref="WriteAsync"/>: one by one, or in one batch with a notification).
/// </summary>
internal abstract class SqlStreamWriter(SqlConnectionScope db) : IDurableStreamWriter
{
    /// <summary>The transaction's connection, in the store's dialect.</summary>
    protected SqlConnectionScope Db => db;

    /// <summary>What was persisted, for the store to publish to its stream feed once committed.</summary>
    public StreamChanges? Persisted { get; private set; }

    /// <inheritdoc />
    public abstract Task<IReadOnlyList<StreamRow>> LockAsync(IReadOnlyCollection<string> paths, DueStreams? due, CancellationToken cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<ProducerRow>> ReadProducersAsync(IReadOnlyCollection<ProducerKey> keys, CancellationToken cancellationToken) =>
        SqlStreams.ReadProducersAsync(db, keys);

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, long>> CountLiveAsync(IReadOnlyCollection<string> owners, CancellationToken cancellationToken) =>
        SqlStreams.CountLiveAsync(db, "owner", owners);

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, long>> CountSessionStreamsAsync(IReadOnlyCollection<string> sessionIds, CancellationToken cancellationToken) =>
        SqlStreams.CountLiveAsync(db, "session_id", sessionIds);

    /// <inheritdoc />
    public Task<IReadOnlyList<StreamChunk>> ReadChunksAsync(IReadOnlyList<ChunkRange> ranges, long maxBytes, CancellationToken cancellationToken) =>
        SqlStreams.ReadChunksAsync(db, ranges, maxBytes, buffers: null);

    /// <inheritdoc />
    public async Task PersistAsync(StreamChanges changes, CancellationToken cancellationToken)
    {
        var sql = db.Sql;
        // Updates first: a row deleted in this transaction frees its path for a row created in it.
        var rows = new List<SqlStatement>(changes.Updated.Count + changes.Inserted.Count);
        rows.AddRange(changes.Updated.Select(u => SqlStreams.UpdateRow(sql, u.Before, u.After)).OfType<SqlStatement>());
        rows.AddRange(changes.Inserted.Select(row => new SqlStatement(SqlStreams.InsertRow(sql), SqlStreams.RowArgs(row, sql))));
        var producers = changes.Producers.Select(p => new SqlStatement(SqlStreams.UpsertProducer(sql), SqlStreams.ProducerArgs(p))).ToList();
        await WriteAsync(rows, changes.Chunks, producers, changes.Advances, cancellationToken);
        Persisted = changes;
    }

    /// <summary>
    /// Runs, in this order, <paramref name="rows"/>, the inserts of <paramref name="chunks"/> and <paramref name="producers"/>;
    /// a store that tells other nodes in the transaction adds <paramref name="advances"/> to it.
    /// </summary>
    protected abstract Task WriteAsync(IReadOnlyList<SqlStatement> rows, IReadOnlyList<StreamChunk> chunks, IReadOnlyList<SqlStatement> producers,
        IReadOnlyList<StreamAdvance> advances, CancellationToken cancellationToken);
}

/// <summary>One statement of <see cref="SqlStreams"/> with its arguments, as <see cref="SqlConnectionScope"/> binds them.</summary>
internal readonly record struct SqlStatement(string Sql, (string Name, object? Value)[] Args);
