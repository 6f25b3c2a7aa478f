namespace Switchboard.Core.Streams;

/// <summary>One change to durable streams, committed by <see cref="StreamWriteProcessor"/> in the group commit.</summary>
internal abstract record StreamWrite;

/// <summary>Creates a stream at <paramref name="Path"/>, or confirms one with the same configuration (PUT).</summary>
internal sealed record CreateStream(string Path, string Owner) : StreamWrite
{
    /// <summary>The session the path belongs to (<c>sessions/{id}/{name}</c>); null for other paths. Set by the server.</summary>
    public string? SessionId { get; init; }

    /// <summary>The content type the request named; null takes the default (or a fork's source's).</summary>
    public string? ContentType { get; init; }

    /// <summary>The sliding TTL in seconds, if named.</summary>
    public long? TtlSeconds { get; init; }

    /// <summary>The absolute expiry, if named.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Created closed: the body is the stream's whole content.</summary>
    public bool Closed { get; init; }

    /// <summary>The initial content.</summary>
    public StreamBody Body { get; init; } = StreamBody.None;

    /// <summary>The path of the stream to fork, or null for a stream of its own.</summary>
    public string? ForkFrom { get; init; }

    /// <summary>Where the fork diverges; null forks at the source's tail.</summary>
    public long? ForkOffset { get; init; }

    /// <summary>How far past <see cref="ForkOffset"/> into the next append the fork still inherits (bytes, or messages in JSON mode).</summary>
    public long ForkSubOffset { get; init; }

    /// <summary>
    /// The most live streams <see cref="Owner"/> may have (<c>Switchboard:Streams:MaxStreamsPerKey</c>): the limit travels
    /// with the write because the commit, which counts them, decides it. Set by the server.
    /// </summary>
    public long OwnerLimit { get; init; } = long.MaxValue;

    /// <summary>The most live streams <see cref="SessionId"/> may have (<c>Switchboard:Streams:MaxStreamsPerSession</c>). Set by the server.</summary>
    public long SessionLimit { get; init; } = long.MaxValue;
}

/// <summary>Appends to a stream, closes it, or both (POST).</summary>
internal sealed record AppendStream(string Path) : StreamWrite
{
    /// <summary>The content type the request named (checked only when there is a body).</summary>
    public string? ContentType { get; init; }

    /// <summary>The bytes; empty for a close-only request.</summary>
    public StreamBody Body { get; init; } = StreamBody.None;

    /// <summary>Close the stream after this append.</summary>
    public bool Close { get; init; }

    /// <summary>The idempotent producer's identity, if the request carried it.</summary>
    public ProducerTuple? Producer { get; init; }

    /// <summary>The writer's <c>Stream-Seq</c>, if any.</summary>
    public string? StreamSeq { get; init; }
}

/// <summary>Deletes a stream (DELETE).</summary>
internal sealed record DeleteStream(string Path) : StreamWrite;

/// <summary>Expires up to <paramref name="Limit"/> streams whose TTL or expiry has passed (the sweeper).</summary>
internal sealed record ExpireStreams(int Limit) : StreamWrite;
