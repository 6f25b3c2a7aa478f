using Switchboard.Testing;
using Switchboard.Testing.Agents;

namespace Switchboard.Agents.Tests;

/// <summary>
/// Commands reach an unmodified Codex and Gemini CLI through the answers to their command hooks, in each one's own
/// format (docs/hooks.md, "Commands through hook answers").
/// </summary>
public sealed class CodexAndGeminiSteeringTests : IAsyncLifetime
{
    private AgentTestBed _bed = null!;
    private SwitchboardServer _server = null!;

    private AgentSandbox Sandbox => _bed.Sandbox;

    private FakeModelApi Api => _bed.Api;

    public async ValueTask InitializeAsync()
    {
        _bed = await AgentTestBed.StartAsync("agents-steer");
        _server = await SwitchboardServer.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _bed.DisposeAsync();
    }

    [Fact]
    public async Task ACancelDeniesCodexsNextToolAndTellsTheModelWhy()
    {
        var codex = new CodexAgent(Sandbox, Api).WithHooks(new Uri(_server.BaseAddress, "/hooks/codex"));
        var thinking = new TaskCompletionSource();
        Api.Enqueue(
            ModelTurn.CallTool("exec_command", new { cmd = "touch a.txt" }).After(thinking.Task),
            ModelTurn.Say("Stopping."));
        await using var run = codex.Start();

        var id = await SwitchboardLog.WorkingSessionAsync(_server);
        var cancel = await SwitchboardLog.IssueAsync(_server, id, new { type = "cancel", text = "wrong branch" });
        thinking.SetResult();
        (await run.WaitForExitAsync()).ShouldBe(0, run.Output);

        File.Exists(Sandbox.WorkFile("a.txt")).ShouldBeFalse(run.Output);
        Api.Turns[1].Mentions("Cancelled by the operator (Switchboard): wrong branch").ShouldBeTrue("Codex cannot be stopped mid-turn: the model reads why its tool was denied");
        (await SwitchboardLog.AcknowledgedAsync(_server, id, cancel)).GetProperty("outcome").GetString().ShouldBe("done");
    }

    [Fact]
    public async Task AMessageReachesCodexsModelInItsNextRequest()
    {
        var codex = new CodexAgent(Sandbox, Api).WithHooks(new Uri(_server.BaseAddress, "/hooks/codex"));
        var thinking = new TaskCompletionSource();
        Api.Enqueue(
            ModelTurn.CallTool("exec_command", new { cmd = "touch a.txt" }).After(thinking.Task),
            ModelTurn.Say("All done."));
        await using var run = codex.Start();

        var id = await SwitchboardLog.WorkingSessionAsync(_server);
        var message = await SwitchboardLog.IssueAsync(_server, id, new { type = "message", text = "Use tabs, not spaces." });
        thinking.SetResult();
        (await run.WaitForExitAsync()).ShouldBe(0, run.Output);

        File.Exists(Sandbox.WorkFile("a.txt")).ShouldBeTrue(run.Output);
        Api.Turns[1].Mentions("Use tabs, not spaces.").ShouldBeTrue();
        (await SwitchboardLog.AcknowledgedAsync(_server, id, message)).GetProperty("outcome").GetString().ShouldBe("done");
    }

    [Fact]
    public async Task ACancelStopsGeminiCliBeforeItsNextToolAndAMessageReachesItsModel()
    {
        var gemini = new GeminiCliAgent(Sandbox, Api).WithHooks(new Uri(_server.BaseAddress, "/hooks/gemini-cli"));
        var thinking = new TaskCompletionSource();
        var again = new TaskCompletionSource();
        Api.Enqueue(
            ModelTurn.CallTool("run_shell_command", new { command = "touch a.txt", description = "Create a file" }).After(thinking.Task),
            ModelTurn.CallTool("run_shell_command", new { command = "touch b.txt", description = "Create a file" }).After(again.Task),
            ModelTurn.Say("All done."));
        await using var run = gemini.Start();

        var id = await SwitchboardLog.WorkingSessionAsync(_server);
        var message = await SwitchboardLog.IssueAsync(_server, id, new { type = "message", text = "Use tabs, not spaces." });
        thinking.SetResult();
        await Api.WaitForTurnAsync(2);
        Api.Turns[1].Mentions("Use tabs, not spaces.").ShouldBeTrue("handed over at AfterTool, appended to the tool's result");
        (await SwitchboardLog.AcknowledgedAsync(_server, id, message)).GetProperty("note").GetString()!.ShouldContain("AfterTool");

        var cancel = await SwitchboardLog.IssueAsync(_server, id, new { type = "cancel" });
        again.SetResult();
        await run.WaitForExitAsync();

        File.Exists(Sandbox.WorkFile("a.txt")).ShouldBeTrue(run.Output);
        File.Exists(Sandbox.WorkFile("b.txt")).ShouldBeFalse(run.Output);
        Api.Turns.Count.ShouldBe(2, "no model call after the cancel");
        (await SwitchboardLog.AcknowledgedAsync(_server, id, cancel)).GetProperty("note").GetString()!.ShouldContain("BeforeTool");
    }
}
