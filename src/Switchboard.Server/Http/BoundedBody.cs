using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server.Responses;

namespace Switchboard.Server.Http;

/// <summary>
/// Reads a whole request body into a <see cref="BodyBuffer"/>, never more than a limit: every route that takes a body
/// before it parses it (the API, the hooks, OTLP/HTTP, Durable Streams) reads through here. Memory follows the bytes
/// that arrive, not <c>Content-Length</c>, and all of it counts against the node's <see cref="RequestBodyBudget"/>.
/// </summary>
internal static class BoundedBody
{
    /// <summary>
    /// The bytes of <paramref name="source"/> (the request's body, or a decompressing view of it), which the caller
    /// disposes. Throws <paramref name="tooLarge"/>'s exception once more than <paramref name="maxBytes"/> arrive, or
    /// when <c>Content-Length</c> or Kestrel already says so; see <see cref="TryReadAsync"/> for the rest.
    /// </summary>
    public static async Task<BodyBuffer> ReadAsync(HttpRequest request, Stream source, long maxBytes, Func<RequestException> tooLarge,
        CancellationToken ct) =>
        await TryReadAsync(request, source, maxBytes, ct) ?? throw tooLarge();

    /// <summary>
    /// The bytes of <paramref name="source"/>, or null when the body is larger than <paramref name="maxBytes"/> (by its
    /// <c>Content-Length</c>, by what arrived, or by Kestrel's own limit), the rest left unread. Throws a
    /// <see cref="RequestException"/>, and the connection closes after its answer since the rest of the body is not read,
    /// with 503 past the node's budget and 400 for a body that cannot be read (broken chunked framing, a peer that left
    /// before sending all it announced); a request whose peer went away (<paramref name="ct"/>, its <c>RequestAborted</c>)
    /// ends as cancelled; anything else propagates. Nothing stays reserved unless a buffer is returned.
    /// </summary>
    public static async Task<BodyBuffer?> TryReadAsync(HttpRequest request, Stream source, long maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        var body = new BodyBuffer(request.HttpContext.RequestServices.GetRequiredService<RequestBodyBudget>(), maxBytes);
        try
        {
            // The reads take no token: Kestrel ends a pending read itself when the connection goes, whereas a read cancelled
            // by RequestAborted leaves the body reader mid-read, which Kestrel then fails to drain and logs as an error.
            if (await body.ReadToEndAsync(source))
            {
                return body;
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
        }
        catch (RequestException)
        {
            body.Dispose();
            CloseAfterResponse(request);
            throw;
        }
        catch (Exception ex) when (ex is BadHttpRequestException or IOException)
        {
            body.Dispose();
            // A peer that went away is nobody to answer and no failure of the server: the request ends as cancelled.
            ct.ThrowIfCancellationRequested();
            // Broken framing or a body cut short: the rest of the connection is garbage.
            CloseAfterResponse(request);
            throw new RequestException(new ProblemResult((ex as BadHttpRequestException)?.StatusCode ?? StatusCodes.Status400BadRequest, "malformed_body",
                "Bad request", $"The request body could not be read: {ex.Message} Send a Content-Length or valid chunked framing."));
        }
        catch
        {
            body.Dispose();
            throw;
        }

        body.Dispose();
        return null;
    }

    private static void CloseAfterResponse(HttpRequest request) => request.HttpContext.Response.Headers.Connection = "close";
}
