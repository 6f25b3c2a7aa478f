using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Switchboard.Core.Streams;
using Switchboard.Server.Http;
using Switchboard.Server.Responses;
using Switchboard.Server.Security;

namespace Switchboard.Server.Streams;

/// <summary>
/// Reads a stream request: the path, the protocol's headers (strictly, each refusal a 400 naming the header and what to
/// send), and the body, bounded by <c>Switchboard:Streams:MaxAppendBytes</c> whether it has a length or is chunked.
/// </summary>
internal static class StreamRequests
{
    public const string Root = "/v1/stream";
    public const int MaxStreamSeqLength = 256;

    /// <summary>The stream's path under <see cref="Root"/>; throws 400 when it cannot name a stream.</summary>
    public static string PathOf(HttpContext http)
    {
        var values = http.Request.RouteValues;
        var path = values["path"] as string
            ?? (values["session"] is string session && values["name"] is string name ? $"{SessionStreams.Prefix}/{session}/{name}" : "");
        return StreamPath.Problem(path) is { } problem ? throw new RequestException(StreamProblems.Invalid(problem)) : path;
    }

    /// <summary>Who creates streams, for the per-key bound: the API key, or the remote address when auth is off.</summary>
    public static string OwnerOf(HttpContext http) =>
        http.Items[ApiAccessFilter.IdentityItem] is ApiKeyIdentity identity ? "key:" + identity.Fingerprint
        : "ip:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");

    /// <summary>A header's single value, or null when absent; 400 when it is sent twice.</summary>
    public static string? Header(HttpRequest request, string name)
    {
        var values = request.Headers[name];
        return values.Count switch
        {
            0 => null,
            1 => values[0],
            _ => throw new RequestException(StreamProblems.Invalid($"{name} is sent {values.Count} times; send it once.")),
        };
    }

    /// <summary>The request's content type, or null when it sent none; 400 when it is not a media type.</summary>
    public static string? ContentType(HttpRequest request)
    {
        if (Header(request, "Content-Type") is not { } header)
        {
            return null;
        }

        return StreamContentType.Parse(header, out var problem) ?? throw new RequestException(StreamProblems.Invalid(problem!));
    }

    /// <summary>The idempotent producer headers: all three or none (400 otherwise).</summary>
    public static ProducerTuple? Producer(HttpRequest request)
    {
        var id = Header(request, "Producer-Id");
        var epoch = Header(request, "Producer-Epoch");
        var seq = Header(request, "Producer-Seq");
        if (id is null && epoch is null && seq is null)
        {
            return null;
        }

        if (id is null || epoch is null || seq is null)
        {
            throw new RequestException(StreamProblems.Invalid("Producer-Id, Producer-Epoch and Producer-Seq go together: send all three, or none."));
        }

        if (id.Length == 0 || id.Length > ProducerRules.MaxIdLength || id.Any(char.IsControl))
        {
            throw new RequestException(StreamProblems.Invalid($"Producer-Id must be 1 to {ProducerRules.MaxIdLength} printable characters."));
        }

        return new ProducerTuple(id, Number("Producer-Epoch", epoch, ProducerRules.MaxNumber), Number("Producer-Seq", seq, ProducerRules.MaxNumber));
    }

    /// <summary>The writer's <c>Stream-Seq</c>, if sent: 1 to 256 printable characters.</summary>
    public static string? StreamSeq(HttpRequest request)
    {
        if (Header(request, "Stream-Seq") is not { } seq)
        {
            return null;
        }

        return seq.Length is 0 or > MaxStreamSeqLength || seq.Any(char.IsControl)
            ? throw new RequestException(StreamProblems.Invalid($"Stream-Seq must be 1 to {MaxStreamSeqLength} printable characters."))
            : seq;
    }

    public static long Number(string name, string value, long max) =>
        StreamHeaderValues.NonNegative(name, value, max, out var problem) ?? throw new RequestException(StreamProblems.Invalid(problem!));

    /// <summary>A stream path named in a header (<c>Stream-Forked-From</c>): the URL path of a stream on this server.</summary>
    public static string ForkSource(HttpRequest request, string value)
    {
        var path = Uri.TryCreate(value, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https" ? absolute.AbsolutePath : value;
        path = Uri.UnescapeDataString(path.Split('?')[0]);
        var prefix = request.PathBase.Add(Root).Value + "/";
        var relative = path.StartsWith(prefix, StringComparison.Ordinal) ? path[prefix.Length..] : path.TrimStart('/');
        return StreamPath.Problem(relative) is { } problem
            ? throw new RequestException(StreamProblems.Invalid($"Stream-Forked-From does not name a stream: {problem}"))
            : relative;
    }

    /// <summary>
    /// The whole body, at most <paramref name="maxBytes"/>; 413 beyond it, 503 past the node's body budget. An oversized
    /// body up to <see cref="MaxDrainBytes"/> is read to its end and dropped, so the client, still sending it, gets the 413
    /// on a connection that stays usable; a larger one closes the connection instead.
    /// </summary>
    public static async Task<ReadOnlyMemory<byte>> BodyAsync(HttpContext http, long maxBytes)
    {
        var request = http.Request;
        var size = http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature ? feature : null;
        if (request.ContentLength > maxBytes)
        {
            throw await TooLargeAsync(http, size, maxBytes, read: 0);
        }

        if (size is not null)
        {
            size.MaxRequestBodySize = MaxDrainBytes;
        }

        if (request.ContentLength == 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        // A copy of exactly what was sent goes on to the write (which may outlive the request), and the pooled buffer back.
        using var body = await BoundedBody.TryReadAsync(request, request.Body, maxBytes, http.RequestAborted);
        return body?.Written.ToArray() ?? throw await TooLargeAsync(http, size, maxBytes, read: maxBytes + 1);
    }

    /// <summary>The most of an oversized body read (and dropped) to answer 413 on a connection that stays open.</summary>
    public const long MaxDrainBytes = 64L * 1024 * 1024;

    private static async Task<RequestException> TooLargeAsync(HttpContext http, IHttpMaxRequestBodySizeFeature? size, long maxBytes, long read)
    {
        var problem = new RequestException(StreamProblems.TooLarge(maxBytes));
        var request = http.Request;
        if ((request.ContentLength ?? read) > MaxDrainBytes || (size is null && request.ContentLength > maxBytes))
        {
            http.Response.Headers.Connection = "close";
            return problem;
        }

        if (size is { IsReadOnly: false })
        {
            size.MaxRequestBodySize = MaxDrainBytes;
        }

        try
        {
            var drain = new byte[16 * 1024];
            while (await request.Body.ReadAsync(drain, http.RequestAborted) > 0)
            {
            }
        }
        catch (BadHttpRequestException)
        {
            // Longer than the drain limit after all: the connection closes with the answer.
            http.Response.Headers.Connection = "close";
        }

        return problem;
    }
}
