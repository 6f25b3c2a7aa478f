using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.Testing;
using Switchboard.Testing.Agents;

namespace Switchboard.Agents.Tests;

/// <summary>
/// A real Claude Code's held <c>PermissionRequest</c> when something other than an answer ends the hold
/// (docs/approvals.md, "Held, and by whom"): Switchboard stopping gracefully withdraws the approval before it lets the
/// agent go, and an answer after the restart is refused; a <c>cancel</c> reaches the held request and aborts the run.
/// </summary>
public sealed class ClaudeCodeApprovalLifecycleTests : IAsyncLifetime
{
    private AgentTestBed _bed = null!;

    private AgentSandbox Sandbox => _bed.Sandbox;

    private FakeModelApi Api => _bed.Api;

    public async ValueTask InitializeAsync() => _bed = await AgentTestBed.StartAsync("claude-approval-life");

    public async ValueTask DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task AGracefulRestartWhileTheHookIsHeldWithdrawsTheApprovalAndTheAnswerAfterItIsRefused()
    {
        using var data = new TempDirectory();
        var target = Sandbox.WorkFile("restart.txt");
        var server = await SwitchboardServer.StartAsync(dataDirectory: data.Path);
        string sessionId, approvalId;
        try
        {
            var claude = new ClaudeCodeAgent(Sandbox, Api).WithHooks(new Uri(server.BaseAddress, "/hooks/claude-code"));
            Api.Enqueue(ModelTurn.CallTool("Write", new { file_path = target, content = "x" }), ModelTurn.Say("Stopped."));
            await using var run = claude.Start();
            var pending = await SwitchboardLog.HeldApprovalAsync(server, "Write", "Write: " + target);
            sessionId = pending.GetProperty("session_id").GetString()!;
            approvalId = pending.GetProperty("id").GetString()!;

            await server.DisposeAsync(); // a graceful stop: the held hook is answered with no decision, so -p denies the tool
            await run.WaitForExitAsync();
            File.Exists(target).ShouldBeFalse(run.Output);
        }
        finally
        {
            await server.DisposeAsync();
        }

        await using var restarted = await SwitchboardServer.StartAsync(dataDirectory: data.Path);
        var approval = (await SwitchboardLog.ApprovalsAsync(restarted, sessionId)).Single();
        approval.GetProperty("state").GetString().ShouldBe("withdrawn");
        approval.GetProperty("reason").GetString().ShouldBe("node_stopping");
        var answer = await restarted.Http.PostAsJsonAsync($"/api/sessions/{Uri.EscapeDataString(sessionId)}/approvals/{approvalId}", new { decision = "allow" });
        answer.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString().ShouldBe("approval_not_held");
        (await SwitchboardLog.TypesAsync(restarted, sessionId)).ShouldNotContain("approval_answered");
    }

    [Fact]
    public async Task ACancelReachesTheHeldPermissionRequestAndAbortsTheRun()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var target = Sandbox.WorkFile("cancelled.txt");
        var claude = new ClaudeCodeAgent(Sandbox, Api).WithHooks(new Uri(server.BaseAddress, "/hooks/claude-code"));
        Api.Enqueue(ModelTurn.CallTool("Write", new { file_path = target, content = "x" }), ModelTurn.Say("Should not be asked."));
        await using var run = claude.Start();
        var pending = await SwitchboardLog.HeldApprovalAsync(server, "Write", "Write: " + target);
        var sessionId = pending.GetProperty("session_id").GetString()!;

        var command = await SwitchboardLog.IssueAsync(server, sessionId, new { type = "cancel", text = "wrong branch" });

        (await run.WaitForExitAsync()).ShouldNotBe(0, "deny with interrupt aborts the run: " + run.Output);
        File.Exists(target).ShouldBeFalse();
        Api.Turns.Count.ShouldBe(1, "the model is not asked again after the interrupt");
        (await SwitchboardLog.AcknowledgedAsync(server, sessionId, command)).GetProperty("outcome").GetString().ShouldBe("done");
        var approval = (await SwitchboardLog.ApprovalsAsync(server, sessionId)).Single();
        approval.GetProperty("state").GetString().ShouldBe("withdrawn");
        approval.GetProperty("reason").GetString().ShouldBe("cancelled");
    }
}
