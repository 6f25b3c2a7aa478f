using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Switchboard.Server.Transports.Sse;

/// <summary>
/// An HTTP response as a Server-Sent Events stream: its head, and records written and flushed together. Records come from
/// <see cref="SseRecord"/>; the live stream (<see cref="SseConnection"/>) writes its queued frames' records through the
/// same head and flushes once per drain.
/// </summary>
internal static class SseResponse
{
    /// <summary>
    /// The head of an event stream, not yet sent: no caching (<paramref name="cacheControl"/>), no proxy buffering
    /// (<c>X-Accel-Buffering: no</c>, nginx's), and no response buffering here.
    /// </summary>
    public static void Begin(HttpContext http, string cacheControl)
    {
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = cacheControl;
        response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }

    /// <summary>
    /// <paramref name="first"/> and <paramref name="then"/> in one write and one flush: one chunk on the wire, so a reader
    /// never sees the first record without the one that follows it.
    /// </summary>
    public static async Task WriteAsync(HttpResponse response, ReadOnlyMemory<byte> first, ReadOnlyMemory<byte> then, CancellationToken ct)
    {
        if (first.IsEmpty || then.IsEmpty)
        {
            await response.Body.WriteAsync(first.IsEmpty ? then : first, ct);
        }
        else
        {
            var both = new byte[first.Length + then.Length];
            first.CopyTo(both);
            then.CopyTo(both.AsMemory(first.Length));
            await response.Body.WriteAsync(both, ct);
        }

        await response.Body.FlushAsync(ct);
    }
}
