using Switchboard.FunctionalTests.Commands;
using Switchboard.FunctionalTests.Hooks;
using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.MultiNode;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Approvals;

/// <summary>
/// A held approval belongs to the node holding its hook (docs/approvals.md, "Held, and by whom"): a graceful stop
/// withdraws what the node holds before the hooks are let go, a node killed while holding has its approvals withdrawn
/// once it is known gone (SQLite: by its restart; PostgreSQL: by the other node once its liveness lapses), and an answer
/// after that is refused with <c>409 approval_not_held</c>. The wait is long in each, so expiry cannot be what ends them.
/// </summary>
public sealed class ApprovalHolderTests(PostgresClusterFixture postgres)
{
    private static readonly object BashInput = new { tool_name = "Bash", tool_input = new { command = "git push --force" } };
    private static readonly Dictionary<string, string> LongWait = new() { ["Switchboard__Hooks__ApprovalWait"] = "00:05:00" };

    [Fact]
    public async Task AGracefulRestartWithdrawsTheHeldApprovalAndAnAnswerAfterItIsRefused()
    {
        using var data = new TempDirectory();
        string id;
        await using (var server = await ServerProcess.StartAsync(data.Path, environment: LongWait))
        {
            using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };
            var hook = HookKit.OkAsync(HookKit.PostAsync(http, "claude-code", "PermissionRequest", "restart", BashInput));
            id = (await ApprovalKit.WaitForPendingAsync(http, "otel:s:restart")).Str("id");

            await server.StopAsync().Within(TestTimeouts.Long);
            (await hook.Within()).ToString().ShouldBe("{}", "the stopping node lets the agent go with no decision");
        }

        await using var restarted = await ServerProcess.StartAsync(data.Path, environment: LongWait);
        using var again = new HttpClient { BaseAddress = restarted.BaseAddress, Timeout = TestTimeouts.Default };
        var approval = (await again.GetJsonAsync($"/api/sessions/otel:s:restart/approvals/{id}")).Body;
        approval.Str("state").ShouldBe("withdrawn", "withdrawn by the stop itself, before the restart");
        approval.Str("reason").ShouldBe("node_stopping");
        var withdrawn = (await again.EventsAsync(sessionId: "otel:s:restart")).Single(e => e.Str("type") == "approval_withdrawn");
        withdrawn.GetProperty("data").GetProperty("approval").Str("reason").ShouldBe("node_stopping");

        var refused = await again.PostAsync($"/api/sessions/otel:s:restart/approvals/{id}", new { decision = "allow" });
        refused.ShouldBeProblem(409);
        refused.Body.Str("code").ShouldBe("approval_not_held");
        (await again.EventsAsync(sessionId: "otel:s:restart")).ShouldNotContain(e => e.Str("type") == "approval_answered");
    }

    [Fact]
    public async Task OnSqliteAnApprovalHeldWhenTheServerIsKilledIsWithdrawnByTheRestart()
    {
        using var data = new TempDirectory();
        string id;
        await using (var server = await ServerProcess.StartAsync(data.Path, environment: LongWait))
        {
            using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };
            var hook = HookKit.PostAsync(http, "claude-code", "PermissionRequest", "killed", BashInput);
            id = (await ApprovalKit.WaitForPendingAsync(http, "otel:s:killed")).Str("id");
            await server.KillAsync();
            await Should.ThrowAsync<HttpRequestException>(() => hook);
        }

        await using var restarted = await ServerProcess.StartAsync(data.Path, environment: LongWait);
        using var again = new HttpClient { BaseAddress = restarted.BaseAddress, Timeout = TestTimeouts.Default };
        await TestTimeouts.Eventually(async () => (await again.GetJsonAsync($"/api/sessions/otel:s:killed/approvals/{id}")).Body.Str("state") == "withdrawn",
            "the restarted server to withdraw the approval its previous run held", TestTimeouts.Long);
        (await again.GetJsonAsync($"/api/sessions/otel:s:killed/approvals/{id}")).Body.Str("reason").ShouldBe("holder_gone");
        (await again.PostAsync($"/api/sessions/otel:s:killed/approvals/{id}", new { decision = "allow" })).Body.Str("code").ShouldBe("approval_not_held");
        (await again.GetJsonAsync("/api/sessions/otel:s:killed")).Body.Str("state").ShouldBe("working");
    }

    [Fact]
    public async Task OnPostgresANodeKilledWhileHoldingHasItsApprovalWithdrawnByTheOtherOnceItsLivenessLapses()
    {
        var db = await (await postgres.GetAsync()).CreateDatabaseAsync();
        var env = new Dictionary<string, string>(LongWait) { ["Switchboard__Postgres__PresenceLiveness"] = "00:00:05", ["Switchboard__Postgres__PresenceRenewInterval"] = "00:00:01" };
        await using var nodes = await NodePair.StartAsync(db, environment: env);
        using var agent = new HttpClient { BaseAddress = nodes.A.BaseAddress, Timeout = TestTimeouts.Long };
        var hook = HookKit.PostAsync(agent, "claude-code", "PermissionRequest", "lost", BashInput);
        var pending = await ApprovalKit.WaitForPendingAsync(nodes.HttpB, "otel:s:lost");

        await nodes.A.KillAsync();
        await Should.ThrowAsync<HttpRequestException>(() => hook);

        await TestTimeouts.Eventually(async () =>
            (await nodes.HttpB.GetJsonAsync($"/api/sessions/otel:s:lost/approvals/{pending.Str("id")}")).Body.Str("state") == "withdrawn",
            "node B to withdraw the approval node A held", TestTimeouts.Long);
        (await nodes.HttpB.GetJsonAsync($"/api/sessions/otel:s:lost/approvals/{pending.Str("id")}")).Body.Str("reason").ShouldBe("holder_gone");
        (await nodes.HttpB.PostAsync($"/api/sessions/otel:s:lost/approvals/{pending.Str("id")}", new { decision = "allow" })).Body.Str("code")
            .ShouldBe("approval_not_held");
    }
}
