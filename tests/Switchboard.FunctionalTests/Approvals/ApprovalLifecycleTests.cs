using System.Text.Json;
using Switchboard.FunctionalTests.Commands;
using Switchboard.FunctionalTests.Hooks;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Approvals;

/// <summary>
/// A held approval's life cannot lie (docs/approvals.md, "Held, and by whom"): whatever ends the request that holds the
/// agent's hook (the session's end, a cancel, the wait) ends the approval with it, on the log with its reason, and an
/// answer after that is refused instead of recorded as if it reached the agent.
/// </summary>
public sealed class ApprovalLifecycleTests
{
    private static readonly object BashInput = new { tool_name = "Bash", tool_input = new { command = "terraform destroy" } };

    [Theory]
    [InlineData(0)]
    [InlineData(30)]
    public async Task SessionEndWhileAHookIsHeldWithdrawsTheApprovalAndReleasesTheHook(int endGraceSeconds)
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Hooks.EndGrace = TimeSpan.FromSeconds(endGraceSeconds));
        using var agent = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };
        var hook = HookKit.OkAsync(HookKit.PostAsync(agent, "claude-code", "PermissionRequest", "leaver", BashInput));
        var pending = await ApprovalKit.WaitForPendingAsync(server.Http, "otel:s:leaver");

        await HookKit.OkAsync(HookKit.PostAsync(server.Http, "claude-code", "SessionEnd", "leaver", new { reason = "prompt_input_exit" }));

        (await hook.Within()).ToString().ShouldBe("{}", "the held hook is released at once, with no decision");
        var after = (await server.Http.GetJsonAsync($"/api/sessions/otel:s:leaver/approvals/{pending.Str("id")}")).Body;
        after.Str("state").ShouldBe("withdrawn");
        after.Str("reason").ShouldBe("session_ended");
        var refused = await server.Http.PostAsync($"/api/sessions/otel:s:leaver/approvals/{pending.Str("id")}", new { decision = "allow" });
        refused.ShouldBeProblem(409);
        refused.Body.Str("code").ShouldBe("approval_not_held");
        (await server.Http.EventsAsync(sessionId: "otel:s:leaver")).Count(e => e.Str("type") == "approval_withdrawn").ShouldBe(1);
    }

    [Fact]
    public async Task AnApprovalOnAPausedSessionLeavesItPausedAfterTheAnswer()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var agent = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };
        await HookKit.OkAsync(HookKit.PostAsync(agent, "claude-code", "UserPromptSubmit", "paused", new { prompt = "clean up" }));
        (await server.Http.PatchAsync("/api/sessions/otel:s:paused", new { state = "paused" })).Status.ShouldBe(200);

        var hook = HookKit.OkAsync(HookKit.PostAsync(agent, "claude-code", "PermissionRequest", "paused", BashInput));
        var pending = await ApprovalKit.WaitForPendingAsync(server.Http, "otel:s:paused");
        (await ApprovalKit.SessionAsync(server.Http, "otel:s:paused")).Str("state").ShouldBe("waiting");
        (await server.Http.PostAsync($"/api/sessions/otel:s:paused/approvals/{pending.Str("id")}", new { decision = "allow" })).Status.ShouldBe(200);

        (await hook.Within()).GetProperty("hookSpecificOutput").GetProperty("decision").Str("behavior").ShouldBe("allow");
        (await ApprovalKit.SessionAsync(server.Http, "otel:s:paused")).Str("state").ShouldBe("paused", "the pause is the operator's: only a resume ends it");
    }

    [Fact]
    public async Task HooksDoNotMoveASessionOutOfWaitingWhileAnApprovalOfItIsPending()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var agent = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };
        var hook = HookKit.OkAsync(HookKit.PostAsync(agent, "claude-code", "PermissionRequest", "busy", BashInput));
        var pending = await ApprovalKit.WaitForPendingAsync(server.Http, "otel:s:busy");

        // Another tool of the same turn runs meanwhile (parallel tool calls): the agent is heard from, the session still waits.
        await HookKit.OkAsync(HookKit.PostAsync(server.Http, "claude-code", "PreToolUse", "busy", new { tool_name = "Read", tool_input = new { file_path = "/w/a" } }));
        await HookKit.OkAsync(HookKit.PostAsync(server.Http, "claude-code", "PostToolUse", "busy", new { tool_name = "Read", tool_input = new { file_path = "/w/a" } }));
        (await ApprovalKit.SessionAsync(server.Http, "otel:s:busy")).Str("state").ShouldBe("waiting");

        (await server.Http.PostAsync($"/api/sessions/otel:s:busy/approvals/{pending.Str("id")}", new { decision = "allow" })).Status.ShouldBe(200);
        await hook.Within();
        (await ApprovalKit.SessionAsync(server.Http, "otel:s:busy")).Str("state").ShouldBe("working");
    }

    [Fact]
    public async Task ACancelReachesAHeldPermissionRequestAsADenyThatInterruptsTheRun()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var agent = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };
        var hook = HookKit.OkAsync(HookKit.PostAsync(agent, "claude-code", "PermissionRequest", "runaway", BashInput));
        var pending = await ApprovalKit.WaitForPendingAsync(server.Http, "otel:s:runaway");

        var issued = await server.Http.PostAsync("/api/sessions/otel:s:runaway/commands", new { type = "cancel", text = "wrong repo" });
        issued.Status.ShouldBe(201, issued.Body.ToString());

        var decision = (await hook.Within()).GetProperty("hookSpecificOutput").GetProperty("decision");
        decision.Str("behavior").ShouldBe("deny");
        decision.GetProperty("interrupt").GetBoolean().ShouldBeTrue();
        decision.Str("message").ShouldBe("Cancelled by the operator (Switchboard): wrong repo");
        var after = (await server.Http.GetJsonAsync($"/api/sessions/otel:s:runaway/approvals/{pending.Str("id")}")).Body;
        after.Str("state").ShouldBe("withdrawn");
        after.Str("reason").ShouldBe("cancelled");
        var command = (await server.Http.GetJsonAsync($"/api/sessions/otel:s:runaway/commands/{issued.Body.Str("id")}")).Body;
        command.Str("state").ShouldBe("acknowledged");
        command.Str("outcome").ShouldBe("done");
        (await ApprovalKit.SessionAsync(server.Http, "otel:s:runaway")).Str("state").ShouldBe("idle");
        (await server.Http.PostAsync($"/api/sessions/otel:s:runaway/approvals/{pending.Str("id")}", new { decision = "allow" })).Body.Str("code")
            .ShouldBe("approval_not_held");
    }

    [Fact]
    public async Task AFractionalApprovalWaitGivesAnExactExpiryThatTheHoldEndsAt()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Hooks.ApprovalWait = TimeSpan.FromSeconds(1.5));
        var answer = await HookKit.OkAsync(HookKit.PostAsync(server.Http, "claude-code", "PermissionRequest", "exact", BashInput));

        answer.ToString().ShouldBe("{}");
        var approval = (await server.Http.GetJsonAsync("/api/sessions/otel:s:exact/approvals")).Body.GetProperty("approvals")[0];
        (DateTimeOffset.Parse(approval.Str("expires_at")) - DateTimeOffset.Parse(approval.Str("requested_at"))).ShouldBe(TimeSpan.FromSeconds(1.5));
        approval.Str("state").ShouldBe("expired", "the hold ended at expires_at, so it ended the approval itself");
        approval.Str("reason").ShouldBe("expired");
    }

    [Fact]
    public async Task ClaudeCodesIdlePromptBringsAWorkingSessionBackToIdle()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await HookKit.OkAsync(HookKit.PostAsync(server.Http, "claude-code", "UserPromptSubmit", "esc", new { prompt = "refactor" }));
        (await ApprovalKit.SessionAsync(server.Http, "otel:s:esc")).Str("state").ShouldBe("working");

        // The user pressed Esc: no Stop; after a while at the prompt Claude Code says it is idle.
        await HookKit.OkAsync(HookKit.PostAsync(server.Http, "claude-code", "Notification", "esc",
            new { notification_type = "idle_prompt", message = "Claude is waiting for your input" }));

        (await ApprovalKit.SessionAsync(server.Http, "otel:s:esc")).Str("state").ShouldBe("idle");
    }

    [Fact]
    public async Task AHeldApprovalNamesItsHolderAndOneAskedOverTheApiHasNone()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var hook = HookKit.OkAsync(HookKit.PostAsync(server.Http, "claude-code", "PermissionRequest", "holder", BashInput));
        var held = await ApprovalKit.WaitForPendingAsync(server.Http, "otel:s:holder");
        held.Str("held_by").ShouldNotBeNullOrEmpty();
        held.GetProperty("reason").ValueKind.ShouldBe(JsonValueKind.Null);

        var asked = await server.Http.PostAsync("/api/sessions/otel:s:holder/approvals", new { summary = "Ship it?" });
        asked.Status.ShouldBe(201, asked.Body.ToString());
        asked.Body.GetProperty("held_by").ValueKind.ShouldBe(JsonValueKind.Null);
        (await server.Http.PostAsync($"/api/sessions/otel:s:holder/approvals/{held.Str("id")}", new { decision = "deny" })).Status.ShouldBe(200);
        await hook.Within();
    }
}
