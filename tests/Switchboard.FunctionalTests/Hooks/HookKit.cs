using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.FunctionalTests.Hooks;

/// <summary>Hook events as the agents post them (docs/hooks.md, "What each agent sends"), for tests that need no real agent.</summary>
internal static class HookKit
{
    /// <summary>Posts one event to <c>/hooks/{agent}</c>; <paramref name="fields"/> are added to its <c>hook_event_name</c> and <c>session_id</c>.</summary>
    public static Task<HttpResponseMessage> PostAsync(HttpClient http, string agent, string name, string sessionId, object? fields = null)
    {
        var body = fields is null ? new JsonObject() : JsonSerializer.SerializeToNode(fields)!.AsObject();
        body["hook_event_name"] = name;
        body["session_id"] = sessionId;
        body["cwd"] ??= "/home/dev/project";
        return http.PostAsync("/hooks/" + agent, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
    }

    public static async Task<JsonElement> OkAsync(Task<HttpResponseMessage> posting)
    {
        var response = await posting;
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue(text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");
}
