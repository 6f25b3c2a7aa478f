namespace Switchboard.Core.Streams;

/// <summary>Creating streams and forks (PUT), idempotently.</summary>
internal sealed partial class StreamWriteProcessor
{
    private static StreamOutcome Create(StreamBatch batch, CreateStream create)
    {
        var existing = Current(batch, create.Path);
        if (existing is { State: StreamLifecycle.Gone })
        {
            return new StreamOutcome(StreamStatus.Conflict, existing,
                $"The stream at '{create.Path}' was deleted while forks still read it; its path stays taken until they are deleted.");
        }

        StreamRow? source = null;
        long forkAt = 0;
        var contentType = create.ContentType ?? StreamContentType.Default;
        var (ttl, expiresAt) = (create.TtlSeconds, create.ExpiresAt);
        if (create.ForkFrom is { } sourcePath)
        {
            source = Current(batch, sourcePath);
            if (source is null)
            {
                return new StreamOutcome(StreamStatus.NotFound, Detail: $"No stream at '{sourcePath}' to fork.");
            }

            if (source.State == StreamLifecycle.Gone)
            {
                return new StreamOutcome(StreamStatus.Conflict, Detail: $"The stream at '{sourcePath}' was deleted; it cannot be forked any more.");
            }

            if (ForkPoint(batch, create, source) is not { } point)
            {
                return ForkPointProblem(batch, create, source);
            }

            forkAt = point;
            if (create.ContentType is { } asked && !StreamContentType.SameType(asked, source.ContentType))
            {
                return new StreamOutcome(StreamStatus.Conflict, Detail:
                    $"A fork has its source's content type ({source.ContentType}); the request named {asked}. Omit Content-Type or send the same.");
            }

            contentType = create.ContentType ?? source.ContentType;
            (ttl, expiresAt) = StreamExpiry.ForFork(source, create.TtlSeconds, create.ExpiresAt);
        }

        if (existing is not null)
        {
            return Matches(existing, contentType, ttl, expiresAt, create.Closed, source?.Id, forkAt)
                ? new StreamOutcome(StreamStatus.Matched, existing)
                : new StreamOutcome(StreamStatus.Conflict, existing,
                    $"A stream already exists at '{create.Path}' with another configuration (content type, TTL or expiry, closed or not, fork source and point); " +
                    "send the same configuration to confirm it, or delete it first.");
        }

        var payload = create.Body.As(contentType, forAppend: false);
        if (payload.Problem is { } problem)
        {
            return new StreamOutcome(StreamStatus.Invalid, Detail: problem);
        }

        if (batch.Owned(create.Owner) >= create.OwnerLimit)
        {
            return new StreamOutcome(StreamStatus.TooManyStreams, Detail:
                $"This key already has {create.OwnerLimit} live streams, the most allowed (Switchboard:Streams:MaxStreamsPerKey); delete some first.");
        }

        if (create.SessionId is { } session && batch.OfSession(session) >= create.SessionLimit)
        {
            return new StreamOutcome(StreamStatus.TooManyStreams, Detail:
                $"Session '{session}' already has {create.SessionLimit} streams, the most allowed (Switchboard:Streams:MaxStreamsPerSession); delete some first.");
        }

        var row = new StreamRow
        {
            Id = Random.Shared.NextInt64(1, long.MaxValue),
            Path = create.Path,
            ContentType = contentType,
            Tail = forkAt + payload.Length,
            Closed = create.Closed,
            TtlSeconds = ttl,
            ExpiresAt = ttl is null ? expiresAt : null,
            AccessedAt = batch.Now,
            ForkOf = source?.Id,
            ForkAt = forkAt,
            Owner = create.Owner,
            SessionId = create.SessionId,
            CreatedAt = batch.Now,
        };
        row = batch.Put(row with { DueAt = StreamExpiry.DueAt(row) });
        if (payload.Length > 0)
        {
            batch.Append(new StreamChunk(row.Id, forkAt, row.Tail, payload.Bytes));
        }

        if (source is not null)
        {
            batch.Put(source with { Forks = source.Forks + 1 });
        }

        batch.CountOwner(create.Owner, 1);
        if (create.SessionId is { } of)
        {
            batch.CountSession(of, 1);
        }

        batch.Advanced(row);
        return new StreamOutcome(StreamStatus.Created, row);
    }

    private static bool Matches(StreamRow row, string contentType, long? ttl, DateTimeOffset? expiresAt, bool closed, long? forkOf, long forkAt) =>
        StreamContentType.SameType(row.ContentType, contentType) && row.TtlSeconds == ttl && row.ExpiresAt == (ttl is null ? expiresAt : null)
        && row.Closed == closed && row.ForkOf == forkOf && (forkOf is null || row.ForkAt == forkAt);

    /// <summary>The chunks to read for a fork's sub-offset: the source's view from the fork offset on (only its first chunk is used).</summary>
    private static IReadOnlyList<ChunkRange>? SubOffsetRange(StreamBatch batch, CreateStream fork)
    {
        var source = batch.Find(fork.ForkFrom!);
        if (source is null || source.State != StreamLifecycle.Live)
        {
            return null;
        }

        var anchor = fork.ForkOffset ?? source.Tail;
        return anchor >= source.Tail ? null : batch.Chain(source).Ranges(anchor, source.Tail);
    }

    /// <summary>
    /// Where the fork diverges: the fork offset (or the source's tail), moved on by the sub-offset into the append that
    /// starts there; null when that is not a position of the source (<see cref="ForkPointProblem"/> says why).
    /// </summary>
    private static long? ForkPoint(StreamBatch batch, CreateStream create, StreamRow source)
    {
        var anchor = create.ForkOffset ?? source.Tail;
        if (anchor > source.Tail || batch.Chain(source).Depth >= StreamChain.MaxDepth)
        {
            return null;
        }

        if (create.ForkSubOffset == 0)
        {
            return anchor;
        }

        var chain = batch.Chain(source);
        var ranges = chain.Ranges(anchor, source.Tail);
        var next = StreamChain.Clip(ranges, batch.KnownChunks).FirstOrDefault();
        if (next is null || next.Start != anchor)
        {
            return null;
        }

        var inherited = StreamContentType.IsJson(source.ContentType)
            ? JsonFraming.PrefixLength(next.Data.Span, create.ForkSubOffset)
            : create.ForkSubOffset <= next.Data.Length ? create.ForkSubOffset : -1;
        return inherited < 0 ? null : anchor + inherited;
    }

    private static StreamOutcome ForkPointProblem(StreamBatch batch, CreateStream create, StreamRow source)
    {
        var anchor = create.ForkOffset ?? source.Tail;
        var detail = anchor > source.Tail
            ? $"Stream-Fork-Offset is beyond the source's tail ({StreamOffset.Format(source.Tail)}); fork at an offset the source has returned."
            : batch.Chain(source).Depth >= StreamChain.MaxDepth
                ? $"The source is already a fork {StreamChain.MaxDepth} levels deep, the most allowed; fork a stream nearer the root."
                : $"Stream-Fork-Sub-Offset {create.ForkSubOffset} goes past the append at the fork offset " +
                  $"({(StreamContentType.IsJson(source.ContentType) ? "count messages" : "count bytes")} within that one append).";
        return new StreamOutcome(StreamStatus.Invalid, Detail: detail);
    }
}
