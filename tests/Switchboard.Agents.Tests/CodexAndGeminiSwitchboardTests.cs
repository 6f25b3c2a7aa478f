using Switchboard.Testing;
using Switchboard.Testing.Agents;

namespace Switchboard.Agents.Tests;

/// <summary>
/// Codex and Gemini CLI (npm, unmodified) with their command hooks (<c>curl</c>) pointed at a real Switchboard's
/// <c>/hooks/codex</c> and <c>/hooks/gemini-cli</c>: one session per agent, its state from the hooks on the log.
/// </summary>
public sealed class CodexAndGeminiSwitchboardTests : IAsyncLifetime
{
    private AgentTestBed _bed = null!;
    private SwitchboardServer _server = null!;

    private AgentSandbox Sandbox => _bed.Sandbox;

    private FakeModelApi Api => _bed.Api;

    public async ValueTask InitializeAsync()
    {
        _bed = await AgentTestBed.StartAsync("agents-sb");
        // A permission request is held as an approval nobody answers here: let it expire soon, so the agent follows its own rules.
        _server = await SwitchboardServer.StartAsync(o => o.Hooks.ApprovalWait = TimeSpan.FromSeconds(2));
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _bed.DisposeAsync();
    }

    [Fact]
    public async Task CodexsHooksMakeOneSessionThatWorksWaitsForItsApprovalIdlesAndEndsOnTheLog()
    {
        var codex = new CodexAgent(Sandbox, Api).WithHooks(new Uri(_server.BaseAddress, "/hooks/codex")).ApproveForMe();
        Api.GuardianOutcome = "allow"; // Switchboard answers the PermissionRequest with no decision: the review decides
        Api.Enqueue(
            ModelTurn.CallTool("exec_command", new { cmd = "touch asked.txt", sandbox_permissions = "require_escalated", justification = "Create asked.txt" }),
            ModelTurn.Say("All done."));

        var result = await codex.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(Sandbox.WorkFile("asked.txt")).ShouldBeTrue(result.Output);
        var session = (await SwitchboardLog.SessionsAsync(_server)).ShouldHaveSingleItem();
        var id = session.GetProperty("id").GetString()!;
        id.ShouldStartWith("otel:s:");
        await SwitchboardLog.TerminatedAsync(_server, id);
        session.GetProperty("labels").GetProperty("service").GetString().ShouldBe("codex");
        session.GetProperty("accepts_commands").GetBoolean().ShouldBeTrue();
        (await SwitchboardLog.StatesAsync(_server, id)).ShouldBe(["idle", "working", "waiting", "working", "idle", "terminated"]);
        (await SwitchboardLog.EndReasonAsync(_server, id)).ShouldBe("other");
        (await SwitchboardLog.ActivitiesAsync(_server, id)).ShouldContain("Bash", "Codex names exec_command Bash in its hooks");
    }

    [Fact]
    public async Task GeminiClisHooksMakeOneSessionThatWorksIdlesAndEndsOnTheLog()
    {
        var gemini = new GeminiCliAgent(Sandbox, Api).WithHooks(new Uri(_server.BaseAddress, "/hooks/gemini-cli"));
        Api.Enqueue(
            ModelTurn.CallTool("run_shell_command", new { command = "touch a.txt", description = "Create a file" }),
            ModelTurn.Say("All done."));

        var result = await gemini.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(Sandbox.WorkFile("a.txt")).ShouldBeTrue(result.Output);
        var session = (await SwitchboardLog.SessionsAsync(_server)).ShouldHaveSingleItem();
        var id = session.GetProperty("id").GetString()!;
        await SwitchboardLog.TerminatedAsync(_server, id);
        session.GetProperty("labels").GetProperty("service").GetString().ShouldBe("gemini-cli");
        (await SwitchboardLog.StatesAsync(_server, id)).ShouldBe(["idle", "working", "idle", "terminated"]);
        (await SwitchboardLog.EndReasonAsync(_server, id)).ShouldBe("exit");
        (await SwitchboardLog.ActivitiesAsync(_server, id)).ShouldContain("run_shell_command");
    }

    [Fact]
    public async Task GeminiClisHooksWithTelemetryMakeOneSessionWhoseUsageIsCountedOnce()
    {
        var gemini = new GeminiCliAgent(Sandbox, Api).WithHooks(new Uri(_server.BaseAddress, "/hooks/gemini-cli")).WithTelemetry(_server.BaseAddress);
        Api.Enqueue(
            ModelTurn.CallTool("run_shell_command", new { command = "touch a.txt", description = "Create a file" }, inputTokens: 1000, outputTokens: 70),
            ModelTurn.Say("All done.", inputTokens: 1200, outputTokens: 30));

        var result = await gemini.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        var session = (await SwitchboardLog.SessionsAsync(_server)).ShouldHaveSingleItem("one agent, one session");
        var id = session.GetProperty("id").GetString()!;
        session = await SwitchboardLog.WaitForAsync(_server, id,
            s => s.GetProperty("state").GetString() == "terminated" && s.GetProperty("input_tokens").GetInt64() >= 2200, "terminated with its usage");
        session.GetProperty("input_tokens").GetInt64().ShouldBe(2200);
        session.GetProperty("output_tokens").GetInt64().ShouldBe(100);
        (await SwitchboardLog.StatesAsync(_server, id)).ShouldBe(["idle", "working", "idle", "terminated"], "telemetry never moves a hooked session's state");
    }

    [Fact]
    public async Task CodexsHooksWithTelemetryMakeOneSessionWhoseUsageIsCountedOnce()
    {
        var codex = new CodexAgent(Sandbox, Api).WithHooks(new Uri(_server.BaseAddress, "/hooks/codex")).WithTelemetry(_server.BaseAddress);
        Api.Enqueue(
            ModelTurn.CallTool("exec_command", new { cmd = "touch a.txt" }, inputTokens: 1000, outputTokens: 70),
            ModelTurn.Say("All done.", inputTokens: 1200, outputTokens: 30));

        var result = await codex.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        var session = (await SwitchboardLog.SessionsAsync(_server)).ShouldHaveSingleItem("one agent, one session: conversation.id is its session id");
        var id = session.GetProperty("id").GetString()!;
        session = await SwitchboardLog.WaitForAsync(_server, id,
            s => s.GetProperty("state").GetString() == "terminated" && s.GetProperty("input_tokens").GetInt64() >= 2200, "terminated with its usage");
        session.GetProperty("input_tokens").GetInt64().ShouldBe(2200);
        session.GetProperty("output_tokens").GetInt64().ShouldBe(100);
        session.GetProperty("accepts_commands").GetBoolean().ShouldBeTrue();
        (await SwitchboardLog.StatesAsync(_server, id)).ShouldBe(["idle", "working", "idle", "terminated"], "telemetry never moves a hooked session's state");
    }
}
