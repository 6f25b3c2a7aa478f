using System.Text.Json;
using Switchboard.Testing;
using Switchboard.Testing.Agents;

namespace Switchboard.Agents.Tests;

/// <summary>
/// Commands reach an unmodified Claude Code through the answers to its hooks (docs/hooks.md, "Commands through hook
/// answers"): issued while its model is thinking (the fake holds its answer), handed over at the next hook, and
/// acknowledged <c>done</c> on its behalf.
/// </summary>
public sealed class ClaudeCodeSteeringTests : IAsyncLifetime
{
    private AgentTestBed _bed = null!;
    private SwitchboardServer _server = null!;
    private ClaudeCodeAgent _claude = null!;

    private AgentSandbox Sandbox => _bed.Sandbox;

    private FakeModelApi Api => _bed.Api;

    public async ValueTask InitializeAsync()
    {
        _bed = await AgentTestBed.StartAsync("claude-steer");
        _server = await SwitchboardServer.StartAsync();
        _claude = new ClaudeCodeAgent(Sandbox, Api).WithHooks(new Uri(_server.BaseAddress, "/hooks/claude-code")).Allow("Bash(touch:*)");
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _bed.DisposeAsync();
    }

    [Fact]
    public async Task ACancelIssuedDuringARunStopsTheAgentBeforeItsNextTool()
    {
        var thinking = new TaskCompletionSource();
        Api.Enqueue(
            ModelTurn.CallTool("Bash", new { command = "touch a.txt", description = "Create a file" }).After(thinking.Task),
            ModelTurn.Say("All done."));
        await using var run = _claude.Start();

        var id = await WorkingSessionAsync();
        var command = await IssueAsync(id, new { type = "cancel", text = "wrong branch" });
        thinking.SetResult();
        await run.WaitForExitAsync();

        File.Exists(Sandbox.WorkFile("a.txt")).ShouldBeFalse(run.Output);
        Api.Turns.Count.ShouldBe(1, "no model call after the cancel");
        run.Stdout.ShouldContain("\"terminal_reason\":\"hook_stopped\"");
        var acknowledged = await AcknowledgedAsync(id, command);
        acknowledged.GetProperty("outcome").GetString().ShouldBe("done");
        acknowledged.GetProperty("note").GetString()!.ShouldContain("PreToolUse");
        await SwitchboardLog.TerminatedAsync(_server, id);
    }

    [Fact]
    public async Task AMessageReachesTheModelInItsNextRequestAndAtTheEndOfATurnMakesItCarryOn()
    {
        var thinking = new TaskCompletionSource();
        var finishing = new TaskCompletionSource();
        Api.Enqueue(
            ModelTurn.CallTool("Bash", new { command = "touch a.txt", description = "Create a file" }).After(thinking.Task),
            ModelTurn.Say("Done.").After(finishing.Task),
            ModelTurn.Say("Carried on."));
        await using var run = _claude.Start();

        var id = await WorkingSessionAsync();
        var first = await IssueAsync(id, new { type = "message", text = "Use tabs, not spaces." });
        thinking.SetResult();
        await Api.WaitForTurnAsync(2);
        Api.Turns[1].Mentions("Use tabs, not spaces.").ShouldBeTrue("handed over at PreToolUse as additionalContext");
        (await AcknowledgedAsync(id, first)).GetProperty("outcome").GetString().ShouldBe("done");

        var second = await IssueAsync(id, new { type = "message", text = "Also update the changelog." });
        finishing.SetResult();
        await run.WaitForExitAsync();

        Api.Turns.Count.ShouldBe(3, run.Output);
        Api.Turns[2].Mentions("Also update the changelog.").ShouldBeTrue("handed over at Stop as the reason to carry on");
        (await AcknowledgedAsync(id, second)).GetProperty("note").GetString()!.ShouldContain("Stop");
    }

    [Fact]
    public async Task APauseHoldsTheAgentBeforeItsNextToolUntilAResume()
    {
        var thinking = new TaskCompletionSource();
        Api.Enqueue(
            ModelTurn.CallTool("Bash", new { command = "touch a.txt", description = "Create a file" }).After(thinking.Task),
            ModelTurn.Say("All done."));
        await using var run = _claude.Start();

        var id = await WorkingSessionAsync();
        await IssueAsync(id, new { type = "pause" });
        thinking.SetResult();
        await SwitchboardLog.WaitForAsync(_server, id, s => s.GetProperty("state").GetString() == "paused", "paused at its next tool");
        File.Exists(Sandbox.WorkFile("a.txt")).ShouldBeFalse("the tool waits while the session is paused");

        var resume = await IssueAsync(id, new { type = "resume" });
        await run.WaitForExitAsync();

        File.Exists(Sandbox.WorkFile("a.txt")).ShouldBeTrue(run.Output);
        (await AcknowledgedAsync(id, resume)).GetProperty("outcome").GetString().ShouldBe("done");
        await SwitchboardLog.TerminatedAsync(_server, id);
        (await SwitchboardLog.StatesAsync(_server, id)).ShouldBe(["idle", "working", "paused", "working", "idle", "terminated"]);
    }

    private Task<string> WorkingSessionAsync() => SwitchboardLog.WorkingSessionAsync(_server);

    private Task<string> IssueAsync(string id, object command) => SwitchboardLog.IssueAsync(_server, id, command);

    private Task<JsonElement> AcknowledgedAsync(string id, string commandId) => SwitchboardLog.AcknowledgedAsync(_server, id, commandId);
}
