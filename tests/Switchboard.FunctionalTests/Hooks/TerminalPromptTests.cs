using Switchboard.FunctionalTests.Approvals;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Hooks;

/// <summary>
/// A prompt in Claude Code's terminal (docs/approvals.md, "Claude Code in a terminal"), without a real agent: with none
/// of the session's approvals pending nobody can answer it here, so the activity says where it asks; while one is
/// pending (its hook held) the approval is the answer and the notification leaves the activity alone.
/// </summary>
public sealed class TerminalPromptTests
{
    private static readonly object WriteInput = new { tool_name = "Write", tool_input = new { file_path = "/home/dev/project/a.txt", content = "x" } };

    [Fact]
    public async Task APromptNoPendingApprovalCanAnswerSaysWhereItAsksAndOneWhileAnApprovalIsPendingLeavesTheTool()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var agent = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };
        agent.DefaultRequestHeaders.Add("X-Switchboard-Host", "devbox-7"); // as the installed command hooks send `uname -n`
        await HookKit.OkAsync(HookKit.PostAsync(agent, "claude-code", "SessionStart", "t", new { source = "startup" }));
        (await ApprovalKit.SessionAsync(server.Http, "otel:s:t")).GetProperty("labels").Str("host").ShouldBe("devbox-7");
        await HookKit.OkAsync(HookKit.PostAsync(agent, "claude-code", "PreToolUse", "t", WriteInput));

        var hook = HookKit.OkAsync(HookKit.PostAsync(agent, "claude-code", "PermissionRequest", "t", WriteInput));
        var pending = await ApprovalKit.WaitForPendingAsync(server.Http, "otel:s:t");
        await HookKit.OkAsync(HookKit.PostAsync(agent, "claude-code", "Notification", "t", new { notification_type = "permission_prompt", message = "Claude needs your permission" }));
        var held = await ApprovalKit.SessionAsync(server.Http, "otel:s:t");
        held.Str("state").ShouldBe("waiting");
        held.Str("activity").ShouldBe("Write", "the held approval is what a person answers");

        (await server.Http.PostAsync($"/api/sessions/otel:s:t/approvals/{pending.Str("id")}", new { decision = "deny" })).Status.ShouldBe(200);
        await hook.Within();
        await HookKit.OkAsync(HookKit.PostAsync(agent, "claude-code", "Notification", "t", new { notification_type = "agent_needs_input", message = "needs your choice" }));
        var asks = await ApprovalKit.SessionAsync(server.Http, "otel:s:t");
        asks.Str("state").ShouldBe("waiting");
        asks.Str("activity").ShouldBe("Asks in its terminal on devbox-7 in /home/dev/project");

        // A session whose hooks name no host: only the folder is said.
        await HookKit.OkAsync(HookKit.PostAsync(server.Http, "claude-code", "Notification", "u", new { notification_type = "permission_prompt" }));
        (await ApprovalKit.SessionAsync(server.Http, "otel:s:u")).Str("activity").ShouldBe("Asks in its terminal in /home/dev/project");
    }
}
