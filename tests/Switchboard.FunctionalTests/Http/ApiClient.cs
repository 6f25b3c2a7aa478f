using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Http;

/// <summary>Small helpers for driving the HTTP API with raw JSON, as any producer would.</summary>
internal static class ApiClient
{
    public static async Task<(int Status, JsonElement Body, HttpResponseMessage Response)> SendAsync(this HttpClient http, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return ((int)response.StatusCode, body, response);
    }

    public static Task<(int Status, JsonElement Body, HttpResponseMessage Response)> PostAsync(this HttpClient http, string path, object? body = null) =>
        http.SendAsync(HttpMethod.Post, path, body is null ? null : body as string ?? JsonSerializer.Serialize(body));

    public static Task<(int Status, JsonElement Body, HttpResponseMessage Response)> PatchAsync(this HttpClient http, string path, object body) =>
        http.SendAsync(HttpMethod.Patch, path, body as string ?? JsonSerializer.Serialize(body));

    public static Task<(int Status, JsonElement Body, HttpResponseMessage Response)> GetJsonAsync(this HttpClient http, string path) =>
        http.SendAsync(HttpMethod.Get, path);

    /// <summary>Creates a session and asserts 201.</summary>
    public static async Task<JsonElement> CreateAsync(this HttpClient http, string id, object? extra = null)
    {
        var body = extra is null ? new JsonObject() : JsonSerializer.SerializeToNode(extra)!.AsObject();
        body["id"] = id;
        var (status, json, _) = await http.PostAsync("/api/sessions", body.ToJsonString());
        status.ShouldBe(201, json.ToString());
        return json;
    }

    /// <summary>
    /// Waits until the node's live view has applied <paramref name="seq"/> (its summary's <c>as_of_seq</c>). A write is
    /// acknowledged once committed and applied live a moment later, so a resume joined after this replays everything up
    /// to <paramref name="seq"/>; one joined sooner may get some of it live instead (the same events, split differently).
    /// </summary>
    public static Task CaughtUpAsync(this HttpClient node, long seq) => TestTimeouts.Eventually(async () =>
    {
        using var response = await node.GetAsync("/api/summary");
        if (!response.IsSuccessStatusCode)
        {
            return false; // a node still starting, or one that is down for a while in a multi-node test
        }

        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("as_of_seq").GetInt64() >= seq;
    }, $"the node to apply seq {seq}", TestTimeouts.Long);

    public static async Task<List<JsonElement>> EventsAsync(this HttpClient http, long since = 0, string? sessionId = null)
    {
        var all = new List<JsonElement>();
        while (true)
        {
            var (status, body, _) = await http.GetJsonAsync($"/api/events?since={since}&limit=1000" + (sessionId is null ? "" : "&session_id=" + sessionId));
            status.ShouldBe(200, body.ToString());
            var page = body.GetProperty("events").EnumerateArray().ToList();
            all.AddRange(page);
            if (!body.GetProperty("has_more").GetBoolean())
            {
                return all;
            }

            since = body.GetProperty("next_since").GetInt64();
        }
    }

    public static string Str(this JsonElement e, string name) => e.GetProperty(name).GetString()!;

    public static long Long(this JsonElement e, string name) => e.GetProperty(name).GetInt64();

    /// <summary>Asserts an RFC 9457 problem with the given status and field.</summary>
    public static void ShouldBeProblem(this (int Status, JsonElement Body, HttpResponseMessage Response) r, int status, string? field = null)
    {
        r.Status.ShouldBe(status, r.Body.ToString());
        r.Response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        r.Body.Long("status").ShouldBe(status);
        r.Body.Str("detail").Length.ShouldBeGreaterThan(10);
        r.Body.Str("type").ShouldStartWith("urn:switchboard:problem:");
        if (field is not null)
        {
            r.Body.Str("field").ShouldBe(field);
        }
    }
}
