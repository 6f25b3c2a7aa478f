using Switchboard.Testing;
using Switchboard.Testing.Agents;

namespace Switchboard.Agents.Tests;

/// <summary>
/// A real <c>claude -p</c> says it is not interactive through the header its hooks send (docs/approvals.md, "Which calls
/// wait"): Claude Code sets <c>CLAUDE_CODE_ENTRYPOINT=sdk-cli</c> under <c>-p</c> before its hooks run, and an HTTP hook
/// may interpolate it into <c>X-Switchboard-Run</c>. Its <c>PermissionRequest</c> is then answered at once with no
/// decision: the run denies the tool by its own rules and goes on, instead of waiting <c>ApprovalWait</c> for a person;
/// a call a <c>Hold</c> rule names is still held.
/// </summary>
public sealed class ClaudeCodeHoldPolicyTests : IAsyncLifetime
{
    private AgentTestBed _bed = null!;
    private SwitchboardServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        _bed = await AgentTestBed.StartAsync("claude-policy");
        _server = await SwitchboardServer.StartAsync(o => o.Approvals.Hold = ["Bash(rm *)"]);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _bed.DisposeAsync();
    }

    private ClaudeCodeAgent Claude() => new ClaudeCodeAgent(_bed.Sandbox, _bed.Api).WithHooks(new Uri(_server.BaseAddress, "/hooks/claude-code"),
        headers: new Dictionary<string, string> { ["X-Switchboard-Run"] = "$CLAUDE_CODE_ENTRYPOINT" }, allowedEnvVars: ["CLAUDE_CODE_ENTRYPOINT"]);

    [Fact]
    public async Task APrintRunsPermissionRequestIsAnsweredAtOnceUnlessAHoldRuleNamesIt()
    {
        var written = _bed.Sandbox.WorkFile("ci.txt");
        var doomed = _bed.Sandbox.WorkFile("doomed.txt");
        File.WriteAllText(doomed, "x");
        _bed.Api.Enqueue(
            ModelTurn.CallTool("Write", new { file_path = written, content = "x" }), // needs permission: not held, so -p denies it
            ModelTurn.CallTool("Bash", new { command = "rm " + doomed, description = "delete it" }), // Bash(rm *): held for a person
            ModelTurn.Say("Done."));
        await using var run = Claude().Start();

        var pending = await SwitchboardLog.PendingApprovalAsync(_server);
        pending.GetProperty("summary").GetString().ShouldBe("Bash: rm " + doomed, "the Write before it raised no approval");
        File.Exists(doomed).ShouldBeTrue("held until the operator answers");
        File.Exists(written).ShouldBeFalse("nobody allowed it: -p denies a tool that needs permission when its hook has no decision");
        await SwitchboardLog.AnswerAsync(_server, pending, "allow", "fine");
        (await run.WaitForExitAsync()).ShouldBe(0, run.Output);

        File.Exists(doomed).ShouldBeFalse(run.Output);
        File.Exists(written).ShouldBeFalse(run.Output);
        var approvals = await SwitchboardLog.ApprovalsAsync(_server, pending.GetProperty("session_id").GetString()!);
        approvals.Select(a => a.GetProperty("summary").GetString()).ShouldBe(["Bash: rm " + doomed]);
    }
}
