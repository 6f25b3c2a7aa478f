using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Switchboard.Server.Slack;

/// <summary>What a call to Slack's Web API answered: <c>ok</c> with the message's channel and <c>ts</c>, or why not, or 429's wait.</summary>
internal sealed record SlackReply(bool Ok, string? Channel = null, string? Ts = null, string? Error = null, TimeSpan? RetryAfter = null);

/// <summary>
/// Slack's Web API, the two methods the app calls (<c>chat.postMessage</c>, <c>chat.update</c>), as JSON with the bot
/// token as bearer. Slack answers 200 with <c>{"ok": false, "error": …}</c> for most failures and 429 with
/// <c>Retry-After</c> when rate limited; both are replies here, not exceptions.
/// </summary>
internal sealed class SlackApi(HttpClient http, Uri baseUrl, string token)
{
    private readonly Uri _base = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");

    public async Task<SlackReply> CallAsync(string method, byte[] json, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_base, method)) { Content = new ByteArrayContent(json) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            using var response = await http.SendAsync(request, ct);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                return new SlackReply(false, Error: "rate limited", RetryAfter: wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait);
            }

            if (!response.IsSuccessStatusCode)
            {
                return new SlackReply(false, Error: $"HTTP {(int)response.StatusCode}");
            }

            using var doc = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
            var root = doc.RootElement;
            return root.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True
                ? new SlackReply(true, Text(root, "channel"), Text(root, "ts"))
                : new SlackReply(false, Error: Text(root, "error") ?? "ok is not true");
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException || (ex is TaskCanceledException && !ct.IsCancellationRequested))
        {
            return new SlackReply(false, Error: ex is TaskCanceledException ? "timed out" : ex.Message);
        }
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
}
