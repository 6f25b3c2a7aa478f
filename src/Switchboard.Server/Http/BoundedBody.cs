using System.Buffers;
using Microsoft.AspNetCore.Http;
using Switchboard.Responses;

namespace Switchboard.Http;

/// <summary>
/// Reads a request body into a pooled buffer, never more than a limit: the receivers that take a whole body before they
/// parse it (OTLP/HTTP, the hooks) share this. Work is bounded by the limit whatever <c>Content-Length</c> says.
/// </summary>
internal static class BoundedBody
{
    /// <summary>
    /// The bytes of <paramref name="source"/> (the request's body, or a decompressing view of it) in a buffer from
    /// <see cref="ArrayPool{T}.Shared"/> that the caller returns. Throws <paramref name="tooLarge"/>'s exception once more
    /// than <paramref name="maxBytes"/> arrive, or when <c>Content-Length</c> or Kestrel already says so; any other failure
    /// propagates with the buffer returned.
    /// </summary>
    public static async Task<(byte[] Buffer, int Length)> ReadAsync(HttpRequest request, Stream source, long maxBytes, long firstGuess,
        Func<RequestException> tooLarge, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes)
        {
            throw tooLarge();
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(firstGuess, maxBytes + 1));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await source.ReadAsync(buffer.AsMemory(length), ct);
                if (read == 0)
                {
                    return (buffer, length);
                }

                length += read;
                if (length > maxBytes)
                {
                    throw tooLarge();
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw tooLarge();
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
