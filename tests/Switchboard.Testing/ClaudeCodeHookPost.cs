using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.Testing;

/// <summary>
/// A Claude Code hook event posted to a server's <c>/hooks/claude-code</c> as the agent posts it, without the agent: for
/// the SDK's and the CLI's tests of approvals only a hook can ask (a question, a plan, suggestions). The session is
/// <c>otel:s:{sessionId}</c>.
/// </summary>
public static class ClaudeCodeHookPost
{
    /// <summary>The <c>AskUserQuestion</c> input of one single-choice question, as a model sends it.</summary>
    public static JsonObject Question(string question, string header, params string[] labels) => new()
    {
        ["questions"] = new JsonArray(new JsonObject
        {
            ["question"] = question,
            ["header"] = header,
            ["options"] = new JsonArray([.. labels.Select(l => (JsonNode)new JsonObject { ["label"] = l, ["description"] = "Choose " + l })]),
            ["multiSelect"] = false,
        }),
    };

    /// <summary>
    /// Posts a <c>PermissionRequest</c> for <paramref name="tool"/>; the task ends with the hook's answer, once a person has
    /// answered the approval it is held for.
    /// </summary>
    public static async Task<JsonElement> PermissionRequestAsync(Uri server, string sessionId, string tool, JsonObject input,
        JsonArray? suggestions = null, string cwd = "/work/repo")
    {
        using var http = new HttpClient { BaseAddress = server, Timeout = TestTimeouts.Long };
        var body = new JsonObject
        {
            ["session_id"] = sessionId,
            ["hook_event_name"] = "PermissionRequest",
            ["cwd"] = cwd,
            ["permission_mode"] = "default",
            ["tool_name"] = tool,
            ["tool_input"] = input.DeepClone(),
            ["permission_suggestions"] = suggestions?.DeepClone() ?? new JsonArray(),
        };
        using var response = await http.PostAsJsonAsync("hooks/claude-code", body);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
