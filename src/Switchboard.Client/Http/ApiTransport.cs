using System.Net.Http.Headers;
using System.Text.Json;
using Switchboard.Client.Json;

namespace Switchboard.Client.Http;

/// <summary>
/// Sends one API request with the retry policy of its <see cref="RetryMode"/>: jittered exponential backoff,
/// Retry-After honoured, and refusals turned into <see cref="SwitchboardApiException"/>.
/// </summary>
internal sealed class ApiTransport(HttpClient http, Uri baseAddress, SwitchboardClientOptions options)
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json") { CharSet = "utf-8" };
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(30);

    public Uri BaseAddress { get; } = baseAddress;

    public Task<T> SendAsync<T>(HttpMethod method, string path, byte[]? body, RetryMode mode, Func<JsonElement, T> read,
        CancellationToken cancellationToken) => SendAsync(method, path, body, JsonType, [], mode, read, cancellationToken);

    /// <summary>As above, with the body's content type and extra request headers (a Durable Streams append's).</summary>
    public async Task<T> SendAsync<T>(HttpMethod method, string path, byte[]? body, MediaTypeHeaderValue contentType,
        IReadOnlyList<(string Name, string Value)> headers, RetryMode mode, Func<JsonElement, T> read, CancellationToken cancellationToken)
    {
        var uncertain = false;
        for (var attempt = 1; ; attempt++)
        {
            var last = attempt >= options.MaxAttempts;
            using var request = new HttpRequestMessage(method, new Uri(BaseAddress, path));
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = contentType;
            }

            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex) when (!last && (NeverSent(ex) || mode == RetryMode.Always))
            {
                uncertain |= !NeverSent(ex);
                await DelayAsync(attempt, null, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (TaskCanceledException) when (!last && !cancellationToken.IsCancellationRequested && mode == RetryMode.Always)
            {
                uncertain = true; // HttpClient's own timeout: the server may have applied it
                await DelayAsync(attempt, null, cancellationToken).ConfigureAwait(false);
                continue;
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                var retryAfter = RetryAfter(response);
                if (!last && (status is 503 or 429 || (mode == RetryMode.Always && status is 502 or 504)))
                {
                    uncertain |= status is 502 or 504;
                    await DelayAsync(attempt, retryAfter, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    if (bytes.Length == 0 || response.Content.Headers.ContentType?.MediaType != "application/json")
                    {
                        return read(WireJson.EmptyObject); // 204
                    }

                    using var doc = JsonDocument.Parse(bytes);
                    return read(doc.RootElement);
                }

                throw new SwitchboardApiException(ReadProblem(status, response.ReasonPhrase, bytes), retryAfter) { AfterUncertainAttempt = uncertain };
            }
        }
    }

    /// <summary>True when the request provably never reached the server.</summary>
    private static bool NeverSent(HttpRequestException ex) =>
        ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError;

    private Task DelayAsync(int attempt, TimeSpan? retryAfter, CancellationToken cancellationToken)
    {
        var delay = Backoff.Jittered(attempt, options.RetryBaseDelay, options.RetryMaxDelay);
        if (retryAfter is { } ra && ra > delay)
        {
            delay = ra < MaxRetryAfter ? ra : MaxRetryAfter;
        }

        return Task.Delay(delay, options.TimeProvider, cancellationToken);
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is not { } header)
        {
            return null;
        }

        if (header.Delta is { } delta)
        {
            return delta;
        }

        return header.Date is { } date ? date - options.TimeProvider.GetUtcNow() : null;
    }

    private static SwitchboardProblem ReadProblem(int status, string? reason, byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                return WireJson.ReadProblem(doc.RootElement, status);
            }
        }
        catch (JsonException)
        {
        }

        var text = System.Text.Encoding.UTF8.GetString(body);
        return new SwitchboardProblem
        {
            Status = status,
            Code = $"http_{status}",
            Title = reason,
            Detail = $"The server answered {status} {reason}{(text.Length == 0 ? "" : ": " + (text.Length > 200 ? text[..200] : text))}",
        };
    }
}
