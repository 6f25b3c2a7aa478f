using Switchboard.Testing;
using Switchboard.Testing.Agents;

namespace Switchboard.Agents.Tests;

/// <summary>
/// An unmodified Claude Code asks a person through Switchboard (docs/approvals.md): its <c>PermissionRequest</c> hook is
/// held as an approval until an operator answers over the API; allow runs the tool, deny does not and the model reads why.
/// </summary>
public sealed class ClaudeCodeApprovalTests : IAsyncLifetime
{
    private AgentTestBed _bed = null!;
    private SwitchboardServer _server = null!;

    private AgentSandbox Sandbox => _bed.Sandbox;

    private FakeModelApi Api => _bed.Api;

    public async ValueTask InitializeAsync()
    {
        _bed = await AgentTestBed.StartAsync("claude-approve");
        _server = await SwitchboardServer.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _bed.DisposeAsync();
    }

    [Theory]
    [InlineData("allow", true)]
    [InlineData("deny", false)]
    public async Task APermissionRequestBecomesAnApprovalAndTheOperatorsAnswerDecidesWhetherTheToolRuns(string decision, bool runs)
    {
        var claude = new ClaudeCodeAgent(Sandbox, Api).WithHooks(new Uri(_server.BaseAddress, "/hooks/claude-code"));
        Api.Enqueue(
            ModelTurn.CallTool("Write", new { file_path = Sandbox.WorkFile("approved.txt"), content = "x" }), // needs permission
            ModelTurn.Say("All done."));
        await using var run = claude.Start();

        var pending = await SwitchboardLog.HeldApprovalAsync(_server, "Write", "Write: " + Sandbox.WorkFile("approved.txt"));
        var id = pending.GetProperty("session_id").GetString()!;
        File.Exists(Sandbox.WorkFile("approved.txt")).ShouldBeFalse("held until the operator answers");

        await SwitchboardLog.AnswerAsync(_server, pending, decision, "checked by ops");
        await run.WaitForExitAsync();

        File.Exists(Sandbox.WorkFile("approved.txt")).ShouldBe(runs, run.Output);
        if (!runs)
        {
            await Api.WaitForTurnAsync(2);
            Api.Turns[1].Mentions("Denied by the operator (Switchboard): checked by ops").ShouldBeTrue("the model reads why as the tool's result");
        }

        await SwitchboardLog.TerminatedAsync(_server, id);
        (await SwitchboardLog.StatesAsync(_server, id)).ShouldBe(["idle", "working", "waiting", "working", "idle", "terminated"]);
        var types = await SwitchboardLog.TypesAsync(_server, id);
        types.ShouldContain("approval_requested");
        types.ShouldContain("approval_answered");
    }
}
