using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.Testing;
using Switchboard.Testing.Agents;

namespace Switchboard.Agents.Tests;

/// <summary>
/// Issue 56 with an unmodified Claude Code: the key its hooks hold cannot approve its own request. With an agent key the
/// held <c>PermissionRequest</c>'s answer from that key is 403 and only an operator's answer (recorded with the operator
/// key's name) lets the tool run; with an operator key on the hooks, the same key's answer is refused unless
/// <c>Approvals:AllowSelfAnswer</c>, and the server warns once that agents should have an agent key.
/// </summary>
public sealed class ClaudeCodeRoleTests : IAsyncLifetime
{
    private const string KeyVariable = "SWITCHBOARD_API_KEY";
    private const string AgentKey = "claude-agent-key-0123456789abcdef";
    private const string OpsKey = "ops-key-0123456789abcdef";
    private const string LeadKey = "lead-key-0123456789abcdef";
    private const int OperatorKeyEventId = Switchboard.Core.Diagnostics.LogEventIds.Hooks + 70;

    private AgentTestBed _bed = null!;

    private AgentSandbox Sandbox => _bed.Sandbox;

    private FakeModelApi Api => _bed.Api;

    public async ValueTask InitializeAsync() => _bed = await AgentTestBed.StartAsync("claude-roles");

    public async ValueTask DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task AnAgentKeyCannotAnswerItsHeldPermissionRequestAndTheOperatorsAnswerCarriesTheOperatorsName()
    {
        await using var server = await StartAsync(allowSelfAnswer: false);
        using var agent = server.HttpWithKey(AgentKey);
        using var ops = server.HttpWithKey(OpsKey);
        await using var run = StartClaude(server, AgentKey, "agent.txt");

        var pending = await PendingApprovalAsync(ops);
        pending.GetProperty("requested_by").GetString().ShouldBe("hook:claude-code");
        pending.GetProperty("requested_key").GetString().ShouldBe("@claude");
        var refused = await AnswerAsync(agent, pending, "allow");
        ((int)refused.StatusCode).ShouldBe(403);
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        problem.GetProperty("code").GetString().ShouldBe("insufficient_role");
        (await ApprovalAsync(ops, pending)).GetProperty("state").GetString().ShouldBe("pending", "the refused answer changed nothing");
        run.HasExited.ShouldBeFalse("the hook is still held");
        File.Exists(Sandbox.WorkFile("agent.txt")).ShouldBeFalse();

        var answered = await AnswerAsync(ops, pending, "allow");
        answered.IsSuccessStatusCode.ShouldBeTrue(await answered.Content.ReadAsStringAsync());
        await run.WaitForExitAsync();
        File.Exists(Sandbox.WorkFile("agent.txt")).ShouldBeTrue(run.Output);
        (await ApprovalAsync(ops, pending)).GetProperty("answered_by").GetString().ShouldBe("@ops");
        var logged = await AnsweredEventAsync(ops, pending);
        logged.GetProperty("answered_by").GetString().ShouldBe("@ops");
        logged.GetProperty("requested_key").GetString().ShouldBe("@claude");
        server.Logs.Entries.ShouldNotContain(e => e.EventId == OperatorKeyEventId, "an agent key is what agents should hold");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheOperatorKeyOnTheHooksCannotAnswerItsOwnRequestUnlessAllowedAndTheServerWarnsOnce(bool allowSelfAnswer)
    {
        await using var server = await StartAsync(allowSelfAnswer);
        using var ops = server.HttpWithKey(OpsKey);
        using var lead = server.HttpWithKey(LeadKey);
        await using var run = StartClaude(server, OpsKey, "self.txt");

        var pending = await PendingApprovalAsync(ops);
        pending.GetProperty("requested_key").GetString().ShouldBe("@ops");
        var self = await AnswerAsync(ops, pending, "allow");
        if (allowSelfAnswer)
        {
            self.IsSuccessStatusCode.ShouldBeTrue(await self.Content.ReadAsStringAsync());
        }
        else
        {
            ((int)self.StatusCode).ShouldBe(403);
            JsonDocument.Parse(await self.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString().ShouldBe("self_answer");
            (await ApprovalAsync(ops, pending)).GetProperty("state").GetString().ShouldBe("pending");
            run.HasExited.ShouldBeFalse("the hook is still held");
            var other = await AnswerAsync(lead, pending, "allow");
            other.IsSuccessStatusCode.ShouldBeTrue(await other.Content.ReadAsStringAsync());
        }

        await run.WaitForExitAsync();
        File.Exists(Sandbox.WorkFile("self.txt")).ShouldBeTrue(run.Output);
        (await ApprovalAsync(ops, pending)).GetProperty("answered_by").GetString().ShouldBe(allowSelfAnswer ? "@ops" : "@lead");
        var warnings = server.Logs.Entries.Where(e => e.EventId == OperatorKeyEventId).ToList();
        warnings.Count.ShouldBe(1, "every hook event arrived with the operator key; the advice is given once");
        warnings[0].Level.ShouldBe(Microsoft.Extensions.Logging.LogLevel.Warning);
        warnings[0].Message.ShouldContain(":agent");
    }

    private static Task<SwitchboardServer> StartAsync(bool allowSelfAnswer) => SwitchboardServer.StartAsync(o =>
    {
        o.Security.AddApiKeys($"@claude {AgentKey}:agent, @ops {OpsKey}, @lead {LeadKey}");
        o.Approvals.AllowSelfAnswer = allowSelfAnswer;
    });

    /// <summary>A real Claude Code whose hooks send <paramref name="key"/>, asked to write <paramref name="file"/>, which needs permission.</summary>
    private AgentProcess StartClaude(SwitchboardServer server, string key, string file)
    {
        var claude = new ClaudeCodeAgent(Sandbox, Api).WithHooks(new Uri(server.BaseAddress, "/hooks/claude-code"), keyEnv: KeyVariable);
        claude.Environment[KeyVariable] = key;
        Api.Enqueue(ModelTurn.CallTool("Write", new { file_path = Sandbox.WorkFile(file), content = "x" }), ModelTurn.Say("All done."));
        return claude.Start();
    }

    private static async Task<JsonElement> PendingApprovalAsync(HttpClient http)
    {
        JsonElement found = default;
        await TestTimeouts.Eventually(async () =>
        {
            using var sessions = JsonDocument.Parse(await http.GetStringAsync("/api/sessions?state=waiting"));
            foreach (var session in sessions.RootElement.GetProperty("sessions").EnumerateArray())
            {
                var id = Uri.EscapeDataString(session.GetProperty("id").GetString()!);
                using var doc = JsonDocument.Parse(await http.GetStringAsync($"/api/sessions/{id}/approvals?state=pending"));
                if (doc.RootElement.GetProperty("approvals").GetArrayLength() > 0)
                {
                    found = doc.RootElement.GetProperty("approvals")[0].Clone();
                    return true;
                }
            }

            return false;
        }, "Claude Code's PermissionRequest held as a pending approval", TestTimeouts.Long);
        return found;
    }

    private static Task<HttpResponseMessage> AnswerAsync(HttpClient http, JsonElement approval, string decision) =>
        http.PostAsJsonAsync($"/api/sessions/{Uri.EscapeDataString(approval.GetProperty("session_id").GetString()!)}/approvals/{approval.GetProperty("id").GetString()}",
            new { decision });

    private static async Task<JsonElement> ApprovalAsync(HttpClient http, JsonElement approval)
    {
        var path = $"/api/sessions/{Uri.EscapeDataString(approval.GetProperty("session_id").GetString()!)}/approvals/{approval.GetProperty("id").GetString()}";
        return JsonDocument.Parse(await http.GetStringAsync(path)).RootElement.Clone();
    }

    private static async Task<JsonElement> AnsweredEventAsync(HttpClient http, JsonElement approval)
    {
        var id = Uri.EscapeDataString(approval.GetProperty("session_id").GetString()!);
        using var page = JsonDocument.Parse(await http.GetStringAsync($"/api/events?limit=1000&session_id={id}"));
        return page.RootElement.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("type").GetString() == "approval_answered")
            .GetProperty("data").GetProperty("approval").Clone();
    }
}
