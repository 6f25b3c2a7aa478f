using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Switchboard.Server.Responses;

namespace Switchboard.Server.Http;

/// <summary>Reads a request body as one JSON document, enforcing the size limit before parsing.</summary>
internal static class JsonBody
{
    /// <summary>
    /// Returns the parsed body, or null when the body is empty and <paramref name="allowEmpty"/> is set.
    /// Throws <see cref="RequestException"/> with 413 for an oversized body and 400 for malformed JSON.
    /// </summary>
    public static async Task<JsonDocument?> ReadAsync(HttpRequest request, long maxBytes, bool allowEmpty, CancellationToken cancellationToken)
    {
        using var raw = await BoundedBody.ReadAsync(request, request.Body, maxBytes, () => TooLarge(request, maxBytes), cancellationToken);
        return Parse(raw.Written.Span, allowEmpty);
    }

    /// <summary>
    /// The document over a copy of exactly the bytes sent, so the pooled buffer they arrived in goes back (and out of the
    /// node's body budget) as soon as the body is read, while the document lives as long as its handler.
    /// </summary>
    private static JsonDocument? Parse(ReadOnlySpan<byte> body, bool allowEmpty)
    {
        if (body.IsEmpty || body.IndexOfAnyExcept(" \t\r\n"u8) < 0)
        {
            if (allowEmpty)
            {
                return null;
            }

            throw new RequestException(ProblemResult.BadRequest("The request needs a JSON object body."));
        }

        // The parser leaves string contents to be decoded later, where invalid UTF-8 would throw mid-handler.
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            throw new RequestException(new ProblemResult(400, "malformed_json", "Malformed JSON",
                "The body is not valid UTF-8. Send JSON encoded as UTF-8."));
        }

        try
        {
            return JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            throw new RequestException(new ProblemResult(400, "malformed_json", "Malformed JSON",
                $"The body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): {FirstSentence(ex.Message)} Send one JSON object."));
        }
    }

    /// <summary>
    /// The rest of an oversized body is not read: the connection closes after the 413, rather than Kestrel draining
    /// (and failing to drain) whatever the client still sends.
    /// </summary>
    private static RequestException TooLarge(HttpRequest request, long maxBytes)
    {
        CloseAfterResponse(request);
        return new(new ProblemResult(StatusCodes.Status413PayloadTooLarge, "body_too_large", "Payload too large",
            $"The body is larger than {maxBytes} bytes, the most Switchboard:Http:MaxBodyBytes allows. Split the work into several requests " +
            "(e.g. smaller batches), or raise the setting."));
    }

    private static void CloseAfterResponse(HttpRequest request) => request.HttpContext.Response.Headers.Connection = "close";

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
