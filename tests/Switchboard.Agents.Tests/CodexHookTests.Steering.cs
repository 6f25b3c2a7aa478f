using Switchboard.Testing;
using Switchboard.Testing.Agents;

namespace Switchboard.Agents.Tests;

/// <summary>Codex: stopping, messages, context, timeouts and a refused endpoint.</summary>
public sealed partial class CodexHookTests
{
    [Fact]
    public async Task AStopBlockedWithAReasonMakesCodexCarryOnWithIt()
    {
        // Codex has no cap on Stop blocks: a hook that always blocks loops forever, so a message is handed over once.
        Hooks.On("Stop", call => Task.FromResult(call.Payload["stop_hook_active"]!.GetValue<bool>()
            ? HookAnswer.NoDecision
            : HookAnswer.Json(new { decision = "block", reason = "MESSAGE-FROM-OPERATOR: also write the tests." })));
        Api.Enqueue(ModelTurn.Say("Finished."), ModelTurn.Say("Tests written."));

        var result = await _codex.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        Api.Turns.Count.ShouldBe(2);
        Api.Turns[1].Mentions("MESSAGE-FROM-OPERATOR: also write the tests.").ShouldBeTrue();
        Hooks.Calls.Where(c => c.Event == "Stop").Select(s => s.Payload["stop_hook_active"]!.GetValue<bool>()).ShouldBe([false, true]);
    }

    [Fact]
    public async Task AdditionalContextFromPromptAndToolHooksReachesTheModel()
    {
        Hooks.On("UserPromptSubmit", Context("UserPromptSubmit", "MARK-PROMPT"));
        Hooks.On("PreToolUse", Context("PreToolUse", "MARK-PRE"));
        Hooks.On("PostToolUse", Context("PostToolUse", "MARK-POST"));
        Api.Enqueue(ModelTurn.CallTool("exec_command", new { cmd = "touch a.txt" }), ModelTurn.Say("All done."));

        var result = await _codex.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        Api.Turns[0].Mentions("MARK-PROMPT").ShouldBeTrue();
        Api.Turns[1].Mentions("MARK-PRE").ShouldBeTrue();
        Api.Turns[1].Mentions("MARK-POST").ShouldBeTrue();
    }

    [Fact]
    public async Task ContinueFalseAtUserPromptSubmitStopsCodexBeforeAnyModelCall()
    {
        Hooks.On("UserPromptSubmit", new { @continue = false, stopReason = "Cancelled from Switchboard." });
        Api.Enqueue(ModelTurn.CallTool("exec_command", new { cmd = "touch never.txt" }));

        var result = await _codex.RunAsync();

        Api.Turns.ShouldBeEmpty();
        File.Exists(Sandbox.WorkFile("never.txt")).ShouldBeFalse(result.Output);
    }

    [Fact]
    public async Task ContinueFalseAtPostToolUseOnlyReplacesTheToolsOutputAndCodexGoesOn()
    {
        Hooks.On("PostToolUse", new { @continue = false, stopReason = "Cancelled from Switchboard." });
        Api.Enqueue(
            ModelTurn.CallTool("exec_command", new { cmd = "touch a.txt" }),
            ModelTurn.CallTool("exec_command", new { cmd = "touch b.txt" }),
            ModelTurn.Say("All done."));

        var result = await _codex.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(Sandbox.WorkFile("b.txt")).ShouldBeTrue("the turn went on to the next command");
        Api.Turns.Count.ShouldBe(3);
        Api.Turns[1].Mentions("Cancelled from Switchboard.").ShouldBeTrue("the stop reason became the tool's output");
    }

    [Fact]
    public async Task AHookEndpointThatRefusesConnectionsLeavesCodexToItsOwnRules()
    {
        var codex = new CodexAgent(Sandbox, Api).WithHooks(new Uri($"http://127.0.0.1:{FreePort.Next()}/hooks/codex"));
        Api.Enqueue(ModelTurn.CallTool("exec_command", new { cmd = "touch a.txt" }), ModelTurn.Say("All done."));

        var result = await codex.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(Sandbox.WorkFile("a.txt")).ShouldBeTrue(result.Output);
        result.Stdout.ShouldContain("All done.");
    }

    [Fact]
    public async Task AnAnswerLaterThanTheHooksTimeoutIsIgnoredAndTheCommandRuns()
    {
        var codex = new CodexAgent(Sandbox, Api).WithHooks(Hooks.Url("codex"), timeoutSeconds: 1);
        using var late = Hooks.Hold("PreToolUse",
            new { hookSpecificOutput = new { hookEventName = "PreToolUse", permissionDecision = "deny", permissionDecisionReason = "Too late." } });
        Api.Enqueue(ModelTurn.CallTool("exec_command", new { cmd = "touch a.txt" }), ModelTurn.Say("All done."));

        var result = await codex.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(Sandbox.WorkFile("a.txt")).ShouldBeTrue(result.Output);
    }

    [Fact]
    public async Task CtrlCDuringATurnFiresInterruptThenSessionEnd()
    {
        using var held = Hooks.Hold("PreToolUse");
        Api.Enqueue(ModelTurn.CallTool("exec_command", new { cmd = "touch a.txt" }), ModelTurn.Say("All done."));

        await using var run = _codex.Start();
        await Hooks.WaitForAsync("PreToolUse");
        run.Signal(Posix.SigInt);
        var exitCode = await run.WaitForExitAsync();

        exitCode.ShouldNotBe(0, run.Output);
        var interrupt = await Hooks.WaitForAsync("Interrupt");
        interrupt.Text("turn_id").ShouldBe(Hooks.Calls.First(c => c.Event == "PreToolUse").Text("turn_id"));
        (await Hooks.WaitForAsync("SessionEnd")).Text("reason").ShouldBe("other");
        Hooks.Events.ShouldNotContain("Stop");
        Hooks.Events[^1].ShouldBe("SessionEnd");
    }

    private static object Context(string hookEvent, string text) =>
        new { hookSpecificOutput = new { hookEventName = hookEvent, additionalContext = text } };
}
