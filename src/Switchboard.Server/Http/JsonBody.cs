using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Switchboard.Responses;

namespace Switchboard.Http;

/// <summary>Reads a request body as one JSON document, enforcing the size limit before parsing.</summary>
internal static class JsonBody
{
    /// <summary>
    /// Returns the parsed body, or null when the body is empty and <paramref name="allowEmpty"/> is set.
    /// Throws <see cref="RequestException"/> with 413 for an oversized body and 400 for malformed JSON.
    /// </summary>
    public static async Task<JsonDocument?> ReadAsync(HttpRequest request, long maxBytes, bool allowEmpty, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(request, maxBytes);
        }

        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength ?? 4096, maxBytes) + 1);
        var reader = request.BodyReader;
        while (true)
        {
            ReadResult read;
            try
            {
                read = await reader.ReadAsync(cancellationToken);
            }
            catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                throw TooLarge(request, maxBytes);
            }
            catch (Exception ex) when (ex is BadHttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                // Broken framing (a chunk size that is no number, a body cut short): the rest of the connection is garbage.
                CloseAfterResponse(request);
                throw new RequestException(new ProblemResult((ex as BadHttpRequestException)?.StatusCode ?? StatusCodes.Status400BadRequest, "malformed_body", "Bad request",
                    $"The request body could not be read: {ex.Message} Send a Content-Length or valid chunked framing."));
            }

            foreach (var segment in read.Buffer)
            {
                if (buffer.WrittenCount + segment.Length > maxBytes)
                {
                    reader.AdvanceTo(read.Buffer.End); // the reader is left between reads, as Kestrel needs it to finish the request
                    throw TooLarge(request, maxBytes);
                }

                buffer.Write(segment.Span);
            }

            reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                break;
            }
        }

        if (buffer.WrittenCount == 0 || buffer.WrittenSpan.IndexOfAnyExcept(" \t\r\n"u8) < 0)
        {
            if (allowEmpty)
            {
                return null;
            }

            throw new RequestException(ProblemResult.BadRequest("The request needs a JSON object body."));
        }

        // The parser leaves string contents to be decoded later, where invalid UTF-8 would throw mid-handler.
        if (!System.Text.Unicode.Utf8.IsValid(buffer.WrittenSpan))
        {
            throw new RequestException(new ProblemResult(400, "malformed_json", "Malformed JSON",
                "The body is not valid UTF-8. Send JSON encoded as UTF-8."));
        }

        try
        {
            return JsonDocument.Parse(buffer.WrittenMemory, new JsonDocumentOptions { MaxDepth = 64 });
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
            $"The body is larger than {maxBytes} bytes. Split the work into several requests (e.g. smaller batches)."));
    }

    private static void CloseAfterResponse(HttpRequest request) => request.HttpContext.Response.Headers.Connection = "close";

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
