using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Testing;

namespace Switchboard.Dashboard.Tests.Browser;

/// <summary>
/// A Claude Code <c>PermissionRequest</c> as the agent's HTTP hook sends it: posted to <c>/hooks/claude-code</c> with the
/// agent's key and held on its own request until a person answers; <see cref="DecisionAsync"/> is what the agent reads.
/// </summary>
internal sealed class HeldHook : IDisposable
{
    private readonly HttpClient _agent;
    private readonly Task<HttpResponseMessage> _response;

    private HeldHook(HttpClient agent, Task<HttpResponseMessage> response)
    {
        _agent = agent;
        _response = response;
    }

    /// <summary>The session the hook reports, as the server names it.</summary>
    public static string SessionOf(string agentSessionId) => "otel:s:" + agentSessionId;

    /// <param name="fields">More of the payload: <c>permission_suggestions</c>, <c>agent_id</c>, <c>agent_type</c>.</param>
    public static HeldHook Ask(SwitchboardServer server, string agentKey, string sessionId, string tool, object input,
        string cwd = "/home/dev/shop", object? fields = null)
    {
        var body = fields is null ? new JsonObject() : JsonSerializer.SerializeToNode(fields)!.AsObject();
        body["hook_event_name"] = "PermissionRequest";
        body["session_id"] = sessionId;
        body["cwd"] = cwd;
        body["permission_mode"] = "default";
        body["tool_name"] = tool;
        body["tool_input"] = JsonSerializer.SerializeToNode(input);
        var agent = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };
        agent.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", agentKey);
        agent.DefaultRequestHeaders.Add("X-Switchboard-Run", "interactive"); // a person's own session: held (docs/approvals.md)
        return new HeldHook(agent, agent.PostAsync("/hooks/claude-code", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json")));
    }

    public bool IsAnswered => _response.IsCompleted;

    /// <summary>The hook's answer to the agent: <c>hookSpecificOutput.decision</c>.</summary>
    public async Task<JsonElement> DecisionAsync()
    {
        using var response = await _response.WaitAsync(TestTimeouts.Long);
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue(text);
        using var json = JsonDocument.Parse(text);
        json.RootElement.TryGetProperty("hookSpecificOutput", out var output).ShouldBeTrue($"the hook answered without a decision: {text}");
        return output.GetProperty("decision").Clone();
    }

    public void Dispose() => _agent.Dispose();
}
