using System.Net.Http.Headers;
using System.Text;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.DurableStreams;

/// <summary>A response of the Durable Streams protocol: status, body and headers.</summary>
internal sealed record StreamReply(int Status, string Body, HttpResponseMessage Response)
{
    /// <summary>A response or content header's value, or null.</summary>
    public string? Header(string name) =>
        Response.Headers.TryGetValues(name, out var values) || Response.Content.Headers.TryGetValues(name, out values) ? string.Join(", ", values) : null;
}

/// <summary>Requests to <c>/v1/stream/{path}</c> with the protocol's headers.</summary>
internal static class StreamHttp
{
    public static Task<StreamReply> PutAsync(this HttpClient http, string path, string? body = null, string? contentType = "text/plain",
        params (string Name, string Value)[] headers) => SendAsync(http, HttpMethod.Put, path, body, contentType, headers);

    public static Task<StreamReply> AppendAsync(this HttpClient http, string path, string? body, string? contentType = "text/plain",
        params (string Name, string Value)[] headers) => SendAsync(http, HttpMethod.Post, path, body, contentType, headers);

    public static Task<StreamReply> ReadAsync(this HttpClient http, string path, string query = "", params (string Name, string Value)[] headers) =>
        SendAsync(http, HttpMethod.Get, path + query, null, null, headers);

    public static Task<StreamReply> HeadAsync(this HttpClient http, string path) => SendAsync(http, HttpMethod.Head, path, null, null, []);

    public static Task<StreamReply> DeleteStreamAsync(this HttpClient http, string path) => SendAsync(http, HttpMethod.Delete, path, null, null, []);

    public static async Task<StreamReply> SendAsync(HttpClient http, HttpMethod method, string path, string? body, string? contentType,
        (string Name, string Value)[] headers, TimeSpan? timeout = null)
    {
        using var request = new HttpRequestMessage(method, "/v1/stream/" + path);
        if (body is not null || (contentType is not null && method == HttpMethod.Put))
        {
            // A create names its content type even without a body.
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body ?? ""));
            if (contentType is not null)
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }
        }

        foreach (var (name, value) in headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        var response = await http.SendAsync(request).WaitAsync(timeout ?? TestTimeouts.Default);
        return new StreamReply((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }
}
