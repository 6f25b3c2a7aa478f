using Switchboard.Testing;
using Switchboard.Testing.Agents;

namespace Switchboard.Agents.Tests;

/// <summary>How Claude Code reaches a hook endpoint: its headers, its timeout, a refused connection, and sub-agents.</summary>
public sealed partial class ClaudeCodeHookTests
{
    [Fact]
    public async Task AHookEndpointThatRefusesConnectionsLeavesTheAgentToItsOwnRules()
    {
        var file = _sandbox.WorkFile("a.txt");
        var closed = new Uri($"http://127.0.0.1:{FreePort.Next()}/hooks/claude-code");
        var claude = new ClaudeCodeAgent(_sandbox, _api).WithHooks(closed).Allow("Write");
        _api.Enqueue(ModelTurn.CallTool("Write", new { file_path = file, content = "x" }), ModelTurn.Say("All done."));

        var result = await claude.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(file).ShouldBeTrue(result.Output);
        result.Json!["result"]!.GetValue<string>().ShouldBe("All done.");
    }

    [Fact]
    public async Task AnAnswerLaterThanTheHooksTimeoutIsIgnoredAndTheToolRuns()
    {
        var file = _sandbox.WorkFile("a.txt");
        var claude = new ClaudeCodeAgent(_sandbox, _api).WithHooks(_hooks.Url("claude-code"), timeoutSeconds: 1).Allow("Write");
        var late = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _hooks.On("PreToolUse", async _ =>
        {
            await late.Task; // held until the agent has moved on
            return HookAnswer.Json(new { hookSpecificOutput = new { hookEventName = "PreToolUse", permissionDecision = "deny", permissionDecisionReason = "Too late." } });
        });
        _api.Enqueue(ModelTurn.CallTool("Write", new { file_path = file, content = "x" }), ModelTurn.Say("All done."));

        var result = await claude.RunAsync();
        late.SetResult();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(file).ShouldBeTrue(result.Output);
        _hooks.Events.ShouldContain("PostToolUse");
    }

    [Fact]
    public async Task SigtermWhileAHookIsHeldStillSendsSessionEnd()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _hooks.On("PreToolUse", async _ =>
        {
            await held.Task;
            return HookAnswer.NoDecision;
        });
        _api.Enqueue(ModelTurn.CallTool("Write", new { file_path = _sandbox.WorkFile("a.txt"), content = "x" }), ModelTurn.Say("All done."));

        await using var run = _claude.Start();
        await _hooks.WaitForAsync("PreToolUse");
        run.Signal(Posix.SigTerm);
        await run.WaitForExitAsync();
        held.SetResult();

        (await _hooks.WaitForAsync("SessionEnd")).Text("reason").ShouldBe("other");
        _hooks.Events.ShouldNotContain("Stop");
    }

    [Fact]
    public async Task HeadersInterpolateOnlyTheEnvironmentVariablesTheHookAllows()
    {
        var claude = new ClaudeCodeAgent(_sandbox, _api).WithHooks(_hooks.Url("claude-code"),
            headers: new Dictionary<string, string> { ["Authorization"] = "Bearer $SWITCHBOARD_API_KEY", ["X-Other"] = "[$OTHER_SECRET]" },
            allowedEnvVars: ["SWITCHBOARD_API_KEY"]);
        claude.Environment["SWITCHBOARD_API_KEY"] = "sbk_test_123";
        claude.Environment["OTHER_SECRET"] = "do-not-send";
        _api.Enqueue(ModelTurn.Say("Hi."));

        var result = await claude.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        var prompt = await _hooks.WaitForAsync("UserPromptSubmit");
        prompt.Headers["authorization"].ShouldBe("Bearer sbk_test_123");
        prompt.Headers["x-other"].ShouldBe("[]", customMessage: "a variable not in allowedEnvVars reads as empty");
    }

    [Fact]
    public async Task ASubAgentStartedByTheAgentToolFiresSubagentStartAndStopWithItsAgentId()
    {
        _api.Enqueue(
            ModelTurn.CallTool("Agent", new { description = "Look around", prompt = "Say hello.", subagent_type = "general-purpose", run_in_background = false }),
            ModelTurn.Say("All done."));
        _api.EnqueueSubAgent(ModelTurn.Say("Hello from the sub-agent."));

        var result = await _claude.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        var start = await _hooks.WaitForAsync("SubagentStart");
        var stop = await _hooks.WaitForAsync("SubagentStop");
        var agentId = start.Text("agent_id");
        agentId.ShouldNotBeNullOrEmpty();
        start.Text("agent_type").ShouldBe("general-purpose");
        start.SessionId.ShouldBe(result.Json!["session_id"]!.GetValue<string>(), customMessage: "a sub-agent reports under its parent's session");
        stop.Text("agent_id").ShouldBe(agentId);
        stop.Text("agent_type").ShouldBe("general-purpose");
        stop.Text("last_assistant_message").ShouldBe("Hello from the sub-agent.");
        stop.Text("agent_transcript_path").ShouldEndWith($"agent-{agentId}.jsonl");
        _api.SubAgentTurns.ShouldAllBe(t => t.SubAgent == agentId);
        _api.SubAgentTurns.Count.ShouldBe(1);
        var events = _hooks.Events.ToList();
        events.IndexOf("SubagentStart").ShouldBeLessThan(events.IndexOf("SubagentStop"));
        events[^1].ShouldBe("SessionEnd");
    }
}
