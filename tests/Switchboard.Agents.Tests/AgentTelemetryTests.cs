using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Testing;
using Switchboard.Testing.Agents;

namespace Switchboard.Agents.Tests;

/// <summary>
/// Each agent's OpenTelemetry beside its hooks: which attribute carries the id the hooks send as <c>session_id</c>, and
/// where its token usage is. Claude Code and Gemini CLI export to a real Switchboard; Codex to the fake, whose OTLP/HTTP
/// JSON the test reads (docs/hooks.md, "OpenTelemetry beside the hooks").
/// </summary>
public sealed class AgentTelemetryTests : IAsyncLifetime
{
    private AgentTestBed _bed = null!;

    private AgentSandbox Sandbox => _bed.Sandbox;

    private FakeModelApi Api => _bed.Api;

    private HookRecorder Hooks => _bed.Hooks;

    public async ValueTask InitializeAsync() => _bed = await AgentTestBed.StartAsync("telemetry");

    public ValueTask DisposeAsync() => _bed.DisposeAsync();

    [Fact]
    public async Task ClaudeCodesSessionIdInItsTelemetryIsTheHooksSessionIdAndItsUsageIsCountedOnce()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var claude = new ClaudeCodeAgent(Sandbox, Api).WithHooks(Hooks.Url("claude-code")).WithTelemetry(server.BaseAddress).Allow("Write");
        Api.Enqueue(
            ModelTurn.CallTool("Write", new { file_path = Sandbox.WorkFile("a.txt"), content = "x" }, inputTokens: 1000, outputTokens: 70),
            ModelTurn.Say("All done.", inputTokens: 1200, outputTokens: 30));

        var result = await claude.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        var sessionId = (await Hooks.WaitForAsync("SessionEnd")).SessionId;
        var session = await UsageAsync(server, "otel:s:" + sessionId, input: 2200, output: 100);
        session.GetProperty("labels").GetProperty("service").GetString().ShouldBe("claude-code");
        // Events and metrics both carry the usage: whichever reaches Switchboard first is counted, the other not.
        session.GetProperty("labels").GetProperty("usage_from").GetString().ShouldBeOneOf("events", "metrics");
    }

    [Fact]
    public async Task GeminiClisSessionIdInItsTelemetryIsTheHooksSessionIdAndItsUsageIsCountedOnce()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var gemini = new GeminiCliAgent(Sandbox, Api).WithHooks(Hooks.Url("gemini-cli")).WithTelemetry(server.BaseAddress);
        Api.Enqueue(
            ModelTurn.CallTool("run_shell_command", new { command = "touch a.txt", description = "Create a file" }, inputTokens: 1000, outputTokens: 70),
            ModelTurn.Say("All done.", inputTokens: 1200, outputTokens: 30));

        var result = await gemini.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        var sessionId = (await Hooks.WaitForAsync("SessionEnd")).SessionId;
        var session = await UsageAsync(server, "otel:s:" + sessionId, input: 2200, output: 100);
        session.GetProperty("labels").GetProperty("service").GetString().ShouldBe("gemini-cli");
    }

    [Fact]
    public async Task CodexNamesItsSessionConversationIdInItsTelemetryAndReportsUsageInResponseCompletedEvents()
    {
        var codex = new CodexAgent(Sandbox, Api).WithHooks(Hooks.Url("codex")).WithTelemetry(Api.BaseAddress, protocol: "json");
        Api.Enqueue(
            ModelTurn.CallTool("exec_command", new { cmd = "touch a.txt" }, inputTokens: 1000, outputTokens: 70),
            ModelTurn.Say("All done.", inputTokens: 1200, outputTokens: 30));

        var result = await codex.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        var sessionId = (await Hooks.WaitForAsync("SessionEnd")).SessionId;
        // Its events name themselves in the event.name attribute (the record's event_name is a source location).
        var records = LogRecords(Api.Telemetry("logs")).Where(r => r.ContainsKey("event.name")).ToList();
        records.ShouldNotBeEmpty("Codex exports its logs before it exits");
        records.ShouldAllBe(r => r.GetValueOrDefault("conversation.id") == sessionId, "every event names the session by conversation.id");
        records.ShouldAllBe(r => !r.ContainsKey("session.id"), "and none by session.id");
        var completed = records.Where(r => r.GetValueOrDefault("event.name") == "codex.sse_event"
            && r.GetValueOrDefault("event.kind") == "response.completed" && r.ContainsKey("input_token_count")).ToList();
        completed.Sum(r => long.Parse(r["input_token_count"]!)).ShouldBe(2200);
        completed.Sum(r => long.Parse(r["output_token_count"]!)).ShouldBe(100);
    }

    /// <summary>Waits until the session has exactly this usage (the agent's last export lands as it exits) and returns it.</summary>
    private static async Task<JsonElement> UsageAsync(SwitchboardServer server, string id, long input, long output)
    {
        JsonElement session = default;
        await TestTimeouts.Eventually(async () =>
        {
            var response = await server.Http.GetAsync("/api/sessions/" + Uri.EscapeDataString(id));
            if (!response.IsSuccessStatusCode)
            {
                return false;
            }

            session = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            return session.GetProperty("input_tokens").GetInt64() >= input && session.GetProperty("output_tokens").GetInt64() >= output;
        }, $"{id} with {input} input and {output} output tokens", TestTimeouts.Long);
        session.GetProperty("input_tokens").GetInt64().ShouldBe(input);
        session.GetProperty("output_tokens").GetInt64().ShouldBe(output);
        return session;
    }

    /// <summary>Every OTLP/JSON log record's attributes, as strings (ints as their digits).</summary>
    private static IEnumerable<Dictionary<string, string?>> LogRecords(IEnumerable<JsonNode> exports) =>
        from export in exports
        from resource in export["resourceLogs"]!.AsArray()
        from scope in resource!["scopeLogs"]!.AsArray()
        from record in scope!["logRecords"]!.AsArray()
        select record!["attributes"]!.AsArray().ToDictionary(
            a => a!["key"]!.GetValue<string>(),
            a => a!["value"]!.AsObject().FirstOrDefault().Value?.ToString());
}
