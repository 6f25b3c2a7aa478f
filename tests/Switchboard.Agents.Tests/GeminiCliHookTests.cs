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
    private readonly AgentSandbox _sandbox = new("gemini");
    private FakeModelApi _api = null!;
    private HookRecorder _hooks = null!;
    private GeminiCliAgent _gemini = null!;

    public async ValueTask InitializeAsync()
    {
        _api = await FakeModelApi.StartAsync();
        _hooks = await HookRecorder.StartAsync();
        _gemini = new GeminiCliAgent(_sandbox, _api).WithHooks(_hooks.Url("gemini-cli"));
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        await _hooks.DisposeAsync();
        _sandbox.Dispose();
    }

    [Fact]
    public async Task ARunFiresEveryLifecycleHookWithOneSessionIdAndTakesContextFromThem()
    {
        _hooks.On("BeforeAgent", Context("BeforeAgent", "MARK-PROMPT"));
        _hooks.On("AfterTool", Context("AfterTool", "MARK-AFTER-TOOL"));
        _api.Enqueue(
            ModelTurn.CallTool("run_shell_command", new { command = "touch a.txt", description = "Create a file" }),
            ModelTurn.CallTool("write_file", new { file_path = "b.txt", content = "hello\n" }),
            ModelTurn.Say("All done."));

        var result = await _gemini.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        result.Stdout.ShouldContain("All done.");
        File.Exists(_sandbox.WorkFile("a.txt")).ShouldBeTrue(result.Output);
        File.Exists(_sandbox.WorkFile("b.txt")).ShouldBeTrue(result.Output);
        string[] modelCall = ["PreCompress", "BeforeModel", "BeforeToolSelection", "AfterModel"];
        _hooks.Events.ShouldBe(
        [
            "SessionStart", "BeforeAgent", .. modelCall, "BeforeTool", "AfterTool", .. modelCall, "BeforeTool", "AfterTool", .. modelCall,
            "AfterAgent", "SessionEnd",
        ]);
        var sessionId = _hooks.Calls[0].SessionId;
        sessionId.ShouldNotBeNullOrEmpty();
        _hooks.Calls.ShouldAllBe(c => c.SessionId == sessionId);
        _hooks.Calls.ShouldAllBe(c => c.Text("cwd") == _sandbox.WorkDirectory);
        _hooks.Calls.ShouldAllBe(c => c.Text("timestamp") != null);
        _hooks.Calls[0].Text("source").ShouldBe("startup");
        _hooks.Calls[1].Text("prompt").ShouldBe("Do the task.");
        var shell = _hooks.Calls.First(c => c.Event == "BeforeTool");
        shell.ToolName.ShouldBe("run_shell_command");
        shell.Payload["tool_input"]!["command"]!.GetValue<string>().ShouldBe("touch a.txt");
        var write = _hooks.Calls.Last(c => c.Event == "BeforeTool");
        write.ToolName.ShouldBe("write_file");
        write.Payload["tool_input"]!["file_path"]!.GetValue<string>().ShouldEndWith("b.txt");
        _hooks.Calls.First(c => c.Event == "AfterTool").Payload["tool_response"].ShouldNotBeNull();
        var after = _hooks.Calls.Single(c => c.Event == "AfterAgent");
        after.Text("prompt_response").ShouldBe("All done.");
        after.Payload["stop_hook_active"]!.GetValue<bool>().ShouldBeFalse();
        _hooks.Calls[^1].Text("reason").ShouldBe("exit");

        _api.Turns.Count.ShouldBe(3);
        _api.Turns[0].Mentions("MARK-PROMPT").ShouldBeTrue();
        _api.Turns[1].Mentions("MARK-AFTER-TOOL").ShouldBeTrue("AfterTool context is appended to the tool's result");
        _api.Requests.ShouldNotContain(r => r.Kind == ModelRequestKind.Side, "a named model skips the router");
    }

    [Fact]
    public async Task ABeforeToolDenyBlocksThatToolAndAnAfterAgentBlockMakesItCarryOnWithTheReason()
    {
        _hooks.On("BeforeTool", call => Task.FromResult(call.ToolName == "run_shell_command"
            ? HookAnswer.Json(new { decision = "deny", reason = "Denied from Switchboard." })
            : HookAnswer.NoDecision));
        // Gemini CLI has no cap on AfterAgent blocks, and stop_hook_active is true again only if the continuation ends
        // without a tool call: a message is handed over once, by the hook's own count.
        var delivered = 0;
        _hooks.On("AfterAgent", _ => Task.FromResult(Interlocked.Exchange(ref delivered, 1) == 0
            ? HookAnswer.Json(new { decision = "block", reason = "MESSAGE-FROM-OPERATOR: write b.txt too." })
            : HookAnswer.NoDecision));
        _api.Enqueue(
            ModelTurn.CallTool("run_shell_command", new { command = "touch never.txt", description = "Create a file" }),
            ModelTurn.Say("Finished."),
            ModelTurn.CallTool("write_file", new { file_path = "b.txt", content = "hello\n" }),
            ModelTurn.Say("Wrote b.txt."));

        var result = await _gemini.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(_sandbox.WorkFile("never.txt")).ShouldBeFalse();
        File.Exists(_sandbox.WorkFile("b.txt")).ShouldBeTrue(result.Output);
        _api.Turns[1].Mentions("Denied from Switchboard.").ShouldBeTrue();
        _api.Turns[2].Mentions("MESSAGE-FROM-OPERATOR: write b.txt too.").ShouldBeTrue();
        _api.Turns.Count.ShouldBe(4);
        _hooks.Calls.Where(c => c.Event == "AfterAgent").Select(c => c.Payload["stop_hook_active"]!.GetValue<bool>())
            .ShouldBe([false, false], "the continuation called a tool, so its end is not flagged");
    }

    [Fact]
    public async Task ContinueFalseAtBeforeToolStopsTheAgentBeforeTheTool()
    {
        _hooks.On("BeforeTool", new { @continue = false, stopReason = "Cancelled from Switchboard." });
        _api.Enqueue(
            ModelTurn.CallTool("run_shell_command", new { command = "touch never.txt", description = "Create a file" }),
            ModelTurn.Say("Should not be asked."));

        var result = await _gemini.RunAsync();

        File.Exists(_sandbox.WorkFile("never.txt")).ShouldBeFalse();
        _api.Turns.Count.ShouldBe(1, "no model call after the stop");
        result.Output.ShouldContain("Cancelled from Switchboard.");
        _hooks.Events.ShouldNotContain("AfterAgent");
        _hooks.Events[^1].ShouldBe("SessionEnd");
    }

    [Fact]
    public async Task AHookThatTimesOutOrCannotConnectLeavesTheAgentToItsOwnRules()
    {
        // Timeouts are in milliseconds here. BeforeTool is held past its 1,000 ms; every other event goes nowhere.
        var closed = new Uri($"http://127.0.0.1:{FreePort.Next()}/hooks/gemini-cli");
        var gemini = new GeminiCliAgent(_sandbox, _api).WithHooks(closed);
        var late = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _hooks.On("BeforeTool", async _ =>
        {
            await late.Task;
            return HookAnswer.Json(new { decision = "deny", reason = "Too late." });
        });
        gemini.Settings["hooks"]!["BeforeTool"] = new JsonArray(new JsonObject
        {
            ["hooks"] = new JsonArray(new JsonObject { ["type"] = "command", ["command"] = HookCommand.Curl(_hooks.Url("gemini-cli")), ["timeout"] = 1000 }),
        });
        _api.Enqueue(ModelTurn.CallTool("run_shell_command", new { command = "touch a.txt", description = "Create a file" }), ModelTurn.Say("All done."));

        var result = await gemini.RunAsync();
        late.SetResult();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(_sandbox.WorkFile("a.txt")).ShouldBeTrue(result.Output);
        result.Stdout.ShouldContain("All done.");
        (await _hooks.WaitForAsync("BeforeTool")).ToolName.ShouldBe("run_shell_command");
    }

    private static object Context(string hookEvent, string text) =>
        new { hookSpecificOutput = new { hookEventName = hookEvent, additionalContext = text } };
}
