using System.Text;
using System.Text.Json;

namespace Switchboard.FunctionalTests.Streaming;

/// <summary>Long-poll requests as phoenix.js sends them (serializer 2.0.0, NDJSON posts).</summary>
internal static class LongPollKit
{
    /// <summary>
    /// A long-poll GET (poll, or connect without <paramref name="token"/>) or POST of <paramref name="body"/>; checks the
    /// 200 and returns the JSON answer.
    /// </summary>
    public static async Task<JsonElement> LongPollAsync(this HttpClient http, HttpMethod method, string token = "", string? body = null,
        CancellationToken cancellation = default)
    {
        using var request = new HttpRequestMessage(method, "/socket/longpoll?vsn=2.0.0" + (token.Length > 0 ? "&token=" + Uri.EscapeDataString(token) : ""));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/x-ndjson");
        }

        using var response = await http.SendAsync(request, cancellation);
        ((int)response.StatusCode).ShouldBe(200);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellation)).RootElement.Clone();
    }
}
