using Switchboard.Testing;
using Switchboard.Testing.Agents;

namespace Switchboard.Agents.Tests;

/// <summary>
/// Codex 0.169.0 (npm, unmodified) in <c>codex exec</c> against the fake Responses API, with command hooks running
/// <c>curl</c>: the hooks it fires, their payloads, and which answers change what it does (docs/hooks.md).
/// </summary>
public sealed partial class CodexHookTests : IAsyncLifetime
{
    private AgentTestBed _bed = null!;
    private CodexAgent _codex = null!;

    private AgentSandbox Sandbox => _bed.Sandbox;

    private FakeModelApi Api => _bed.Api;

    private HookRecorder Hooks => _bed.Hooks;

    public async ValueTask InitializeAsync()
    {
        _bed = await AgentTestBed.StartAsync("codex");
        _codex = new CodexAgent(Sandbox, Api).WithHooks(Hooks.Url("codex"));
    }

    public ValueTask DisposeAsync() => _bed.DisposeAsync();

    [Fact]
    public async Task ARunWithOneEscalatedCommandAndOneSandboxedFiresEveryLifecycleHookWithOneSessionId()
    {
        _codex.ApproveForMe();
        Hooks.On("PermissionRequest", Decision("allow"));
        Api.Enqueue(
            ModelTurn.CallTool("exec_command", new { cmd = "touch asked.txt", sandbox_permissions = "require_escalated", justification = "Create asked.txt" }),
            ModelTurn.CallTool("exec_command", new { cmd = "touch sandboxed.txt" }),
            ModelTurn.Say("All done."));

        var result = await _codex.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(Sandbox.WorkFile("asked.txt")).ShouldBeTrue(result.Output);
        File.Exists(Sandbox.WorkFile("sandboxed.txt")).ShouldBeTrue(result.Output);
        Hooks.Events.ShouldBe(
        [
            "SessionStart", "UserPromptSubmit", "PreModelRequest", "PreToolUse", "PermissionRequest", "PostToolUse", "PreModelRequest",
            "PreToolUse", "PostToolUse", "PreModelRequest", "Stop", "SessionEnd",
        ]);
        var sessionId = Hooks.Calls[0].SessionId;
        sessionId.ShouldNotBeNullOrEmpty();
        Hooks.Calls.ShouldAllBe(c => c.SessionId == sessionId);
        Hooks.Calls.ShouldAllBe(c => c.Text("cwd") == Sandbox.WorkDirectory);
        Hooks.Calls.ShouldAllBe(c => c.Text("transcript_path")!.Contains(sessionId!));
        Hooks.Calls[0].Text("source").ShouldBe("startup");
        Hooks.Calls[0].Text("model").ShouldBe("gpt-test");
        var turnId = Hooks.Calls[1].Text("turn_id");
        turnId.ShouldNotBeNullOrEmpty();
        Hooks.Calls.Skip(1).SkipLast(1).ShouldAllBe(c => c.Text("turn_id") == turnId, "one turn: SessionStart and SessionEnd have none");
        Hooks.Calls[1].Text("prompt").ShouldBe("Do the task.");

        Hooks.Calls[2].Text("model").ShouldBe("gpt-test");
        var pre = Hooks.Calls[3];
        pre.ToolName.ShouldBe("Bash", customMessage: "exec_command reaches the hooks as Bash");
        pre.Payload["tool_input"]!["command"]!.GetValue<string>().ShouldBe("touch asked.txt");
        pre.Text("tool_use_id").ShouldStartWith("call_");
        var permission = Hooks.Calls[4];
        permission.Payload["tool_input"]!["command"]!.GetValue<string>().ShouldBe("touch asked.txt");
        permission.Payload["tool_input"]!["description"]!.GetValue<string>().ShouldBe("Create asked.txt", customMessage: "the justification");
        Hooks.Calls[5].Text("tool_use_id").ShouldBe(pre.Text("tool_use_id"));
        Hooks.Calls[10].Payload["stop_hook_active"]!.GetValue<bool>().ShouldBeFalse();
        Hooks.Calls[10].Text("last_assistant_message").ShouldBe("All done.");
        Hooks.Calls[11].Text("reason").ShouldBe("other");
        Api.Turns.Count.ShouldBe(3);
        Api.Turns[0].Header("session-id").ShouldBe(sessionId);
        Api.Requests.ShouldNotContain(r => r.Kind == ModelRequestKind.Side, "a hook's allow skips the automatic review");
    }

    [Theory]
    [InlineData("allow", true)]
    [InlineData("deny", false)]
    public async Task APermissionRequestAnswerDecidesWhetherAnEscalatedCommandRuns(string behavior, bool runs)
    {
        _codex.ApproveForMe();
        Hooks.On("PermissionRequest", async _ =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2)); // held: the agent waits for it
            return HookAnswer.Json(Decision(behavior));
        });
        Api.Enqueue(Escalated("touch asked.txt"), ModelTurn.Say("All done."));

        var result = await _codex.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(Sandbox.WorkFile("asked.txt")).ShouldBe(runs, result.Output);
        Api.Turns[1].Mentions("The operator said no.").ShouldBe(!runs, "a deny's message is the tool output the model reads");
        Api.Requests.ShouldNotContain(r => r.Kind == ModelRequestKind.Side, "a hook's decision skips the automatic review");
    }

    [Theory]
    [InlineData("allow", true)]
    [InlineData("deny", false)]
    public async Task NoDecisionLeavesAnEscalatedCommandToCodexsOwnAutomaticReview(string review, bool runs)
    {
        _codex.ApproveForMe();
        Api.GuardianOutcome = review;
        Api.Enqueue(Escalated("touch asked.txt"), ModelTurn.Say("All done."));

        var result = await _codex.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        Hooks.Events.ShouldContain("PermissionRequest");
        File.Exists(Sandbox.WorkFile("asked.txt")).ShouldBe(runs, result.Output);
        Api.Requests.Count(r => r.Kind == ModelRequestKind.Side).ShouldBeGreaterThanOrEqualTo(1, "the review is a model call");
    }

    [Fact]
    public async Task APreToolUseDenyBlocksTheCommandAndItsReasonReachesTheModel()
    {
        Hooks.On("PreToolUse", new
        {
            hookSpecificOutput = new { hookEventName = "PreToolUse", permissionDecision = "deny", permissionDecisionReason = "Denied from Switchboard." },
        });
        Api.Enqueue(ModelTurn.CallTool("exec_command", new { cmd = "touch never.txt" }), ModelTurn.Say("All done."));

        var result = await _codex.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(Sandbox.WorkFile("never.txt")).ShouldBeFalse();
        Hooks.Events.ShouldNotContain("PostToolUse");
        Api.Turns[1].Mentions("Denied from Switchboard.").ShouldBeTrue();
    }

    [Fact]
    public async Task APreToolUseAllowIsUnsupportedAndTheCommandFollowsCodexsOwnRules()
    {
        // Codex 0.169.0 refuses permissionDecision "allow" in PreToolUse (the hook counts as failed): an escalated
        // command still goes to PermissionRequest and the review, which the fake denies.
        _codex.ApproveForMe();
        Hooks.On("PreToolUse", new { hookSpecificOutput = new { hookEventName = "PreToolUse", permissionDecision = "allow" } });
        Api.Enqueue(Escalated("touch asked.txt"), ModelTurn.Say("All done."));

        var result = await _codex.RunAsync();

        result.Output.ShouldContain("hook: PreToolUse Failed");
        Hooks.Events.ShouldContain("PermissionRequest");
        File.Exists(Sandbox.WorkFile("asked.txt")).ShouldBeFalse();
    }

    private static ModelTurn Escalated(string command) =>
        ModelTurn.CallTool("exec_command", new { cmd = command, sandbox_permissions = "require_escalated", justification = "Needs to write." });

    private static object Decision(string behavior) => new
    {
        hookSpecificOutput = new { hookEventName = "PermissionRequest", decision = new { behavior, message = "The operator said no." } },
    };
}
