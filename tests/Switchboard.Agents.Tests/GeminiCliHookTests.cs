using System.Text.Json.Nodes;
using Switchboard.Testing;
using Switchboard.Testing.Agents;

namespace Switchboard.Agents.Tests;

/// <summary>
/// Gemini CLI 0.61.0 (npm, unmodified) in headless mode (<c>gemini -p</c>) against the fake Gemini API, with command
/// hooks running <c>curl</c>: the hooks it fires, their payloads, and which answers change what it does (docs/hooks.md).
/// Each run starts a large Node.js bundle, so each test does what it can in one run.
/// </summary>
public sealed class GeminiCliHookTests : IAsyncLifetime
{
    private AgentTestBed _bed = null!;
    private GeminiCliAgent _gemini = null!;

    private AgentSandbox Sandbox => _bed.Sandbox;

    private FakeModelApi Api => _bed.Api;

    private HookRecorder Hooks => _bed.Hooks;

    public async ValueTask InitializeAsync()
    {
        _bed = await AgentTestBed.StartAsync("gemini");
        _gemini = new GeminiCliAgent(Sandbox, Api).WithHooks(Hooks.Url("gemini-cli"));
    }

    public ValueTask DisposeAsync() => _bed.DisposeAsync();

    [Fact]
    public async Task ARunFiresEveryLifecycleHookWithOneSessionIdAndTakesContextFromThem()
    {
        Hooks.On("BeforeAgent", Context("BeforeAgent", "MARK-PROMPT"));
        Hooks.On("AfterTool", Context("AfterTool", "MARK-AFTER-TOOL"));
        Api.Enqueue(
            ModelTurn.CallTool("run_shell_command", new { command = "touch a.txt", description = "Create a file" }),
            ModelTurn.CallTool("write_file", new { file_path = "b.txt", content = "hello\n" }),
            ModelTurn.Say("All done."));

        var result = await _gemini.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        result.Stdout.ShouldContain("All done.");
        File.Exists(Sandbox.WorkFile("a.txt")).ShouldBeTrue(result.Output);
        File.Exists(Sandbox.WorkFile("b.txt")).ShouldBeTrue(result.Output);
        string[] modelCall = ["PreCompress", "BeforeModel", "BeforeToolSelection", "AfterModel"];
        Hooks.Events.ShouldBe(
        [
            "SessionStart", "BeforeAgent", .. modelCall, "BeforeTool", "AfterTool", .. modelCall, "BeforeTool", "AfterTool", .. modelCall,
            "AfterAgent", "SessionEnd",
        ]);
        var sessionId = Hooks.Calls[0].SessionId;
        sessionId.ShouldNotBeNullOrEmpty();
        Hooks.Calls.ShouldAllBe(c => c.SessionId == sessionId);
        Hooks.Calls.ShouldAllBe(c => c.Text("cwd") == Sandbox.WorkDirectory);
        Hooks.Calls.ShouldAllBe(c => c.Text("timestamp") != null);
        Hooks.Calls[0].Text("source").ShouldBe("startup");
        Hooks.Calls[1].Text("prompt").ShouldBe("Do the task.");
        var shell = Hooks.Calls.First(c => c.Event == "BeforeTool");
        shell.ToolName.ShouldBe("run_shell_command");
        shell.Payload["tool_input"]!["command"]!.GetValue<string>().ShouldBe("touch a.txt");
        var write = Hooks.Calls.Last(c => c.Event == "BeforeTool");
        write.ToolName.ShouldBe("write_file");
        write.Payload["tool_input"]!["file_path"]!.GetValue<string>().ShouldEndWith("b.txt");
        Hooks.Calls.First(c => c.Event == "AfterTool").Payload["tool_response"].ShouldNotBeNull();
        var after = Hooks.Calls.Single(c => c.Event == "AfterAgent");
        after.Text("prompt_response").ShouldBe("All done.");
        after.Payload["stop_hook_active"]!.GetValue<bool>().ShouldBeFalse();
        Hooks.Calls[^1].Text("reason").ShouldBe("exit");

        Api.Turns.Count.ShouldBe(3);
        Api.Turns[0].Mentions("MARK-PROMPT").ShouldBeTrue();
        Api.Turns[1].Mentions("MARK-AFTER-TOOL").ShouldBeTrue("AfterTool context is appended to the tool's result");
        Api.Requests.ShouldNotContain(r => r.Kind == ModelRequestKind.Side, "a named model skips the router");
    }

    [Fact]
    public async Task ABeforeToolDenyBlocksThatToolAndAnAfterAgentBlockMakesItCarryOnWithTheReason()
    {
        Hooks.On("BeforeTool", call => Task.FromResult(call.ToolName == "run_shell_command"
            ? HookAnswer.Json(new { decision = "deny", reason = "Denied from Switchboard." })
            : HookAnswer.NoDecision));
        // Gemini CLI has no cap on AfterAgent blocks, and stop_hook_active is true again only if the continuation ends
        // without a tool call: a message is handed over once, by the hook's own count.
        var delivered = 0;
        Hooks.On("AfterAgent", _ => Task.FromResult(Interlocked.Exchange(ref delivered, 1) == 0
            ? HookAnswer.Json(new { decision = "block", reason = "MESSAGE-FROM-OPERATOR: write b.txt too." })
            : HookAnswer.NoDecision));
        Api.Enqueue(
            ModelTurn.CallTool("run_shell_command", new { command = "touch never.txt", description = "Create a file" }),
            ModelTurn.Say("Finished."),
            ModelTurn.CallTool("write_file", new { file_path = "b.txt", content = "hello\n" }),
            ModelTurn.Say("Wrote b.txt."));

        var result = await _gemini.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(Sandbox.WorkFile("never.txt")).ShouldBeFalse();
        File.Exists(Sandbox.WorkFile("b.txt")).ShouldBeTrue(result.Output);
        Api.Turns[1].Mentions("Denied from Switchboard.").ShouldBeTrue();
        Api.Turns[2].Mentions("MESSAGE-FROM-OPERATOR: write b.txt too.").ShouldBeTrue();
        Api.Turns.Count.ShouldBe(4);
        Hooks.Calls.Where(c => c.Event == "AfterAgent").Select(c => c.Payload["stop_hook_active"]!.GetValue<bool>())
            .ShouldBe([false, false], "the continuation called a tool, so its end is not flagged");
    }

    [Fact]
    public async Task ContinueFalseAtBeforeToolStopsTheAgentBeforeTheTool()
    {
        Hooks.On("BeforeTool", new { @continue = false, stopReason = "Cancelled from Switchboard." });
        Api.Enqueue(
            ModelTurn.CallTool("run_shell_command", new { command = "touch never.txt", description = "Create a file" }),
            ModelTurn.Say("Should not be asked."));

        var result = await _gemini.RunAsync();

        File.Exists(Sandbox.WorkFile("never.txt")).ShouldBeFalse();
        Api.Turns.Count.ShouldBe(1, "no model call after the stop");
        result.Output.ShouldContain("Cancelled from Switchboard.");
        Hooks.Events.ShouldNotContain("AfterAgent");
        Hooks.Events[^1].ShouldBe("SessionEnd");
    }

    [Fact]
    public async Task AHookThatTimesOutOrCannotConnectLeavesTheAgentToItsOwnRules()
    {
        // Timeouts are in milliseconds here. BeforeTool is held past its 1,000 ms; every other event goes nowhere.
        var closed = new Uri($"http://127.0.0.1:{FreePort.Next()}/hooks/gemini-cli");
        var gemini = new GeminiCliAgent(Sandbox, Api).WithHooks(closed);
        using var late = Hooks.Hold("BeforeTool", new { decision = "deny", reason = "Too late." });
        gemini.Settings["hooks"]!["BeforeTool"] = new JsonArray(new JsonObject
        {
            ["hooks"] = new JsonArray(new JsonObject { ["type"] = "command", ["command"] = HookCommand.Curl(Hooks.Url("gemini-cli")), ["timeout"] = 1000 }),
        });
        Api.Enqueue(ModelTurn.CallTool("run_shell_command", new { command = "touch a.txt", description = "Create a file" }), ModelTurn.Say("All done."));

        var result = await gemini.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(Sandbox.WorkFile("a.txt")).ShouldBeTrue(result.Output);
        result.Stdout.ShouldContain("All done.");
        (await Hooks.WaitForAsync("BeforeTool")).ToolName.ShouldBe("run_shell_command");
    }

    private static object Context(string hookEvent, string text) =>
        new { hookSpecificOutput = new { hookEventName = hookEvent, additionalContext = text } };
}
