using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Switchboard.Core.Json;
using Switchboard.Core.Streams;
using Switchboard.Server.Outbound;
using Switchboard.Server.Streams.Options;
using Switchboard.Server.Transports.Sse;

namespace Switchboard.Server.Streams;

/// <summary>
/// A stream over Server-Sent Events (<c>live=sse</c>): the catch-up from the offset, then every append as it lands. Each
/// <c>data</c> event (UTF-8 text for <c>text/*</c> and JSON streams, base64 otherwise) is followed by a <c>control</c>
/// event naming the offset to reconnect from; at the tail of a closed stream the last control says so and the connection
/// ends. A connection also ends after <see cref="DurableStreamOptions.SseReconnectAfter"/> (clients reconnect from the last
/// control's offset), when the stream goes away, or when the node stops. Text is cut into <c>data:</c> lines at every
/// CR, LF or CRLF by <see cref="SseRecord"/>, so no byte of a stream can end an event or start another.
/// </summary>
internal static class StreamSse
{
    public static async Task<IResult> ServeAsync(HttpContext http, IStreamStore store, StreamWatch watch, DurableStreamOptions options,
        TimeProvider time, string path, StreamChain chain, long from, ReadQuery query, DateTimeOffset? until = null)
    {
        using var waiter = watch.TryWatch(chain.Stream.Id);
        if (waiter is null)
        {
            return StreamProblems.Busy();
        }

        var response = http.Response;
        var text = StreamContentType.IsText(chain.Stream.ContentType);
        SseResponse.Begin(http, "no-cache");
        if (!text)
        {
            response.Headers[StreamHeaders.SseDataEncoding] = "base64";
        }

        await response.StartAsync(http.RequestAborted);
        var ct = http.RequestAborted;
        var started = time.GetTimestamp();
        var id = chain.Stream.Id;
        var position = from;
        var first = true;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                // Armed before the read: an append that lands after it wakes the wait below, even if it lands before the wait.
                waiter.Rearm();
                var current = await store.ReadChainAsync(path, ct);
                if (current?.Stream.Id != id || StreamReads.Refusal(current, WireTime.Now(time)) is not null)
                {
                    break; // deleted or expired: the client's next request learns which
                }

                chain = current;
                var sent = false;
                while (position < chain.Stream.Tail)
                {
                    var ranges = chain.Ranges(position, chain.Stream.Tail);
                    StreamSlice slice;
                    byte[] data;
                    using (var buffers = new ChunkBuffers())
                    {
                        var chunks = await store.ReadChunksAsync(ranges, StreamReads.MaxSliceBytes, buffers, ct);
                        slice = StreamReads.Slice(chain, position, ranges, chunks, StreamReads.MaxSliceBytes);
                        data = Data(slice, text);
                    }

                    if (slice.Next == position)
                    {
                        break; // nothing readable yet; wait for the next advance
                    }

                    position = slice.Next;
                    await SseResponse.WriteAsync(response, data, Control(position, chain.Stream, slice.UpToDate, Cursor(time, query)), ct);
                    sent = true;
                }

                var closed = chain.Stream.Closed && position >= chain.Stream.Tail;
                if (!sent && (first || closed))
                {
                    // The first answer, or end of stream without new data: where the client stands.
                    await SseResponse.WriteAsync(response, default, Control(position, chain.Stream, upToDate: position >= chain.Stream.Tail, Cursor(time, query)), ct);
                }

                first = false;
                // At most SseReconnectAfter, and never past the reader's token: its reconnect is checked again.
                var remaining = StreamReads.Within(options.SseReconnectAfter - time.GetElapsedTime(started), until, time.GetUtcNow());
                if (closed || watch.IsStopping || remaining <= TimeSpan.Zero || !await waiter.WaitAsync(remaining, ct))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (IOException) when (ct.IsCancellationRequested)
        {
        }

        return Results.Empty;
    }

    private static string Cursor(TimeProvider time, ReadQuery query) => StreamCursor.Next(time.GetUtcNow(), query.Cursor, Random.Shared);

    /// <summary>A <c>data</c> event carrying <paramref name="slice"/>.</summary>
    public static byte[] Data(StreamSlice slice, bool text) => Data(Concat(slice.Body()), text);

    /// <summary>A <c>data</c> event carrying <paramref name="payload"/>: its lines as text, or base64.</summary>
    public static byte[] Data(ReadOnlySpan<byte> payload, bool text) =>
        SseRecord.Event("data", text ? payload : Encoding.ASCII.GetBytes(Convert.ToBase64String(payload)), tight: true);

    /// <summary>A <c>control</c> event: the offset to go on from, the cursor while the stream is open, and whether it is up to date or over.</summary>
    public static byte[] Control(long position, StreamRow stream, bool upToDate, string cursor) =>
        Control(position, closed: stream.Closed && position >= stream.Tail, upToDate, cursor);

    /// <summary>A <c>control</c> event; a closed stream's carries no cursor (nothing to reconnect to).</summary>
    public static byte[] Control(long position, bool closed, bool upToDate, string cursor)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("streamNextOffset", StreamOffset.Format(position));
            if (closed)
            {
                json.WriteBoolean("streamClosed", true);
            }
            else
            {
                json.WriteString("streamCursor", cursor);
            }

            if (upToDate)
            {
                json.WriteBoolean("upToDate", true);
            }

            json.WriteEndObject();
        }

        return SseRecord.Event("control", buffer.WrittenSpan, tight: true);
    }

    private static byte[] Concat(IReadOnlyList<ReadOnlyMemory<byte>> parts)
    {
        var result = new byte[parts.Sum(p => p.Length)];
        var at = 0;
        foreach (var part in parts)
        {
            part.Span.CopyTo(result.AsSpan(at));
            at += part.Length;
        }

        return result;
    }
}
