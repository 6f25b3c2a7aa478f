using Switchboard.FunctionalTests.Commands;
using Switchboard.FunctionalTests.Hooks;
using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.MultiNode;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Approvals;

/// <summary>
/// Approvals are the fleet's, not a node's: a hook held on one PostgreSQL node is released by an answer on the other
/// (through the event feed), and an approval whose holding node is killed still ends <c>expired</c>, by the store's expiry
/// job on whichever node runs it, or on the same node after its restart (SQLite).
/// </summary>
public sealed class ApprovalNodeTests(PostgresClusterFixture postgres)
{
    private static readonly object BashInput = new { tool_name = "Bash", tool_input = new { command = "kubectl delete pod api-7" } };

    [Fact]
    public async Task AHookHeldOnNodeAIsReleasedByAnAnswerOnNodeBAndTheApprovalsTopicCarriesBothEvents()
    {
        var db = await (await postgres.GetAsync()).CreateDatabaseAsync();
        await using var nodes = await NodePair.StartAsync(db);
        await using var socket = await PhoenixClient.ConnectAsync(nodes.B.WebSocketUri);
        (await socket.JoinAsync("approvals")).Status.ShouldBe("ok");
        using var agent = new HttpClient { BaseAddress = nodes.A.BaseAddress, Timeout = TestTimeouts.Long };

        var hook = HookKit.OkAsync(HookKit.PostAsync(agent, "claude-code", "PermissionRequest", "roamer", BashInput));
        var pending = await ApprovalKit.WaitForPendingAsync(nodes.HttpB, "otel:s:roamer");
        var requested = await socket.WaitForAsync(f => f.Topic == "approvals" && f.Event == "approval_requested");
        requested.Payload.GetProperty("data").GetProperty("approval").Str("id").ShouldBe(pending.Str("id"));

        var answered = await nodes.HttpB.PostAsync($"/api/sessions/otel:s:roamer/approvals/{pending.Str("id")}", new { decision = "allow" });
        answered.Status.ShouldBe(200, answered.Body.ToString());

        var verdict = (await hook.Within(TestTimeouts.Long)).GetProperty("hookSpecificOutput").GetProperty("decision");
        verdict.Str("behavior").ShouldBe("allow");
        (await socket.WaitForAsync(f => f.Topic == "approvals" && f.Event == "approval_answered")).Payload.GetProperty("data")
            .GetProperty("approval").Str("state").ShouldBe("allowed");
    }

    [Fact]
    public async Task ANodeKilledWhileHoldingAHookLeavesAnApprovalThatTheOtherNodeExpires()
    {
        var db = await (await postgres.GetAsync()).CreateDatabaseAsync();
        await using var nodes = await NodePair.StartAsync(db, environment: new Dictionary<string, string>
        {
            ["Switchboard__Hooks__ApprovalWait"] = "00:00:03",
            ["Switchboard__Postgres__PresenceLiveness"] = "00:02:00", // A's liveness lapses long after the expiry: expired, not withdrawn
        });
        using var agent = new HttpClient { BaseAddress = nodes.A.BaseAddress, Timeout = TestTimeouts.Long };
        var hook = HookKit.PostAsync(agent, "claude-code", "PermissionRequest", "orphan", BashInput);
        var pending = await ApprovalKit.WaitForPendingAsync(nodes.HttpB, "otel:s:orphan");

        await nodes.A.KillAsync();
        await Should.ThrowAsync<HttpRequestException>(() => hook); // the agent's hook fails: it follows its own rules

        await TestTimeouts.Eventually(async () =>
            (await nodes.HttpB.GetJsonAsync($"/api/sessions/otel:s:orphan/approvals/{pending.Str("id")}")).Body.Str("state") == "expired",
            "node B's expiry job to end the approval", TestTimeouts.Long);
        (await nodes.HttpB.EventsAsync(sessionId: "otel:s:orphan")).Count(e => e.Str("type") == "approval_expired").ShouldBe(1);
    }

    [Fact]
    public async Task OnSqliteAnApprovalHeldWhenTheServerIsKilledEndsExpiredAfterTheRestart()
    {
        using var data = new TempDirectory();
        var env = new Dictionary<string, string> { ["Switchboard__Hooks__ApprovalWait"] = "00:00:02" };
        string id;
        DateTimeOffset expiresAt;
        await using (var server = await ServerProcess.StartAsync(data.Path, environment: env))
        {
            using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };
            var hook = HookKit.PostAsync(http, "claude-code", "PermissionRequest", "crash", BashInput);
            var pending = await ApprovalKit.WaitForPendingAsync(http, "otel:s:crash");
            id = pending.Str("id");
            expiresAt = pending.GetProperty("expires_at").GetDateTimeOffset();
            await server.KillAsync();
            await Should.ThrowAsync<HttpRequestException>(() => hook);
        }

        // Restart only once the expiry has passed: the restarted run's first check expires what is due before it withdraws
        // what its previous run held (OnSqliteAnApprovalHeldWhenTheServerIsKilledIsWithdrawnByTheRestart covers the other order).
        var untilExpired = expiresAt - DateTimeOffset.UtcNow;
        if (untilExpired > TimeSpan.Zero)
        {
            await Task.Delay(untilExpired + TimeSpan.FromMilliseconds(100));
        }

        await using var restarted = await ServerProcess.StartAsync(data.Path, environment: env);
        using var again = new HttpClient { BaseAddress = restarted.BaseAddress, Timeout = TestTimeouts.Default };
        await TestTimeouts.Eventually(async () => (await again.GetJsonAsync($"/api/sessions/otel:s:crash/approvals/{id}")).Body.Str("state") == "expired",
            "the restarted server's expiry job to end the approval", TestTimeouts.Long);
        (await again.GetJsonAsync("/api/sessions/otel:s:crash")).Body.Str("state").ShouldBe("working");
    }
}
