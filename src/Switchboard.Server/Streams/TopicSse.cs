using Microsoft.AspNetCore.Http;
using Switchboard.Core.Storage;
using Switchboard.Core.Streams;
using Switchboard.Server.Live;
using Switchboard.Server.Security;
using Switchboard.Server.Streams.Options;
using Switchboard.Server.Transports.Sse;

namespace Switchboard.Server.Streams;

/// <summary>
/// A topic over SSE (<c>topics/…?live=sse</c>): each batch of the topic's envelopes is a <c>data</c> event (a JSON
/// array) followed by a <c>control</c> event with the seq to resume from. Events of other topics move the position
/// silently. The connection ends after <see cref="DurableStreamOptions.SseReconnectAfter"/>, when the subscriber token
/// expires, when retention passes the position (the reconnect then gets 410), or when the node stops.
/// </summary>
internal static class TopicSse
{
    public static async Task<IResult> ServeAsync(HttpContext http, ISessionStore store, TopicStreamReader reader, LiveHub live, StreamWatch watch,
        DurableStreamOptions options, TimeProvider time, TopicQuery topic, long position, ReadQuery query, StreamGrant? grant)
    {
        using var waiter = watch.TryWatch(StreamWatch.TopicReaders);
        if (waiter is null)
        {
            return StreamProblems.Busy();
        }

        var response = http.Response;
        SseResponse.Begin(http, "no-cache");
        var ct = http.RequestAborted;
        await response.StartAsync(ct);
        var started = time.GetTimestamp();
        var first = true;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var generation = live.Generation;
                var bounds = await store.GetLogBoundsAsync(ct);
                if (position < bounds.FirstSeq - 1)
                {
                    break; // retention passed the position: the reconnect learns it with 410
                }

                var sent = false;
                while (position < bounds.HeadSeq)
                {
                    var slice = await reader.ReadAsync(topic, position, bounds.HeadSeq, ct);
                    position = slice.Next;
                    if (slice.Envelopes.Count > 0)
                    {
                        await SseResponse.WriteAsync(response, StreamSse.Data(slice.Body(), text: true),
                            StreamSse.Control(position, closed: false, slice.UpToDate, Cursor(time, query)), ct);
                        sent = true;
                    }
                }

                if (first && !sent)
                {
                    await SseResponse.WriteAsync(response, default, StreamSse.Control(position, closed: false, upToDate: true, Cursor(time, query)), ct);
                }

                first = false;
                var remaining = options.SseReconnectAfter - time.GetElapsedTime(started);
                if (grant?.ExpiresAt is { } expires && expires - time.GetUtcNow() < remaining)
                {
                    remaining = expires - time.GetUtcNow();
                }

                if (watch.IsStopping || !await waiter.WaitAsync(live.WhenAdvancedAsync(generation), remaining, ct))
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
}
