namespace Switchboard.Core.Streams;

/// <summary>What became of one <see cref="StreamWrite"/>.</summary>
internal sealed record StreamOutcome(StreamStatus Status, StreamRow? Stream = null, string? Detail = null)
{
    /// <summary>For a request with producer headers: the verdict on them.</summary>
    public ProducerDecision? Producer { get; init; }

    /// <summary>For an expiry sweep: how many streams it expired.</summary>
    public int Expired { get; init; }

    /// <summary>True for the statuses that changed or confirmed what the request asked.</summary>
    public bool Succeeded => Status is StreamStatus.Created or StreamStatus.Matched or StreamStatus.Appended or StreamStatus.Duplicate
        or StreamStatus.AlreadyClosed or StreamStatus.Deleted or StreamStatus.Swept;
}

/// <summary>The outcomes of stream writes; the HTTP layer maps each to the protocol's status code.</summary>
internal enum StreamStatus
{
    /// <summary>A new stream (201).</summary>
    Created,

    /// <summary>A stream with this configuration already exists (200).</summary>
    Matched,

    /// <summary>Appended and/or closed.</summary>
    Appended,

    /// <summary>A producer's retry of what was already appended: nothing changed (204).</summary>
    Duplicate,

    /// <summary>A close-only request to a closed stream (204).</summary>
    AlreadyClosed,

    /// <summary>Deleted (204).</summary>
    Deleted,

    /// <summary>An expiry sweep ran.</summary>
    Swept,

    /// <summary>No such stream (404).</summary>
    NotFound,

    /// <summary>Soft-deleted: its forks still read it (410).</summary>
    Gone,

    /// <summary>Conflicts with the stream's configuration, content type or <c>Stream-Seq</c> (409).</summary>
    Conflict,

    /// <summary>The stream is closed (409 with <c>Stream-Closed</c>).</summary>
    ClosedConflict,

    /// <summary>A producer's epoch is older than the stream has seen (403).</summary>
    StaleEpoch,

    /// <summary>A producer skipped a sequence number (409).</summary>
    SequenceGap,

    /// <summary>The request is malformed for this stream (400).</summary>
    Invalid,

    /// <summary>The owner already has as many streams as allowed.</summary>
    TooManyStreams,
}
