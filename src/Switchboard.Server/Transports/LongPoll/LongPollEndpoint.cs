using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Switchboard.Server.Options;
using Switchboard.Server.Phoenix;
using Switchboard.Server.Responses;
using Switchboard.Server.Security;

namespace Switchboard.Server.Transports.LongPoll;

/// <summary>
/// <c>/socket/longpoll</c>, Phoenix's fallback transport. Every answer is HTTP 200 with the real status in the JSON
/// body: a GET without a live connection key connects (410 + the key, which Phoenix names <c>token</c>), a GET with
/// one waits up to the window (200 with messages, or 204); a POST carries ndjson frames (200, or 410 for an unknown key).
/// </summary>
internal static class LongPollEndpoint
{
    /// <summary>
    /// A POST's body may hold this many frames of the largest size. Every line of a batch is handled: Phoenix (1.8.10 on)
    /// takes the first 100 and ignores the rest, because its client sends at most 100 per POST; an older client's larger
    /// batch is thus not refused (as Phoenix did not before either) and, here, loses nothing.
    /// </summary>
    private const int MaxFramesPerPost = 100;

    public static async Task HandleAsync(HttpContext context, LongPollRegistry sessions, SocketOptions options, OriginPolicy origins,
        StreamAuthenticator authenticator)
    {
        var response = context.Response;
        response.Headers.CacheControl = "no-store";
        var originAllowed = origins.IsAllowed(context.Request);
        if (originAllowed)
        {
            // Only origins this server accepts may read the answers; a request without Origin is no browser's.
            response.Headers.AccessControlAllowOrigin = OriginPolicy.OriginOf(context.Request) ?? "*";
            response.Headers.Vary = "Origin";
        }

        if (HttpMethods.IsOptions(context.Request.Method))
        {
            if (originAllowed)
            {
                response.Headers.AccessControlAllowMethods = "GET, POST, OPTIONS";
                response.Headers.AccessControlAllowHeaders = "content-type, x-phoenix-longpoll-token, x-phoenix-authtoken";
            }

            return;
        }

        if (!originAllowed)
        {
            await WriteAsync(context, 403);
            return;
        }

        if (PhoenixSerializers.FromVsn(context.Request.Query["vsn"]) is not { } serializer)
        {
            await WriteAsync(context, 403);
            return;
        }

        var session = sessions.Find(ConnectionKey(context.Request));
        if (HttpMethods.IsGet(context.Request.Method))
        {
            await PollAsync(context, sessions, session, serializer, authenticator);
        }
        else if (HttpMethods.IsPost(context.Request.Method))
        {
            await PostAsync(context, session, options);
        }
        else
        {
            response.StatusCode = StatusCodes.Status400BadRequest; // as Phoenix answers any other method
        }
    }

    private static async Task PollAsync(HttpContext context, LongPollRegistry sessions, LongPollSession? session, PhoenixSerializer serializer,
        StreamAuthenticator authenticator)
    {
        if (session is null)
        {
            // No (live) connection key: this poll is the connect, and the moment credentials are checked.
            var auth = await authenticator.AuthenticateAsync(context.Request);
            if (auth.Grant is null)
            {
                await WriteAsync(context, 403);
                return;
            }

            var created = sessions.Create(serializer, authenticator.Enabled ? new ConnectionAccess(auth.Grant, authenticator, sessions.Time) : null);
            // Full or stopping: 500 is the refusal phoenix.js recovers from (it closes with 1011 and reconnects with
            // backoff); a 503 would make its poll throw and the client hang for good.
            await (created is null ? WriteAsync(context, 500) : WriteAsync(context, 410, created.ConnectionKey));
            return;
        }

        var frames = await session.PollAsync(sessions.Window, context.RequestAborted);
        if (session.IsClosed && frames.Count == 0)
        {
            // An expired token ends the session with 403, which the phoenix client takes as a close with 1008.
            await WriteAsync(context, session.TokenExpired ? 403 : 410);
            return;
        }

        var bytes = 0;
        await WriteAsync(context, frames.Count == 0 ? 204 : 200, session.ConnectionKey, w =>
        {
            foreach (var frame in frames)
            {
                w.WriteStringValue(frame.For(session.Serializer).Text.Span);
                bytes += frame.TextLength;
            }
        });
        if (frames.Count > 0)
        {
            Switchboard.Server.Outbound.OutboundCounters.Wrote(bytes);
        }
    }

    private static async Task PostAsync(HttpContext context, LongPollSession? session, SocketOptions options)
    {
        if (session is null)
        {
            await WriteAsync(context, 410);
            return;
        }

        List<PhoenixMessage> messages;
        try
        {
            var body = await ReadBodyAsync(context.Request, options.MaxFrameBytes * MaxFramesPerPost, context.RequestAborted);
            messages = Parse(body, session.Serializer, options.MaxFrameBytes);
        }
        catch (RequestException ex)
        {
            await WriteAsync(context, ex.Problem.Status);
            return;
        }

        var withinRate = await session.HandleAsync(messages, context.RequestAborted);
        await WriteAsync(context, withinRate ? 200 : 429);
    }

    /// <summary>Splits an ndjson body into messages: text lines are JSON frames of the session's serializer, other lines base64 binary V2 frames.</summary>
    private static List<PhoenixMessage> Parse(byte[] body, PhoenixSerializer serializer, int maxFrameBytes)
    {
        // Like a WebSocket text frame that is not UTF-8 (closed with 1007), an undecodable batch is refused whole, not patched with U+FFFD.
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            throw new RequestException(ProblemResult.BadRequest("long-poll batch is not valid UTF-8"));
        }

        var messages = new List<PhoenixMessage>();
        foreach (var line in Encoding.UTF8.GetString(body).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            PhoenixMessage? m = null;
            if (line.Length <= maxFrameBytes && line.StartsWith(serializer == PhoenixSerializer.V1 ? '{' : '['))
            {
                try
                {
                    m = PhoenixMessage.Parse(serializer, Encoding.UTF8.GetBytes(line), out _);
                }
                catch (InvalidOperationException)
                {
                    // a topic, event or ref with a lone surrogate escape: refused below like any invalid line
                }
            }
            else if (line.Length <= maxFrameBytes && serializer == PhoenixSerializer.V2)
            {
                var bytes = new byte[line.Length];
                m = Convert.TryFromBase64String(line, bytes, out var written) ? PhoenixMessage.ParseBinary(bytes.AsSpan(0, written), out _) : null;
            }

            if (m is null)
            {
                throw new RequestException(ProblemResult.BadRequest("invalid long-poll batch"));
            }

            messages.Add(m);
        }

        return messages;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new RequestException(new ProblemResult(StatusCodes.Status413PayloadTooLarge, "body_too_large", "Payload too large", "batch too large"));
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// The connection key the client echoes: the last <c>token</c> query value (a user param may come first), or the
    /// header. Phoenix calls it a token, but it only names the long-poll session; credentials are checked at connect.
    /// </summary>
    private static string? ConnectionKey(HttpRequest request)
    {
        var header = request.Headers["X-Phoenix-Longpoll-Token"].ToString();
        if (header.Length > 0)
        {
            return header;
        }

        var values = request.Query["token"];
        return values.Count > 0 ? values[values.Count - 1] : null;
    }

    private static async Task WriteAsync(HttpContext context, int status, string? connectionKey = null, Action<Utf8JsonWriter>? messages = null)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        await using var w = new Utf8JsonWriter(response.BodyWriter, JsonResult.WriterOptions);
        w.WriteStartObject();
        w.WriteNumber("status", status);
        if (connectionKey is not null)
        {
            w.WriteString("token", connectionKey); // Phoenix names the key "token" on the wire
            w.WriteStartArray("messages");
            messages?.Invoke(w);
            w.WriteEndArray();
        }

        w.WriteEndObject();
        await w.FlushAsync(context.RequestAborted);
    }
}
