using System.Text.Json;
using Switchboard.FunctionalTests.Commands;
using Switchboard.FunctionalTests.Hooks;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Approvals;

/// <summary>
/// A hook that asks a person (docs/approvals.md, "From the agents' hooks"), without a real agent: held until an operator
/// answers, answered in the agent's format, and let go with no decision (or a deny) when nobody answers in time.
/// </summary>
public sealed class HookApprovalTests
{
    private static readonly object WriteInput = new { tool_name = "Write", tool_input = new { file_path = "/w/secrets.env", content = "TOKEN=hunter2" } };

    [Theory]
    [InlineData("allow")]
    [InlineData("deny")]
    public async Task AClaudeCodePermissionRequestIsHeldUntilAnsweredAndAnsweredInItsFormat(string decision)
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var agent = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };
        await HookKit.OkAsync(HookKit.PostAsync(agent, "claude-code", "PreToolUse", "held", WriteInput));

        var hook = HookKit.OkAsync(HookKit.PostAsync(agent, "claude-code", "PermissionRequest", "held", WriteInput));
        var pending = await ApprovalKit.WaitForPendingAsync(server.Http, "otel:s:held");
        pending.Str("tool").ShouldBe("Write");
        pending.Str("summary").ShouldBe("Write: /w/secrets.env", "a file tool's path, never its content");
        pending.Str("requested_by").ShouldBe("hook:claude-code");
        (await ApprovalKit.SessionAsync(server.Http, "otel:s:held")).Str("state").ShouldBe("waiting");
        hook.IsCompleted.ShouldBeFalse("held until a person answers");

        (await server.Http.PostAsync($"/api/sessions/otel:s:held/approvals/{pending.Str("id")}", new { decision, note = "checked" })).Status.ShouldBe(200);

        var verdict = (await hook.Within()).GetProperty("hookSpecificOutput");
        verdict.Str("hookEventName").ShouldBe("PermissionRequest");
        verdict.GetProperty("decision").Str("behavior").ShouldBe(decision);
        if (decision == "deny")
        {
            verdict.GetProperty("decision").Str("message").ShouldBe("Denied by the operator (Switchboard): checked");
        }

        (await ApprovalKit.SessionAsync(server.Http, "otel:s:held")).Str("state").ShouldBe("working");
        var types = (await server.Http.EventsAsync(sessionId: "otel:s:held")).Select(e => e.Str("type")).ToList();
        types.ShouldBe(["session_created", "session_updated", "approval_requested", "approval_answered", "session_updated"]);
    }

    [Theory]
    [InlineData("none", "{}")]
    [InlineData("deny", "deny")]
    public async Task UnansweredWithinApprovalWaitTheApprovalExpiresAndTheHookAnswersAsConfigured(string fallback, string expected)
    {
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Hooks.ApprovalWait = TimeSpan.FromSeconds(1);
            o.Hooks.ApprovalExpired = Enum.Parse<Switchboard.Server.Hooks.Options.HookApprovalFallback>(fallback, ignoreCase: true);
        });
        var answer = await HookKit.OkAsync(HookKit.PostAsync(server.Http, "claude-code", "PermissionRequest", "alone", WriteInput));

        if (expected == "{}")
        {
            answer.ToString().ShouldBe("{}");
        }
        else
        {
            answer.GetProperty("hookSpecificOutput").GetProperty("decision").Str("behavior").ShouldBe("deny");
        }

        var approvals = (await server.Http.GetJsonAsync("/api/sessions/otel:s:alone/approvals")).Body.GetProperty("approvals");
        approvals.GetArrayLength().ShouldBe(1);
        approvals[0].Str("state").ShouldBe("expired");
        (await ApprovalKit.SessionAsync(server.Http, "otel:s:alone")).Str("state").ShouldBe("working");
    }

    [Fact]
    public async Task AHeldHookWhoseAgentGoesAwayWithdrawsItsApproval()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var agent = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };
        using var gone = new CancellationTokenSource();
        var body = HookKit.Json(JsonSerializer.Serialize(new
        {
            hook_event_name = "PermissionRequest", session_id = "quitter", cwd = "/w/p", tool_name = "Bash", tool_input = new { command = "make deploy" },
        }));
        var hook = agent.PostAsync("/hooks/claude-code", body, gone.Token);
        var pending = await ApprovalKit.WaitForPendingAsync(server.Http, "otel:s:quitter");
        pending.Str("summary").ShouldBe("Bash: make deploy");

        await gone.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => hook);
        await TestTimeouts.Eventually(async () =>
            (await server.Http.GetJsonAsync($"/api/sessions/otel:s:quitter/approvals/{pending.Str("id")}")).Body.Str("state") == "withdrawn",
            "the approval to be withdrawn");
        var late = await server.Http.PostAsync($"/api/sessions/otel:s:quitter/approvals/{pending.Str("id")}", new { decision = "allow" });
        late.ShouldBeProblem(409);
    }

    [Fact]
    public async Task ConfiguredToolsAskAtTheHookBeforeTheToolInEachAgentsFormat()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Hooks.ApprovalTools = ["Bash", "run_shell_command"]);
        using var agent = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };
        (await HookKit.OkAsync(HookKit.PostAsync(agent, "claude-code", "PreToolUse", "listed", new { tool_name = "Read", tool_input = new { file_path = "/a" } })))
            .ToString().ShouldBe("{}", "a tool not listed does not ask");

        var claude = HookKit.OkAsync(HookKit.PostAsync(agent, "claude-code", "PreToolUse", "listed", new { tool_name = "Bash", tool_input = new { command = "rm -rf /tmp/x" } }));
        var first = await ApprovalKit.WaitForPendingAsync(server.Http, "otel:s:listed");
        (await server.Http.PostAsync($"/api/sessions/otel:s:listed/approvals/{first.Str("id")}", new { decision = "deny", note = "no" })).Status.ShouldBe(200);
        var output = (await claude.Within()).GetProperty("hookSpecificOutput");
        output.Str("permissionDecision").ShouldBe("deny");
        output.Str("permissionDecisionReason").ShouldBe("Denied by the operator (Switchboard): no");

        var gemini = HookKit.OkAsync(HookKit.PostAsync(agent, "gemini-cli", "BeforeTool", "g1", new { tool_name = "run_shell_command", tool_input = new { command = "ls" } }));
        var second = await ApprovalKit.WaitForPendingAsync(server.Http, "otel:s:g1");
        (await server.Http.PostAsync($"/api/sessions/otel:s:g1/approvals/{second.Str("id")}", new { decision = "deny" })).Status.ShouldBe(200);
        var denied = await gemini.Within();
        denied.Str("decision").ShouldBe("deny");
        denied.Str("reason").ShouldBe("Denied by the operator (Switchboard).");
    }
}
