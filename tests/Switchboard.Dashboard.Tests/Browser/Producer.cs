using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Server.Live;
using Switchboard.Server.Live.Fanout;
using Switchboard.Server.Outbound;
using Switchboard.Testing;

namespace Switchboard.Dashboard.Tests.Browser;

/// <summary>
/// Drives a server the way a producer does: raw JSON over its HTTP API. Paths are relative, so a client whose
/// base address carries a prefix (an embedded Switchboard) works the same.
/// </summary>
public static class Producer
{
    public static async Task<JsonElement> SendAsync(this HttpClient http, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue($"{method} {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static Task<JsonElement> CreateAsync(this HttpClient http, string id, string? name = null,
        IReadOnlyDictionary<string, string>? labels = null, string? state = null)
    {
        var body = new JsonObject { ["id"] = id };
        if (name is not null) body["name"] = name;
        if (labels is not null) body["labels"] = JsonSerializer.SerializeToNode(labels);
        if (state is not null) body["state"] = state;
        return http.SendAsync(HttpMethod.Post, "api/sessions", body.ToJsonString());
    }

    public static Task<JsonElement> PatchAsync(this HttpClient http, string id, object changes) =>
        http.SendAsync(HttpMethod.Patch, $"api/sessions/{id}", changes);

    public static Task<JsonElement> UsageAsync(this HttpClient http, string id, long input, long output, decimal cost) =>
        http.SendAsync(HttpMethod.Post, $"api/sessions/{id}/usage", new { input_tokens = input, output_tokens = output, cost_usd = cost });

    public static Task<JsonElement> TerminateAsync(this HttpClient http, string id, string reason = "finished") =>
        http.SendAsync(HttpMethod.Post, $"api/sessions/{id}/terminate", new { reason });

    /// <summary>Many operations in one commit (<c>POST /api/batch</c>); every one must succeed.</summary>
    public static async Task BatchAsync(this HttpClient http, IEnumerable<object> operations)
    {
        var result = await http.SendAsync(HttpMethod.Post, "api/batch", new { operations = operations.ToArray() });
        foreach (var r in result.GetProperty("results").EnumerateArray())
        {
            r.GetProperty("status").GetInt32().ShouldBeLessThan(300, r.ToString());
        }
    }

    /// <summary>How many subscribers the server holds for <c>session:{id}</c>, read by the live loop.</summary>
    public static int SessionWatchers(this SwitchboardServer server, string id) =>
        server.Get<LiveHub>().ReadWatchersAsync(id).GetAwaiter().GetResult();
}
