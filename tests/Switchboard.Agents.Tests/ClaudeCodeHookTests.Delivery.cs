using Switchboard.Testing;
using Switchboard.Testing.Agents;

namespace Switchboard.Agents.Tests;

/// <summary>How Claude Code reaches a hook endpoint: its headers, its timeout, a refused connection, and sub-agents.</summary>
public sealed partial class ClaudeCodeHookTests
{
    [Fact]
    public async Task AHookEndpointThatRefusesConnectionsLeavesTheAgentToItsOwnRules()
    {
        var file = Sandbox.WorkFile("a.txt");
        var closed = new Uri($"http://127.0.0.1:{FreePort.Next()}/hooks/claude-code");
        var claude = new ClaudeCodeAgent(Sandbox, Api).WithHooks(closed).Allow("Write");
        Api.Enqueue(ModelTurn.CallTool("Write", new { file_path = file, content = "x" }), ModelTurn.Say("All done."));

        var result = await claude.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(file).ShouldBeTrue(result.Output);
        result.Json!["result"]!.GetValue<string>().ShouldBe("All done.");
    }

    [Fact]
    public async Task AnAnswerLaterThanTheHooksTimeoutIsIgnoredAndTheToolRuns()
    {
        var file = Sandbox.WorkFile("a.txt");
        var claude = new ClaudeCodeAgent(Sandbox, Api).WithHooks(Hooks.Url("claude-code"), timeoutSeconds: 1).Allow("Write");
        using var late = Hooks.Hold("PreToolUse",
            new { hookSpecificOutput = new { hookEventName = "PreToolUse", permissionDecision = "deny", permissionDecisionReason = "Too late." } });
        Api.Enqueue(ModelTurn.CallTool("Write", new { file_path = file, content = "x" }), ModelTurn.Say("All done."));

        var result = await claude.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(file).ShouldBeTrue(result.Output);
        Hooks.Events.ShouldContain("PostToolUse");
    }

    [Fact]
    public async Task SigtermWhileAHookIsHeldStillSendsSessionEnd()
    {
        using var held = Hooks.Hold("PreToolUse");
        Api.Enqueue(ModelTurn.CallTool("Write", new { file_path = Sandbox.WorkFile("a.txt"), content = "x" }), ModelTurn.Say("All done."));

        await using var run = _claude.Start();
        await Hooks.WaitForAsync("PreToolUse");
        run.Signal(Posix.SigTerm);
        await run.WaitForExitAsync();

        (await Hooks.WaitForAsync("SessionEnd")).Text("reason").ShouldBe("other");
        Hooks.Events.ShouldNotContain("Stop");
    }

    [Fact]
    public async Task HeadersInterpolateOnlyTheEnvironmentVariablesTheHookAllows()
    {
        var claude = new ClaudeCodeAgent(Sandbox, Api).WithHooks(Hooks.Url("claude-code"),
            headers: new Dictionary<string, string> { ["Authorization"] = "Bearer $SWITCHBOARD_API_KEY", ["X-Other"] = "[$OTHER_SECRET]" },
            allowedEnvVars: ["SWITCHBOARD_API_KEY"]);
        claude.Environment["SWITCHBOARD_API_KEY"] = "sbk_test_123";
        claude.Environment["OTHER_SECRET"] = "do-not-send";
        Api.Enqueue(ModelTurn.Say("Hi."));

        var result = await claude.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        var prompt = await Hooks.WaitForAsync("UserPromptSubmit");
        prompt.Headers["authorization"].ShouldBe("Bearer sbk_test_123");
        prompt.Headers["x-other"].ShouldBe("[]", customMessage: "a variable not in allowedEnvVars reads as empty");
    }

    [Fact]
    public async Task ASubAgentStartedByTheAgentToolFiresSubagentStartAndStopWithItsAgentId()
    {
        Api.Enqueue(
            ModelTurn.CallTool("Agent", new { description = "Look around", prompt = "Say hello.", subagent_type = "general-purpose", run_in_background = false }),
            ModelTurn.Say("All done."));
        Api.EnqueueSubAgent(ModelTurn.Say("Hello from the sub-agent."));

        var result = await _claude.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        var start = await Hooks.WaitForAsync("SubagentStart");
        var stop = await Hooks.WaitForAsync("SubagentStop");
        var agentId = start.Text("agent_id");
        agentId.ShouldNotBeNullOrEmpty();
        start.Text("agent_type").ShouldBe("general-purpose");
        start.SessionId.ShouldBe(result.Json!["session_id"]!.GetValue<string>(), customMessage: "a sub-agent reports under its parent's session");
        stop.Text("agent_id").ShouldBe(agentId);
        stop.Text("agent_type").ShouldBe("general-purpose");
        stop.Text("last_assistant_message").ShouldBe("Hello from the sub-agent.");
        stop.Text("agent_transcript_path").ShouldEndWith($"agent-{agentId}.jsonl");
        Api.SubAgentTurns.ShouldAllBe(t => t.SubAgent == agentId);
        Api.SubAgentTurns.Count.ShouldBe(1);
        var events = Hooks.Events.ToList();
        events.IndexOf("SubagentStart").ShouldBeLessThan(events.IndexOf("SubagentStop"));
        events[^1].ShouldBe("SessionEnd");
    }
}
