using System.Text.Json;
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

        var pending = await PendingApprovalAsync();
        pending.GetProperty("tool").GetString().ShouldBe("Write");
        pending.GetProperty("summary").GetString().ShouldBe("Write: " + Sandbox.WorkFile("approved.txt"));
        var id = pending.GetProperty("session_id").GetString()!;
        (await SwitchboardLog.SessionAsync(_server, id))!.Value.GetProperty("state").GetString().ShouldBe("waiting");
        File.Exists(Sandbox.WorkFile("approved.txt")).ShouldBeFalse("held until the operator answers");

        var answer = await _server.Http.PostAsync($"/api/sessions/{id}/approvals/{pending.GetProperty("id").GetString()}",
            new StringContent(JsonSerializer.Serialize(new { decision, note = "checked by ops" }), System.Text.Encoding.UTF8, "application/json"));
        answer.IsSuccessStatusCode.ShouldBeTrue(await answer.Content.ReadAsStringAsync());
        await run.WaitForExitAsync();

        File.Exists(Sandbox.WorkFile("approved.txt")).ShouldBe(runs, run.Output);
        if (!runs)
        {
            await Api.WaitForTurnAsync(2);
            Api.Turns[1].Mentions("Denied by the operator (Switchboard): checked by ops").ShouldBeTrue("the model reads why as the tool's result");
        }

        await SwitchboardLog.TerminatedAsync(_server, id);
        (await SwitchboardLog.StatesAsync(_server, id)).ShouldBe(["idle", "working", "waiting", "working", "idle", "terminated"]);
        var types = (await SwitchboardLog.EventsAsync(_server, id)).Select(e => e.GetProperty("type").GetString()).ToList();
        types.ShouldContain("approval_requested");
        types.ShouldContain("approval_answered");
    }

    private async Task<JsonElement> PendingApprovalAsync()
    {
        JsonElement found = default;
        await TestTimeouts.Eventually(async () =>
        {
            foreach (var session in await SwitchboardLog.SessionsAsync(_server))
            {
                var id = session.GetProperty("id").GetString()!;
                using var doc = JsonDocument.Parse(await _server.Http.GetStringAsync($"/api/sessions/{id}/approvals?state=pending"));
                if (doc.RootElement.GetProperty("approvals").GetArrayLength() > 0)
                {
                    found = doc.RootElement.GetProperty("approvals")[0].Clone();
                    return true;
                }
            }

            return false;
        }, "the agent's permission request to become a pending approval", TestTimeouts.Long);
        return found;
    }
}
