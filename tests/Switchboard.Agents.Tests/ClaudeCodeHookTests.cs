using System.Text.Json.Nodes;
using Switchboard.Testing;
using Switchboard.Testing.Agents;

namespace Switchboard.Agents.Tests;

/// <summary>
/// Claude Code 2.1.x (npm, unmodified) in <c>-p</c> mode against the fake Messages API: the hooks it fires, what their
/// payloads hold, and which answers change what it does (docs/hooks.md, "What each agent sends").
/// </summary>
public sealed partial class ClaudeCodeHookTests : IAsyncLifetime
{
    private AgentTestBed _bed = null!;
    private ClaudeCodeAgent _claude = null!;

    private AgentSandbox Sandbox => _bed.Sandbox;

    private FakeModelApi Api => _bed.Api;

    private HookRecorder Hooks => _bed.Hooks;

    public async ValueTask InitializeAsync()
    {
        _bed = await AgentTestBed.StartAsync("claude");
        _claude = new ClaudeCodeAgent(Sandbox, Api).WithHooks(Hooks.Url("claude-code"));
    }

    public ValueTask DisposeAsync() => _bed.DisposeAsync();

    [Fact]
    public async Task ARunWithOneToolNeedingPermissionAndOneAllowedFiresEveryLifecycleHookWithOneSessionId()
    {
        var asked = Sandbox.WorkFile("asked.txt");
        var allowed = Sandbox.WorkFile("allowed.txt");
        _claude.Allow("Bash(touch:*)");
        Hooks.On("PermissionRequest", Allow());
        Api.Enqueue(
            ModelTurn.CallTool("Write", new { file_path = asked, content = "hello\n" }, text: "Writing."),
            ModelTurn.CallTool("Bash", new { command = "touch allowed.txt", description = "Create a file" }),
            ModelTurn.Say("All done."));

        var result = await _claude.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(asked).ShouldBeTrue(result.Output);
        File.Exists(allowed).ShouldBeTrue(result.Output);
        Hooks.Events.ShouldBe(
        [
            "SessionStart", "UserPromptSubmit", "PreToolUse", "PermissionRequest", "PostToolUse", "PreToolUse", "PostToolUse",
            "Stop", "SessionEnd",
        ]);
        var sessionId = result.Json!["session_id"]!.GetValue<string>();
        Hooks.Calls.ShouldAllBe(c => c.SessionId == sessionId);
        Hooks.Calls.ShouldAllBe(c => c.Text("cwd") == Sandbox.WorkDirectory);
        Hooks.Calls.ShouldAllBe(c => c.Text("transcript_path")!.EndsWith(sessionId + ".jsonl"));
        Hooks.Calls[0].Text("source").ShouldBe("startup");
        Hooks.Calls[0].Path.ShouldBe("/hooks/claude-code", customMessage: "SessionStart comes from the curl command hook");
        Hooks.Calls[1].Text("prompt").ShouldBe("Do the task.");
        Hooks.Calls[1].Headers["user-agent"].ShouldStartWith("axios/", customMessage: "the other events are HTTP hooks");

        var pre = Hooks.Calls[2];
        pre.ToolName.ShouldBe("Write");
        pre.Payload["tool_input"]!["file_path"]!.GetValue<string>().ShouldBe(asked);
        pre.Text("tool_use_id").ShouldStartWith("toolu_");
        pre.Text("permission_mode").ShouldBe("default");
        Hooks.Calls[3].ToolName.ShouldBe("Write");
        Hooks.Calls[3].Payload["permission_suggestions"].ShouldBeOfType<JsonArray>();
        Hooks.Calls[4].Text("tool_use_id").ShouldBe(pre.Text("tool_use_id"));
        Hooks.Calls[4].Payload["tool_response"].ShouldNotBeNull();
        Hooks.Calls[5].Payload["tool_input"]!["command"]!.GetValue<string>().ShouldBe("touch allowed.txt");
        Hooks.Calls[7].Payload["stop_hook_active"]!.GetValue<bool>().ShouldBeFalse();
        Hooks.Calls[7].Text("last_assistant_message").ShouldBe("All done.");
        Hooks.Calls[8].Text("reason").ShouldBe("other");
        Api.Turns.Count.ShouldBe(3);
        Api.Turns[0].Header("x-claude-code-session-id").ShouldBe(sessionId);
        Api.Requests.ShouldAllBe(r => r.Kind == ModelRequestKind.Turn, "no side calls with non-essential traffic off");
    }

    [Theory]
    [InlineData("allow", true)]
    [InlineData("deny", false)]
    public async Task APermissionRequestAnswerHeldForAWhileDecidesWhetherTheToolRuns(string behavior, bool runs)
    {
        var file = Sandbox.WorkFile("asked.txt");
        Hooks.On("PermissionRequest", async _ =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2)); // an operator taking their time: the agent waits
            return HookAnswer.Json(new
            {
                hookSpecificOutput = new { hookEventName = "PermissionRequest", decision = new { behavior, message = "The operator said no." } },
            });
        });
        Api.Enqueue(ModelTurn.CallTool("Write", new { file_path = file, content = "hello\n" }), ModelTurn.Say("All done."));

        var result = await _claude.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(file).ShouldBe(runs, result.Output);
        Api.Turns.Count.ShouldBe(2);
        Api.Turns[1].Mentions("The operator said no.").ShouldBe(!runs, "a deny's message is the tool result the model reads");
    }

    [Theory]
    [InlineData("allow", true)]
    [InlineData("deny", false)]
    public async Task APreToolUseDecisionAllowsOrDeniesWithoutAPermissionRequest(string decision, bool runs)
    {
        var file = Sandbox.WorkFile("asked.txt");
        Hooks.On("PreToolUse", new
        {
            hookSpecificOutput = new { hookEventName = "PreToolUse", permissionDecision = decision, permissionDecisionReason = "Decided by the operator." },
        });
        Api.Enqueue(ModelTurn.CallTool("Write", new { file_path = file, content = "hello\n" }), ModelTurn.Say("All done."));

        var result = await _claude.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(file).ShouldBe(runs, result.Output);
        Hooks.Events.ShouldNotContain("PermissionRequest");
        Api.Turns[1].Mentions("Decided by the operator.").ShouldBe(!runs);
    }

    [Fact]
    public async Task NoDecisionLeavesTheToolToClaudeCodesOwnRulesWhichInPrintModeDeny()
    {
        var file = Sandbox.WorkFile("asked.txt");
        Api.Enqueue(ModelTurn.CallTool("Write", new { file_path = file, content = "hello\n" }), ModelTurn.Say("All done."));

        var result = await _claude.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(file).ShouldBeFalse();
        Hooks.Events.ShouldContain("PermissionRequest");
        result.Json!["permission_denials"]!.AsArray().Single()!["tool_name"]!.GetValue<string>().ShouldBe("Write");
    }

    [Fact]
    public async Task ContinueFalseWithADenyAtPreToolUseStopsTheAgentBeforeTheTool()
    {
        var file = Sandbox.WorkFile("never.txt");
        _claude.Allow("Write");
        Hooks.On("PreToolUse", new
        {
            @continue = false,
            stopReason = "Cancelled from Switchboard.",
            hookSpecificOutput = new { hookEventName = "PreToolUse", permissionDecision = "deny", permissionDecisionReason = "Cancelled." },
        });
        Api.Enqueue(ModelTurn.CallTool("Write", new { file_path = file, content = "x" }), ModelTurn.Say("Should not be asked."));

        var result = await _claude.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(file).ShouldBeFalse();
        result.Json!["terminal_reason"]!.GetValue<string>().ShouldBe("hook_stopped");
        Api.Turns.Count.ShouldBe(1, "no model call after the stop");
        Hooks.Events.ShouldBe(["SessionStart", "UserPromptSubmit", "PreToolUse", "SessionEnd"], "a stopped run fires no Stop");
    }

    [Fact]
    public async Task ContinueFalseAloneAtPreToolUseStillRunsThatToolThenStops()
    {
        var file = Sandbox.WorkFile("ran.txt");
        _claude.Allow("Write");
        Hooks.On("PreToolUse", new { @continue = false, stopReason = "Cancelled from Switchboard." });
        Api.Enqueue(ModelTurn.CallTool("Write", new { file_path = file, content = "x" }), ModelTurn.Say("Should not be asked."));

        var result = await _claude.RunAsync();

        File.Exists(file).ShouldBeTrue("continue: false does not stop the tool it answers");
        result.Json!["terminal_reason"]!.GetValue<string>().ShouldBe("hook_stopped");
        Api.Turns.Count.ShouldBe(1);
    }

    [Fact]
    public async Task AdditionalContextFromPromptAndToolHooksReachesTheModel()
    {
        _claude.Allow("Write");
        Hooks.On("UserPromptSubmit", Context("UserPromptSubmit", "MARK-PROMPT"));
        Hooks.On("PreToolUse", Context("PreToolUse", "MARK-PRE"));
        Hooks.On("PostToolUse", Context("PostToolUse", "MARK-POST"));
        Api.Enqueue(ModelTurn.CallTool("Write", new { file_path = Sandbox.WorkFile("a.txt"), content = "x" }), ModelTurn.Say("All done."));

        var result = await _claude.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        Api.Turns[0].Mentions("MARK-PROMPT").ShouldBeTrue();
        Api.Turns[1].Mentions("MARK-PRE").ShouldBeTrue();
        Api.Turns[1].Mentions("MARK-POST").ShouldBeTrue();
    }

    [Fact]
    public async Task AStopBlockedWithAReasonMakesTheAgentCarryOnWithIt()
    {
        // Claude Code asks Stop again after the next turn with stop_hook_active: true; blocking it forever loops (up to
        // CLAUDE_CODE_STOP_HOOK_BLOCK_CAP, 8), so a message is handed over once.
        Hooks.On("Stop", call => Task.FromResult(call.Payload["stop_hook_active"]!.GetValue<bool>()
            ? HookAnswer.NoDecision
            : HookAnswer.Json(new { decision = "block", reason = "MESSAGE-FROM-OPERATOR: also write the tests." })));
        Api.Enqueue(ModelTurn.Say("Finished."), ModelTurn.Say("Tests written."));

        var result = await _claude.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        Api.Turns.Count.ShouldBe(2);
        Api.Turns[1].Mentions("MESSAGE-FROM-OPERATOR: also write the tests.").ShouldBeTrue();
        result.Json!["result"]!.GetValue<string>().ShouldBe("Tests written.");
        var stops = Hooks.Calls.Where(c => c.Event == "Stop").ToList();
        stops.Select(s => s.Payload["stop_hook_active"]!.GetValue<bool>()).ShouldBe([false, true]);
    }

    private static object Allow() => new { hookSpecificOutput = new { hookEventName = "PermissionRequest", decision = new { behavior = "allow" } } };

    private static object Context(string hookEvent, string text) =>
        new { hookSpecificOutput = new { hookEventName = hookEvent, additionalContext = text } };
}
