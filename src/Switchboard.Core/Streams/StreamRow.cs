namespace Switchboard.Core.Streams;

/// <summary>
/// One stream as the store keeps it. Rows are immutable: the write processor makes a new version for each change and
/// hands the final ones to the store. <see cref="Id"/> identifies this incarnation (a path deleted and created again is
/// a new stream, with new ETags); <see cref="Path"/> is null once the stream is deleted and its path free again.
/// </summary>
internal sealed record StreamRow
{
    /// <summary>This incarnation's id: random, positive, never reused.</summary>
    public required long Id { get; init; }

    /// <summary>The path under the streams root; null once deleted (the row then only waits to be reclaimed).</summary>
    public required string? Path { get; init; }

    /// <summary>The content type given at creation.</summary>
    public required string ContentType { get; init; }

    /// <summary>The position after the last byte: where the next append goes.</summary>
    public required long Tail { get; init; }

    /// <summary>Closed: no more appends, ever.</summary>
    public bool Closed { get; init; }

    /// <summary>The idempotent producer request that closed the stream, so its retry is recognised as one.</summary>
    public ProducerTuple? ClosedBy { get; init; }

    /// <summary>The last <c>Stream-Seq</c> an append carried (compared byte-wise; scoped to the stream).</summary>
    public string? StreamSeq { get; init; }

    /// <summary>The sliding time-to-live in seconds, or null.</summary>
    public long? TtlSeconds { get; init; }

    /// <summary>The absolute expiry, or null.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>When a read or write last renewed the TTL (to within <see cref="StreamExpiry.RenewalGrain"/>).</summary>
    public required DateTimeOffset AccessedAt { get; init; }

    /// <summary>When the stream expires (<see cref="StreamExpiry.DueAt"/>), kept so the sweeper can find it by index.</summary>
    public DateTimeOffset? DueAt { get; init; }

    /// <summary>The stream this one was forked from, or null.</summary>
    public long? ForkOf { get; init; }

    /// <summary>The position where a fork diverges from its source; 0 for a stream that is no fork.</summary>
    public long ForkAt { get; init; }

    /// <summary>Forks that read this stream's data (live or soft-deleted ones).</summary>
    public long Forks { get; init; }

    /// <summary>Live, soft-deleted, or deleted and waiting to be reclaimed.</summary>
    public StreamLifecycle State { get; init; }

    /// <summary>Who created it: the API key's fingerprint, or the remote address when auth is off (for the per-key bound).</summary>
    public required string Owner { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The session whose stream it is (<c>sessions/{id}/{name}</c>), closed when that session ends; null for other paths.</summary>
    public string? SessionId { get; init; }
}

/// <summary>A stream's lifecycle.</summary>
internal enum StreamLifecycle
{
    /// <summary>Readable and, unless closed, appendable.</summary>
    Live = 0,

    /// <summary>Deleted or expired while forks still read its data: 410 to every request, its path blocked.</summary>
    Gone = 1,

    /// <summary>Deleted, path freed; its data waits for the sweeper.</summary>
    Reclaimable = 2,
}

/// <summary>An idempotent producer's request identity.</summary>
internal readonly record struct ProducerTuple(string ProducerId, long Epoch, long Seq);

/// <summary>An idempotent producer's state on one stream: its epoch and the highest sequence accepted in it.</summary>
internal sealed record ProducerRow(long StreamId, string ProducerId, long Epoch, long LastSeq);

/// <summary>One append's bytes, at <c>[Start, End)</c> of its stream.</summary>
internal sealed record StreamChunk(long StreamId, long Start, long End, ReadOnlyMemory<byte> Data);

/// <summary>Positions <c>[From, To)</c> of one stream's own chunks.</summary>
internal readonly record struct ChunkRange(long StreamId, long From, long To);

/// <summary>A stream's tail moved, it closed, or it went away: what wakes its live readers.</summary>
internal readonly record struct StreamAdvance(long StreamId, long Tail, bool Closed, bool Ended);
