namespace Switchboard.Core.Streams;

/// <summary>
/// What a store provides for durable streams: a write transaction and a handful of batched primitives, each one
/// statement or one round trip. Every rule (what a create, append, close, delete or expiry does; producers; forks;
/// TTLs) is <see cref="StreamWriteProcessor"/>'s, once, for every store; a store supplies its connection, its lock, its
/// SQL and its way of telling live readers on every node that a stream moved (<see cref="StreamFeed"/>).
/// </summary>
internal interface IStreamStore
{
    /// <summary>
    /// Runs <paramref name="work"/> in one write transaction and commits it when it returns, then publishes the advances
    /// it persisted to <see cref="StreamFeed"/>. The work reads and writes only through the <see cref="IDurableStreamWriter"/> it
    /// is handed and may be run again if the store retries a transaction that failed before its commit. Throws
    /// <see cref="Switchboard.Core.Storage.StoreUnavailableException"/> when nothing could be committed.
    /// </summary>
    Task<T> WriteStreamsAsync<T>(Func<IDurableStreamWriter, CancellationToken, Task<T>> work, CancellationToken cancellationToken);

    /// <summary>The stream at <paramref name="path"/> (live or soft-deleted) and the streams it was forked from; null when none.</summary>
    Task<StreamChain?> ReadChainAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// The chunks overlapping <paramref name="ranges"/> in position order, as many as fit <paramref name="maxBytes"/> but
    /// at least one when there is any; whole chunks, not cut to the ranges. Their data is in <paramref name="buffers"/>
    /// when given (valid until it is disposed), otherwise in arrays of their own.
    /// </summary>
    Task<IReadOnlyList<StreamChunk>> ReadChunksAsync(IReadOnlyList<ChunkRange> ranges, long maxBytes, ChunkBuffers? buffers, CancellationToken cancellationToken);

    /// <summary>Records a read's renewal of a TTL (<see cref="StreamExpiry.Renewed"/>): the access time and expiry, if newer and the stream is still live.</summary>
    Task RenewAsync(StreamRow renewed, CancellationToken cancellationToken);

    /// <summary>Deletes the data of up to <paramref name="limit"/> deleted streams whose paths are free; returns how many streams it finished.</summary>
    Task<int> ReclaimAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Where advances come from: this node's commits, and on a shared store every other node's.</summary>
    IStreamFeed StreamFeed { get; }
}

/// <summary>The primitives of one stream write transaction (see <see cref="IStreamStore.WriteStreamsAsync"/>).</summary>
internal interface IDurableStreamWriter
{
    /// <summary>
    /// Locks and returns, in one statement, the streams at <paramref name="paths"/> (live or soft-deleted), those due to
    /// expire when <paramref name="due"/> is set, and every stream those were forked from. Other writers of the same paths
    /// (on any node) wait until this transaction ends, so a path that has no stream yet stays free until then too.
    /// </summary>
    Task<IReadOnlyList<StreamRow>> LockAsync(IReadOnlyCollection<string> paths, DueStreams? due, CancellationToken cancellationToken);

    /// <summary>The producers' states on their streams; absent keys have none.</summary>
    Task<IReadOnlyList<ProducerRow>> ReadProducersAsync(IReadOnlyCollection<ProducerKey> keys, CancellationToken cancellationToken);

    /// <summary>How many live streams each owner has.</summary>
    Task<IReadOnlyDictionary<string, long>> CountLiveAsync(IReadOnlyCollection<string> owners, CancellationToken cancellationToken);

    /// <summary>How many live streams each session has.</summary>
    Task<IReadOnlyDictionary<string, long>> CountSessionStreamsAsync(IReadOnlyCollection<string> sessionIds, CancellationToken cancellationToken);

    /// <summary>As <see cref="IStreamStore.ReadChunksAsync"/>, inside the transaction.</summary>
    Task<IReadOnlyList<StreamChunk>> ReadChunksAsync(IReadOnlyList<ChunkRange> ranges, long maxBytes, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="changes"/> in one round trip: updated rows first (they may free paths), then new rows, chunks and producers.</summary>
    Task PersistAsync(StreamChanges changes, CancellationToken cancellationToken);
}

/// <summary>Which streams an expiry sweep takes: live ones due at or before <see cref="Now"/>, at most <see cref="Limit"/>.</summary>
internal readonly record struct DueStreams(DateTimeOffset Now, int Limit);

/// <summary>A producer on a stream.</summary>
internal readonly record struct ProducerKey(long StreamId, string ProducerId);

/// <summary>What one stream write transaction changes, in the order a store writes it.</summary>
internal sealed class StreamChanges
{
    /// <summary>Rows that existed before: as the commit found them and in their final version (a freed path among them).</summary>
    public List<(StreamRow Before, StreamRow After)> Updated { get; } = [];

    /// <summary>Rows created by this transaction, in their final version.</summary>
    public List<StreamRow> Inserted { get; } = [];

    /// <summary>Appended bytes.</summary>
    public List<StreamChunk> Chunks { get; } = [];

    /// <summary>Producer states to insert or replace.</summary>
    public List<ProducerRow> Producers { get; } = [];

    /// <summary>What to tell live readers once committed.</summary>
    public List<StreamAdvance> Advances { get; } = [];

    /// <summary>True when there is nothing to write.</summary>
    public bool IsEmpty => Updated.Count == 0 && Inserted.Count == 0 && Chunks.Count == 0 && Producers.Count == 0;
}

/// <summary>Advances of streams, as a store's feed delivers them.</summary>
internal interface IStreamFeed
{
    /// <summary>Starts handing advances to <paramref name="sink"/>; a shared store's feed connects to its database here.</summary>
    Task StartAsync(IStreamSink sink, CancellationToken cancellationToken);
}

/// <summary>Receives a feed's advances. Its methods return at once and never call back into the feed.</summary>
internal interface IStreamSink
{
    /// <summary>These streams moved (or closed, or went away).</summary>
    void OnAdvanced(IReadOnlyList<StreamAdvance> advances);

    /// <summary>Advances may have been missed (a lost connection): every live reader should read its stream again.</summary>
    void OnResync(string reason);
}
