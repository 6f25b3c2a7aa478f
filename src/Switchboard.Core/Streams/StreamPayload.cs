namespace Switchboard.Core.Streams;

/// <summary>
/// A request body as the stream stores it: for JSON streams its messages framed (<see cref="JsonFraming"/>), for every
/// other type its bytes as sent. A body JSON mode refuses carries <see cref="Problem"/> instead.
/// </summary>
internal sealed record StreamPayload(ReadOnlyMemory<byte> Bytes, long Messages, string? Problem)
{
    /// <summary>No bytes.</summary>
    public static StreamPayload Empty { get; } = new(ReadOnlyMemory<byte>.Empty, 0, null);

    /// <summary>A body that cannot be stored, and why.</summary>
    public static StreamPayload Refused(string problem) => new(ReadOnlyMemory<byte>.Empty, 0, problem);

    /// <summary>The bytes a stream of <paramref name="contentType"/> stores for <paramref name="body"/>.</summary>
    public static StreamPayload For(string contentType, ReadOnlyMemory<byte> body, bool forAppend) =>
        StreamContentType.IsJson(contentType) ? JsonFraming.Frame(body, forAppend)
        : body.IsEmpty ? Empty : new StreamPayload(body, 1, null);

    /// <summary>Stored bytes.</summary>
    public long Length => Bytes.Length;
}

/// <summary>
/// A request body with the content type the request named, framed for it ahead of the commit (off the write loop); the
/// commit frames the raw body again only when the stream turns out to have another type (a fork that inherits it).
/// </summary>
internal sealed record StreamBody(ReadOnlyMemory<byte> Raw, string? FramedFor, StreamPayload Framed)
{
    /// <summary>No body.</summary>
    public static StreamBody None { get; } = new(ReadOnlyMemory<byte>.Empty, null, StreamPayload.Empty);

    /// <summary>Frames <paramref name="raw"/> for <paramref name="contentType"/> (the request's), or keeps it raw when it named none.</summary>
    public static StreamBody Of(ReadOnlyMemory<byte> raw, string? contentType, bool forAppend) =>
        raw.IsEmpty && contentType is null ? None
        : new StreamBody(raw, contentType, contentType is null ? new StreamPayload(raw, raw.IsEmpty ? 0 : 1, null) : StreamPayload.For(contentType, raw, forAppend));

    /// <summary>True when there are no bytes at all.</summary>
    public bool IsEmpty => Raw.IsEmpty;

    /// <summary>The body as a stream of <paramref name="contentType"/> stores it.</summary>
    public StreamPayload As(string contentType, bool forAppend) =>
        FramedFor is { } framed && StreamContentType.IsJson(framed) == StreamContentType.IsJson(contentType) ? Framed
        : StreamPayload.For(contentType, Raw, forAppend);
}
