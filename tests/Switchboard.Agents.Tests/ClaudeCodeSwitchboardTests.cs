using System.Text.Json;
using Switchboard.Testing;
using Switchboard.Testing.Agents;

namespace Switchboard.Agents.Tests;

/// <summary>
/// Claude Code (npm, unmodified) with its hooks pointed at a real Switchboard's <c>/hooks/claude-code</c>: one session per
/// agent (<c>otel:s:{session_id}</c>), its state from the hooks on the log, its sub-agents as children (docs/hooks.md).
/// </summary>
public sealed class ClaudeCodeSwitchboardTests : IAsyncLifetime
{
    private AgentTestBed _bed = null!;
    private SwitchboardServer _server = null!;

    private AgentSandbox Sandbox => _bed.Sandbox;

    private FakeModelApi Api => _bed.Api;

    public async ValueTask InitializeAsync()
    {
        _bed = await AgentTestBed.StartAsync("claude-sb");
        _server = await SwitchboardServer.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _bed.DisposeAsync();
    }

    private Uri HookUrl => new(_server.BaseAddress, "/hooks/claude-code");

    [Fact]
    public async Task HooksAloneMakeOneSessionThatWorksWaitsWorksIdlesAndEndsOnTheLog()
    {
        var claude = new ClaudeCodeAgent(Sandbox, Api).WithHooks(HookUrl).Allow("Bash(touch:*)");
        Api.Enqueue(
            ModelTurn.CallTool("Write", new { file_path = Sandbox.WorkFile("asked.txt"), content = "x" }), // needs permission: waiting
            ModelTurn.CallTool("Bash", new { command = "touch allowed.txt", description = "Create a file" }),
            ModelTurn.Say("All done."));

        var result = await claude.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        var id = "otel:s:" + result.Json!["session_id"]!.GetValue<string>();
        var session = await SwitchboardLog.TerminatedAsync(_server, id);
        session.GetProperty("accepts_commands").GetBoolean().ShouldBeTrue();
        session.GetProperty("labels").GetProperty("source").GetString().ShouldBe("hooks");
        session.GetProperty("labels").GetProperty("service").GetString().ShouldBe("claude-code");
        session.GetProperty("name").GetString().ShouldBe("claude-code in " + Path.GetFileName(Sandbox.WorkDirectory));
        (await SwitchboardLog.StatesAsync(_server, id)).ShouldBe(["idle", "working", "waiting", "working", "idle", "terminated"]);
        (await SwitchboardLog.EndReasonAsync(_server, id)).ShouldBe("other");
        // Switchboard answered the PermissionRequest with no decision: in -p the Write was denied, the Bash ran.
        File.Exists(Sandbox.WorkFile("asked.txt")).ShouldBeFalse();
        File.Exists(Sandbox.WorkFile("allowed.txt")).ShouldBeTrue();
        // Created without one, the tool's name while it runs (Switchboard:Hooks:Activity=tool; a denied tool has no
        // PostToolUse, so the next tool replaces it), cleared after a tool, and none on the final session.
        (await SwitchboardLog.ActivitiesAsync(_server, id)).ShouldBe([null, "Write", "Bash", null, null]);
        (await SwitchboardLog.SessionsAsync(_server)).Count.ShouldBe(1, "one agent, one session");
    }

    [Fact]
    public async Task HooksWithTelemetryMakeOneSessionWhoseStateTheHooksSayAndWhoseUsageIsCountedOnce()
    {
        var claude = new ClaudeCodeAgent(Sandbox, Api).WithHooks(HookUrl).WithTelemetry(_server.BaseAddress).Allow("Bash(touch:*)");
        Api.Enqueue(
            ModelTurn.CallTool("Write", new { file_path = Sandbox.WorkFile("asked.txt"), content = "x" }, inputTokens: 1000, outputTokens: 70),
            ModelTurn.CallTool("Bash", new { command = "touch allowed.txt", description = "Create a file" }, inputTokens: 1100, outputTokens: 20),
            ModelTurn.Say("All done.", inputTokens: 1200, outputTokens: 30));

        var result = await claude.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        var id = "otel:s:" + result.Json!["session_id"]!.GetValue<string>();
        var session = await SwitchboardLog.WaitForAsync(_server, id,
            s => s.GetProperty("state").GetString() == "terminated" && s.GetProperty("input_tokens").GetInt64() >= 3300 && s.GetProperty("output_tokens").GetInt64() >= 120,
            "terminated with its usage");
        session.GetProperty("input_tokens").GetInt64().ShouldBe(3300);
        session.GetProperty("output_tokens").GetInt64().ShouldBe(120);
        session.GetProperty("accepts_commands").GetBoolean().ShouldBeTrue();
        (await SwitchboardLog.StatesAsync(_server, id)).Distinct().ShouldBe(["idle", "working", "waiting", "terminated"], ignoreOrder: true);
        var states = await SwitchboardLog.StatesAsync(_server, id);
        states.ShouldBe(["idle", "working", "waiting", "working", "idle", "terminated"], "telemetry adds usage and never moves a hooked session's state");
        (await SwitchboardLog.SessionsAsync(_server)).Count.ShouldBe(1, "one agent, one session, whichever reported first");
    }
}
