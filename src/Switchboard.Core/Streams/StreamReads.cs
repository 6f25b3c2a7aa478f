namespace Switchboard.Core.Streams;

/// <summary>
/// The read side's rules: whether a stream can be read (an expired one answers as deleted before the sweeper reaches it),
/// where a read starts, and what a slice of chunks becomes on the wire.
/// </summary>
internal static class StreamReads
{
    /// <summary>
    /// The most bytes one read of the store returns (a JSON stream's response, one SSE data event, one piece of a byte
    /// stream's response), unless a single append is larger.
    /// </summary>
    public const long MaxSliceBytes = 1024 * 1024;

    /// <summary>The most bytes one catch-up response of a byte stream carries: it is read and written a slice at a time.</summary>
    public const long MaxResponseBytes = 16 * 1024 * 1024;

    /// <summary>Null when <paramref name="chain"/>'s stream can be read at <paramref name="now"/>; otherwise the answer (404 or 410).</summary>
    public static StreamStatus? Refusal(StreamChain? chain, DateTimeOffset now) => chain?.Stream switch
    {
        null => StreamStatus.NotFound,
        { State: StreamLifecycle.Gone } => StreamStatus.Gone,
        { State: StreamLifecycle.Live } row when StreamExpiry.IsExpired(row, now) => row.Forks > 0 ? StreamStatus.Gone : StreamStatus.NotFound,
        { State: StreamLifecycle.Live } => null,
        _ => StreamStatus.NotFound,
    };

    /// <summary>The position a read starts at, or null when the request's offset lies beyond the stream's tail.</summary>
    public static long? StartOf(ReadStart start, StreamRow stream) => start.Kind switch
    {
        ReadStartKind.Beginning => 0,
        ReadStartKind.Now => stream.Tail,
        _ => start.Position <= stream.Tail ? start.Position : null,
    };

    /// <summary>Turns the chunks a store returned for <paramref name="chain"/> from <paramref name="from"/> into a response's body and position.</summary>
    public static StreamSlice Slice(StreamChain chain, long from, IReadOnlyList<ChunkRange> ranges, IEnumerable<StreamChunk> chunks, long maxBytes)
    {
        var stream = chain.Stream;
        var parts = new List<ReadOnlyMemory<byte>>();
        var next = from;
        long size = 0;
        foreach (var chunk in StreamChain.Clip(ranges, chunks))
        {
            // Chunks are contiguous from the start; stop at a gap (none is expected) rather than skip bytes.
            if (chunk.Start != next || (parts.Count > 0 && size + chunk.Data.Length > maxBytes))
            {
                break;
            }

            parts.Add(chunk.Data);
            size += chunk.Data.Length;
            next = chunk.End;
        }

        var upToDate = next >= stream.Tail;
        return new StreamSlice(parts, next, upToDate, upToDate && stream.Closed, StreamContentType.IsJson(stream.ContentType));
    }

    /// <summary>How long a live read may still wait: <paramref name="remaining"/>, cut at <paramref name="until"/> (a reader's token expiry) when set.</summary>
    public static TimeSpan Within(TimeSpan remaining, DateTimeOffset? until, DateTimeOffset now) =>
        until is { } end && end - now < remaining ? end - now : remaining;
}

/// <summary>
/// A read's result: the stored bytes from one position to <see cref="Next"/>. <see cref="UpToDate"/> when that is the
/// tail; <see cref="ClosedAtEnd"/> when it is the tail of a closed stream (end of stream).
/// </summary>
internal sealed record StreamSlice(IReadOnlyList<ReadOnlyMemory<byte>> Parts, long Next, bool UpToDate, bool ClosedAtEnd, bool Json)
{
    /// <summary>True when the slice carries no bytes (no messages).</summary>
    public bool IsEmpty => Parts.Count == 0;

    /// <summary>The body as the protocol returns it: the bytes, or for a JSON stream an array of the messages (<c>[]</c> when none).</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Body() => Json ? [JsonFraming.Wrap(Parts)] : Parts;
}
