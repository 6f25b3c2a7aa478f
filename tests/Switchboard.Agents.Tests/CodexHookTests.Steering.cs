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
        _hooks.On("Stop", call => Task.FromResult(call.Payload["stop_hook_active"]!.GetValue<bool>()
            ? HookAnswer.NoDecision
            : HookAnswer.Json(new { decision = "block", reason = "MESSAGE-FROM-OPERATOR: also write the tests." })));
        _api.Enqueue(ModelTurn.Say("Finished."), ModelTurn.Say("Tests written."));

        var result = await _codex.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        _api.Turns.Count.ShouldBe(2);
        _api.Turns[1].Mentions("MESSAGE-FROM-OPERATOR: also write the tests.").ShouldBeTrue();
        _hooks.Calls.Where(c => c.Event == "Stop").Select(s => s.Payload["stop_hook_active"]!.GetValue<bool>()).ShouldBe([false, true]);
    }

    [Fact]
    public async Task AdditionalContextFromPromptAndToolHooksReachesTheModel()
    {
        _hooks.On("UserPromptSubmit", Context("UserPromptSubmit", "MARK-PROMPT"));
        _hooks.On("PreToolUse", Context("PreToolUse", "MARK-PRE"));
        _hooks.On("PostToolUse", Context("PostToolUse", "MARK-POST"));
        _api.Enqueue(ModelTurn.CallTool("exec_command", new { cmd = "touch a.txt" }), ModelTurn.Say("All done."));

        var result = await _codex.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        _api.Turns[0].Mentions("MARK-PROMPT").ShouldBeTrue();
        _api.Turns[1].Mentions("MARK-PRE").ShouldBeTrue();
        _api.Turns[1].Mentions("MARK-POST").ShouldBeTrue();
    }

    [Fact]
    public async Task ContinueFalseAtUserPromptSubmitStopsCodexBeforeAnyModelCall()
    {
        _hooks.On("UserPromptSubmit", new { @continue = false, stopReason = "Cancelled from Switchboard." });
        _api.Enqueue(ModelTurn.CallTool("exec_command", new { cmd = "touch never.txt" }));

        var result = await _codex.RunAsync();

        _api.Turns.ShouldBeEmpty();
        File.Exists(_sandbox.WorkFile("never.txt")).ShouldBeFalse(result.Output);
    }

    [Fact]
    public async Task ContinueFalseAtPostToolUseOnlyReplacesTheToolsOutputAndCodexGoesOn()
    {
        _hooks.On("PostToolUse", new { @continue = false, stopReason = "Cancelled from Switchboard." });
        _api.Enqueue(
            ModelTurn.CallTool("exec_command", new { cmd = "touch a.txt" }),
            ModelTurn.CallTool("exec_command", new { cmd = "touch b.txt" }),
            ModelTurn.Say("All done."));

        var result = await _codex.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(_sandbox.WorkFile("b.txt")).ShouldBeTrue("the turn went on to the next command");
        _api.Turns.Count.ShouldBe(3);
        _api.Turns[1].Mentions("Cancelled from Switchboard.").ShouldBeTrue("the stop reason became the tool's output");
    }

    [Fact]
    public async Task AHookEndpointThatRefusesConnectionsLeavesCodexToItsOwnRules()
    {
        var codex = new CodexAgent(_sandbox, _api).WithHooks(new Uri($"http://127.0.0.1:{FreePort.Next()}/hooks/codex"));
        _api.Enqueue(ModelTurn.CallTool("exec_command", new { cmd = "touch a.txt" }), ModelTurn.Say("All done."));

        var result = await codex.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(_sandbox.WorkFile("a.txt")).ShouldBeTrue(result.Output);
        result.Stdout.ShouldContain("All done.");
    }

    [Fact]
    public async Task AnAnswerLaterThanTheHooksTimeoutIsIgnoredAndTheCommandRuns()
    {
        var codex = new CodexAgent(_sandbox, _api).WithHooks(_hooks.Url("codex"), timeoutSeconds: 1);
        var late = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _hooks.On("PreToolUse", async _ =>
        {
            await late.Task;
            return HookAnswer.Json(new { hookSpecificOutput = new { hookEventName = "PreToolUse", permissionDecision = "deny", permissionDecisionReason = "Too late." } });
        });
        _api.Enqueue(ModelTurn.CallTool("exec_command", new { cmd = "touch a.txt" }), ModelTurn.Say("All done."));

        var result = await codex.RunAsync();
        late.SetResult();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(_sandbox.WorkFile("a.txt")).ShouldBeTrue(result.Output);
    }

    [Fact]
    public async Task CtrlCDuringATurnFiresInterruptThenSessionEnd()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _hooks.On("PreToolUse", async _ =>
        {
            await held.Task;
            return HookAnswer.NoDecision;
        });
        _api.Enqueue(ModelTurn.CallTool("exec_command", new { cmd = "touch a.txt" }), ModelTurn.Say("All done."));

        await using var run = _codex.Start();
        await _hooks.WaitForAsync("PreToolUse");
        run.Signal(Posix.SigInt);
        var exitCode = await run.WaitForExitAsync();
        held.SetResult();

        exitCode.ShouldNotBe(0, run.Output);
        var interrupt = await _hooks.WaitForAsync("Interrupt");
        interrupt.Text("turn_id").ShouldBe(_hooks.Calls.First(c => c.Event == "PreToolUse").Text("turn_id"));
        (await _hooks.WaitForAsync("SessionEnd")).Text("reason").ShouldBe("other");
        _hooks.Events.ShouldNotContain("Stop");
        _hooks.Events[^1].ShouldBe("SessionEnd");
    }

    private static object Context(string hookEvent, string text) =>
        new { hookSpecificOutput = new { hookEventName = hookEvent, additionalContext = text } };
}
