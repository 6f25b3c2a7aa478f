using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Testing;
using Switchboard.Testing.Agents;

namespace Switchboard.Agents.Tests;

/// <summary>
/// Issue 60's acceptance with two unmodified Claude Codes (docs/mcp.md): a supervisor, given Switchboard's MCP server by
/// <c>switchboard mcp install claude-code</c> and an operator key, lists the pending approvals and allows the one a worker
/// (its hooks from <c>switchboard hooks install claude-code</c>, an agent key) is held on; the worker's tool runs.
/// </summary>
public sealed class ClaudeCodeSupervisorTests : IAsyncLifetime
{
    private const string KeyVariable = "SWITCHBOARD_API_KEY";
    private const string WorkerKey = "worker-agent-key-0123456789abcdef";
    private const string SupervisorKey = "supervisor-key-0123456789abcdef";
    private const string OpsKey = "ops-key-0123456789abcdef";
    private const int ApprovalAnsweredEventId = Switchboard.Core.Diagnostics.LogEventIds.Mcp + 4;

    private AgentTestBed _worker = null!;
    private AgentTestBed _supervisor = null!;
    private SwitchboardServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        _worker = await AgentTestBed.StartAsync("claude-worker");
        _supervisor = await AgentTestBed.StartAsync("claude-supervisor");
        _server = await SwitchboardServer.StartAsync(o =>
        {
            o.Security.AddApiKeys($"@worker {WorkerKey}:agent, @supervisor {SupervisorKey}, @ops {OpsKey}");
            o.Approvals.Hold = ["Bash(touch *)"]; // a claude -p run's requests are held only when a rule names them (docs/approvals.md)
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _supervisor.DisposeAsync();
        await _worker.DisposeAsync();
    }

    [Fact]
    public async Task ASupervisingClaudeCodeListsThePendingApprovalsAndAllowsTheOneAWorkerIsHeldOn()
    {
        using var ops = _server.HttpWithKey(OpsKey);
        var touched = _worker.Sandbox.WorkFile("allowed.txt");
        var worker = new ClaudeCodeAgent(_worker.Sandbox, _worker.Api);
        worker.Settings["hooks"] = (await InstallAsync(_worker.Sandbox, "hooks", Path.Combine(_worker.Sandbox.Home, ".claude", "settings.json")))["hooks"]!.DeepClone();
        worker.Environment[KeyVariable] = WorkerKey;
        _worker.Api.Enqueue(ModelTurn.CallTool("Bash", new { command = $"touch {touched}", description = "Create a file" }), ModelTurn.Say("All done."));
        await using var held = worker.Start();
        var pending = await SwitchboardLog.PendingApprovalAsync(_server, ops);
        pending.GetProperty("tool").GetString().ShouldBe("Bash");
        pending.GetProperty("requested_key").GetString().ShouldBe("@worker");
        File.Exists(touched).ShouldBeFalse("held until someone answers");

        // In -p an MCP tool needs a permission rule, as any tool that asks: mcp__<server> allows all of the server's tools.
        var supervisor = new ClaudeCodeAgent(_supervisor.Sandbox, _supervisor.Api).Allow("mcp__switchboard");
        await InstallAsync(_supervisor.Sandbox, "mcp", Path.Combine(_supervisor.Sandbox.Home, ".claude.json"));
        supervisor.Environment[KeyVariable] = SupervisorKey;
        _supervisor.Api.Enqueue(
            ModelTurn.CallTool("mcp__switchboard__list_pending_approvals", new { }),
            ModelTurn.Reading(AllowTheListedApproval),
            ModelTurn.Say("Allowed the routine one."));
        var result = await supervisor.RunAsync("Allow the routine approvals.");

        var told = string.Join("\n", _supervisor.Api.Turns.Select(t => t.LastToolResult()?.Text));
        result.ExitCode.ShouldBe(0, result.Output);
        var answered = await ops.GetStringAsync($"/api/sessions/{Uri.EscapeDataString(pending.GetProperty("session_id").GetString()!)}/approvals/{pending.GetProperty("id").GetString()}");
        using var approval = JsonDocument.Parse(answered);
        approval.RootElement.GetProperty("state").GetString().ShouldBe("allowed", $"the supervisor's tools answered: {told}");
        approval.RootElement.GetProperty("answered_by").GetString().ShouldBe("mcp:@supervisor", answered);
        (await held.WaitForExitAsync()).ShouldBe(0, held.Output);
        File.Exists(touched).ShouldBeTrue(held.Output);

        // The server's own record of the supervisor's calls: the list it answered reached the model, and its answer was logged.
        var listed = _supervisor.Api.Turns[1].LastToolResult()!.Value;
        listed.IsError.ShouldBeFalse(listed.Text);
        listed.Text.ShouldContain(pending.GetProperty("id").GetString()!);
        _supervisor.Api.Turns[2].LastToolResult()!.Value.Text.ShouldContain("mcp:@supervisor");
        _server.Logs.Entries.ShouldContain(e => e.EventId == ApprovalAnsweredEventId && e.Message.Contains("mcp:@supervisor", StringComparison.Ordinal));
    }

    /// <summary>
    /// The supervisor's second turn: allow the approval <c>list_pending_approvals</c> returned, its ids read from the tool
    /// result; anything else ends the run saying what the model read (a throw here would be a 500 the agent retries).
    /// </summary>
    private static ModelTurn AllowTheListedApproval(ModelRequest request)
    {
        var result = request.LastToolResult();
        var approvals = result is ({ } text, false) && text.StartsWith('{') ? JsonNode.Parse(text)?["approvals"] as JsonArray : null;
        if (approvals is not { Count: 1 } || approvals[0]?["approval"] is not { } approval)
        {
            return ModelTurn.Say("Unexpected list: " + (result?.Text ?? "no tool result"));
        }

        return ModelTurn.CallTool("mcp__switchboard__answer_approval", new
        {
            session_id = approval["session_id"]!.GetValue<string>(),
            approval_id = approval["id"]!.GetValue<string>(),
            decision = "allow",
            note = "routine",
        });
    }

    /// <summary>Runs <c>switchboard VERB install claude-code</c> against the server in the sandbox's HOME and returns the file it wrote.</summary>
    private async Task<JsonObject> InstallAsync(AgentSandbox sandbox, string verb, string file)
    {
        await using (var install = ChildProcess.Start(RepoPaths.ServerDll, [verb, "install", "claude-code", "--url", _server.BaseAddress.ToString()],
            new Dictionary<string, string> { ["HOME"] = sandbox.Home, [KeyVariable] = "" }))
        {
            (await install.WaitForExitAsync()).ShouldBe(0, install.Output);
        }

        return JsonNode.Parse(File.ReadAllText(file))!.AsObject();
    }
}
