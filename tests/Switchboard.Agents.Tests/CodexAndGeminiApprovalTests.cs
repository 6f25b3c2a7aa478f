using Switchboard.Testing;
using Switchboard.Testing.Agents;

namespace Switchboard.Agents.Tests;

/// <summary>
/// An unmodified Codex and Gemini CLI ask a person through Switchboard (docs/approvals.md, "From the agents' hooks"):
/// Codex's <c>PermissionRequest</c> and Gemini CLI's <c>BeforeTool</c> of a tool in <c>Hooks:ApprovalTools</c> are held
/// as approvals until an operator answers over the API; a deny stops the tool (its file is never created), an allow
/// lets it run.
/// </summary>
public sealed class CodexAndGeminiApprovalTests : IAsyncLifetime
{
    private AgentTestBed _bed = null!;
    private SwitchboardServer _server = null!;

    private AgentSandbox Sandbox => _bed.Sandbox;

    private FakeModelApi Api => _bed.Api;

    public async ValueTask InitializeAsync()
    {
        _bed = await AgentTestBed.StartAsync("agents-approve");
        // The default ApprovalWait (5 min) holds every hook far longer than a test needs to answer it.
        _server = await SwitchboardServer.StartAsync(o => o.Hooks.ApprovalTools = ["run_shell_command"]);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _bed.DisposeAsync();
    }

    [Theory]
    [InlineData("allow", true)]
    [InlineData("deny", false)]
    public async Task CodexsPermissionRequestIsHeldUntilTheOperatorAnswersAndTheAnswerDecidesWhetherTheCommandRuns(string decision, bool runs)
    {
        var codex = new CodexAgent(Sandbox, Api).WithHooks(new Uri(_server.BaseAddress, "/hooks/codex")).ApproveForMe();
        // Codex's own review would decide the opposite: only the operator's answer, carried by the hook, gives this outcome.
        Api.GuardianOutcome = runs ? "deny" : "allow";
        Api.Enqueue(
            ModelTurn.CallTool("exec_command", new { cmd = "touch approved.txt", sandbox_permissions = "require_escalated", justification = "Create approved.txt" }),
            ModelTurn.Say("All done."));
        await using var run = codex.Start();

        var pending = await SwitchboardLog.HeldApprovalAsync(_server, "Bash", "Bash: touch approved.txt"); // Codex names exec_command Bash in its hooks
        pending.GetProperty("requested_by").GetString().ShouldBe("hook:codex");
        var id = pending.GetProperty("session_id").GetString()!;
        File.Exists(Sandbox.WorkFile("approved.txt")).ShouldBeFalse("held until the operator answers");

        await SwitchboardLog.AnswerAsync(_server, pending, decision, "not on a Friday");
        (await run.WaitForExitAsync()).ShouldBe(0, run.Output);

        File.Exists(Sandbox.WorkFile("approved.txt")).ShouldBe(runs, run.Output);
        Api.Requests.ShouldNotContain(r => r.Kind == ModelRequestKind.Side, "the operator's answer skips Codex's automatic review");
        Api.Turns[1].Mentions("Denied by the operator (Switchboard): not on a Friday").ShouldBe(!runs, "a denied model reads the note as the command's failure");
        await SwitchboardLog.TerminatedAsync(_server, id);
        (await SwitchboardLog.StatesAsync(_server, id)).ShouldBe(["idle", "working", "waiting", "working", "idle", "terminated"]);
        (await SwitchboardLog.TypesAsync(_server, id)).ShouldContain("approval_answered");
    }

    [Theory]
    [InlineData("allow", true)]
    [InlineData("deny", false)]
    public async Task GeminiClisBeforeToolOfAnApprovalToolIsHeldUntilTheOperatorAnswersAndTheAnswerDecidesWhetherTheToolRuns(string decision, bool runs)
    {
        // Its hook timeout is in milliseconds, 60 s by default: give the held hook as long as the test may take.
        var gemini = new GeminiCliAgent(Sandbox, Api).WithHooks(new Uri(_server.BaseAddress, "/hooks/gemini-cli"), 600_000);
        Api.Enqueue(
            ModelTurn.CallTool("run_shell_command", new { command = "touch approved.txt", description = "Create a file" }),
            ModelTurn.Say("All done."));
        await using var run = gemini.Start();

        var pending = await SwitchboardLog.HeldApprovalAsync(_server, "run_shell_command", "run_shell_command: touch approved.txt");
        pending.GetProperty("requested_by").GetString().ShouldBe("hook:gemini-cli");
        var id = pending.GetProperty("session_id").GetString()!;
        File.Exists(Sandbox.WorkFile("approved.txt")).ShouldBeFalse("held until the operator answers");

        await SwitchboardLog.AnswerAsync(_server, pending, decision, "not on a Friday");
        (await run.WaitForExitAsync(TestTimeouts.Long * 2)).ShouldBe(0, run.Output);

        File.Exists(Sandbox.WorkFile("approved.txt")).ShouldBe(runs, run.Output);
        Api.Turns[1].Mentions("Denied by the operator (Switchboard): not on a Friday").ShouldBe(!runs, "a denied model reads why the tool was blocked");
        await SwitchboardLog.TerminatedAsync(_server, id);
        (await SwitchboardLog.StatesAsync(_server, id)).ShouldBe(["idle", "working", "waiting", "working", "idle", "terminated"]);
        (await SwitchboardLog.TypesAsync(_server, id)).ShouldContain("approval_answered");
    }
}
