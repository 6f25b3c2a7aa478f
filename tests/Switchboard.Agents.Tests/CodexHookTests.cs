using Switchboard.Testing;
using Switchboard.Testing.Agents;

namespace Switchboard.Agents.Tests;

/// <summary>
/// Codex 0.169.0 (npm, unmodified) in <c>codex exec</c> against the fake Responses API, with command hooks running
/// <c>curl</c>: the hooks it fires, their payloads, and which answers change what it does (docs/hooks.md).
/// </summary>
public sealed partial class CodexHookTests : IAsyncLifetime
{
    private readonly AgentSandbox _sandbox = new("codex");
    private FakeModelApi _api = null!;
    private HookRecorder _hooks = null!;
    private CodexAgent _codex = null!;

    public async ValueTask InitializeAsync()
    {
        _api = await FakeModelApi.StartAsync();
        _hooks = await HookRecorder.StartAsync();
        _codex = new CodexAgent(_sandbox, _api).WithHooks(_hooks.Url("codex"));
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        await _hooks.DisposeAsync();
        _sandbox.Dispose();
    }

    [Fact]
    public async Task ARunWithOneEscalatedCommandAndOneSandboxedFiresEveryLifecycleHookWithOneSessionId()
    {
        _codex.ApproveForMe();
        _hooks.On("PermissionRequest", Decision("allow"));
        _api.Enqueue(
            ModelTurn.CallTool("exec_command", new { cmd = "touch asked.txt", sandbox_permissions = "require_escalated", justification = "Create asked.txt" }),
            ModelTurn.CallTool("exec_command", new { cmd = "touch sandboxed.txt" }),
            ModelTurn.Say("All done."));

        var result = await _codex.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(_sandbox.WorkFile("asked.txt")).ShouldBeTrue(result.Output);
        File.Exists(_sandbox.WorkFile("sandboxed.txt")).ShouldBeTrue(result.Output);
        _hooks.Events.ShouldBe(
        [
            "SessionStart", "UserPromptSubmit", "PreModelRequest", "PreToolUse", "PermissionRequest", "PostToolUse", "PreModelRequest",
            "PreToolUse", "PostToolUse", "PreModelRequest", "Stop", "SessionEnd",
        ]);
        var sessionId = _hooks.Calls[0].SessionId;
        sessionId.ShouldNotBeNullOrEmpty();
        _hooks.Calls.ShouldAllBe(c => c.SessionId == sessionId);
        _hooks.Calls.ShouldAllBe(c => c.Text("cwd") == _sandbox.WorkDirectory);
        _hooks.Calls.ShouldAllBe(c => c.Text("transcript_path")!.Contains(sessionId!));
        _hooks.Calls[0].Text("source").ShouldBe("startup");
        _hooks.Calls[0].Text("model").ShouldBe("gpt-test");
        var turnId = _hooks.Calls[1].Text("turn_id");
        turnId.ShouldNotBeNullOrEmpty();
        _hooks.Calls.Skip(1).SkipLast(1).ShouldAllBe(c => c.Text("turn_id") == turnId, "one turn: SessionStart and SessionEnd have none");
        _hooks.Calls[1].Text("prompt").ShouldBe("Do the task.");

        _hooks.Calls[2].Text("model").ShouldBe("gpt-test");
        var pre = _hooks.Calls[3];
        pre.ToolName.ShouldBe("Bash", customMessage: "exec_command reaches the hooks as Bash");
        pre.Payload["tool_input"]!["command"]!.GetValue<string>().ShouldBe("touch asked.txt");
        pre.Text("tool_use_id").ShouldStartWith("call_");
        var permission = _hooks.Calls[4];
        permission.Payload["tool_input"]!["command"]!.GetValue<string>().ShouldBe("touch asked.txt");
        permission.Payload["tool_input"]!["description"]!.GetValue<string>().ShouldBe("Create asked.txt", customMessage: "the justification");
        _hooks.Calls[5].Text("tool_use_id").ShouldBe(pre.Text("tool_use_id"));
        _hooks.Calls[10].Payload["stop_hook_active"]!.GetValue<bool>().ShouldBeFalse();
        _hooks.Calls[10].Text("last_assistant_message").ShouldBe("All done.");
        _hooks.Calls[11].Text("reason").ShouldBe("other");
        _api.Turns.Count.ShouldBe(3);
        _api.Turns[0].Header("session-id").ShouldBe(sessionId);
        _api.Requests.ShouldNotContain(r => r.Kind == ModelRequestKind.Side, "a hook's allow skips the automatic review");
    }

    [Theory]
    [InlineData("allow", true)]
    [InlineData("deny", false)]
    public async Task APermissionRequestAnswerDecidesWhetherAnEscalatedCommandRuns(string behavior, bool runs)
    {
        _codex.ApproveForMe();
        _hooks.On("PermissionRequest", async _ =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2)); // held: the agent waits for it
            return HookAnswer.Json(Decision(behavior));
        });
        _api.Enqueue(Escalated("touch asked.txt"), ModelTurn.Say("All done."));

        var result = await _codex.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(_sandbox.WorkFile("asked.txt")).ShouldBe(runs, result.Output);
        _api.Turns[1].Mentions("The operator said no.").ShouldBe(!runs, "a deny's message is the tool output the model reads");
        _api.Requests.ShouldNotContain(r => r.Kind == ModelRequestKind.Side, "a hook's decision skips the automatic review");
    }

    [Theory]
    [InlineData("allow", true)]
    [InlineData("deny", false)]
    public async Task NoDecisionLeavesAnEscalatedCommandToCodexsOwnAutomaticReview(string review, bool runs)
    {
        _codex.ApproveForMe();
        _api.GuardianOutcome = review;
        _api.Enqueue(Escalated("touch asked.txt"), ModelTurn.Say("All done."));

        var result = await _codex.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        _hooks.Events.ShouldContain("PermissionRequest");
        File.Exists(_sandbox.WorkFile("asked.txt")).ShouldBe(runs, result.Output);
        _api.Requests.Count(r => r.Kind == ModelRequestKind.Side).ShouldBeGreaterThanOrEqualTo(1, "the review is a model call");
    }

    [Fact]
    public async Task APreToolUseDenyBlocksTheCommandAndItsReasonReachesTheModel()
    {
        _hooks.On("PreToolUse", new
        {
            hookSpecificOutput = new { hookEventName = "PreToolUse", permissionDecision = "deny", permissionDecisionReason = "Denied from Switchboard." },
        });
        _api.Enqueue(ModelTurn.CallTool("exec_command", new { cmd = "touch never.txt" }), ModelTurn.Say("All done."));

        var result = await _codex.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(_sandbox.WorkFile("never.txt")).ShouldBeFalse();
        _hooks.Events.ShouldNotContain("PostToolUse");
        _api.Turns[1].Mentions("Denied from Switchboard.").ShouldBeTrue();
    }

    [Fact]
    public async Task APreToolUseAllowIsUnsupportedAndTheCommandFollowsCodexsOwnRules()
    {
        // Codex 0.169.0 refuses permissionDecision "allow" in PreToolUse (the hook counts as failed): an escalated
        // command still goes to PermissionRequest and the review, which the fake denies.
        _codex.ApproveForMe();
        _hooks.On("PreToolUse", new { hookSpecificOutput = new { hookEventName = "PreToolUse", permissionDecision = "allow" } });
        _api.Enqueue(Escalated("touch asked.txt"), ModelTurn.Say("All done."));

        var result = await _codex.RunAsync();

        result.Output.ShouldContain("hook: PreToolUse Failed");
        _hooks.Events.ShouldContain("PermissionRequest");
        File.Exists(_sandbox.WorkFile("asked.txt")).ShouldBeFalse();
    }

    private static ModelTurn Escalated(string command) =>
        ModelTurn.CallTool("exec_command", new { cmd = command, sandbox_permissions = "require_escalated", justification = "Needs to write." });

    private static object Decision(string behavior) => new
    {
        hookSpecificOutput = new { hookEventName = "PermissionRequest", decision = new { behavior, message = "The operator said no." } },
    };
}
