using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Alerts.Options;
using Switchboard.Server.Options;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Alerts;

/// <summary>Each condition raises once and resolves once, on a manual clock: the test moves time, nothing sleeps.</summary>
public sealed class AlertConditionTests
{
    private static Task<SwitchboardServer> StartAsync(ManualTimeProvider time, params AlertRuleOptions[] rules) =>
        SwitchboardServer.StartAsync(o =>
        {
            foreach (var rule in rules)
            {
                o.Alerts.Rules.Add(rule);
            }
        }, time: time);

    [Fact]
    public async Task ASessionInErrorRaisesOnceAndResolvesWhenItLeavesError()
    {
        var time = new ManualTimeProvider();
        await using var server = await StartAsync(time, AlertKit.Rule("err", "session_error", severity: "critical"), AlertKit.Rule("other", "session_error", labels: "team=blue"));
        await server.Http.CreateAsync("a", new { state = "working", labels = new { team = "red" } });
        await server.SettleAsync();
        (await server.HistoryAsync("err")).ShouldBeEmpty();

        (await server.Http.PatchAsync("/api/sessions/a", new { state = "error", error_message = "boom" })).Status.ShouldBe(200);
        await server.ExpectHistoryAsync("err", "alert_raised a");
        (await server.Http.PatchAsync("/api/sessions/a", new { error_message = "still boom" })).Status.ShouldBe(200);
        await server.ExpectHistoryAsync("err", "alert_raised a");

        var open = (await server.Http.GetJsonAsync("/api/alerts?state=open")).Body.GetProperty("alerts").EnumerateArray().ToList();
        var alert = open.ShouldHaveSingleItem();
        alert.Str("rule_id").ShouldBe("err");
        alert.Str("severity").ShouldBe("critical");
        alert.Str("session_id").ShouldBe("a");
        alert.Str("message").ShouldContain("boom");

        (await server.Http.PatchAsync("/api/sessions/a", new { state = "working" })).Status.ShouldBe(200);
        await server.ExpectHistoryAsync("err", "alert_raised a", "alert_resolved a");
        (await server.Http.GetJsonAsync("/api/alerts?state=open")).Body.GetProperty("alerts").GetArrayLength().ShouldBe(0);
        var all = (await server.Http.GetJsonAsync("/api/alerts?state=all")).Body.GetProperty("alerts").EnumerateArray().ToList();
        all.ShouldHaveSingleItem().Str("resolve_reason").ShouldBe("cleared");
        (await server.HistoryAsync("other")).ShouldBeEmpty("a rule scoped to team=blue ignores a red session");
    }

    [Fact]
    public async Task AnExpiredLeaseRaisesOnceAndResolvesWhenTheProducerIsBack()
    {
        var time = new ManualTimeProvider();
        await using var server = await StartAsync(time, AlertKit.Rule("lease", "lease_expired"), AlertKit.Rule("err", "session_error"));
        await server.Http.CreateAsync("leased", new { state = "working", lease_seconds = 30 });
        await server.SettleAsync();

        time.Advance(TimeSpan.FromSeconds(31));
        await server.ExpectHistoryAsync("lease", "alert_raised leased");
        await server.ExpectHistoryAsync("err", "alert_raised leased");

        (await server.Http.PatchAsync("/api/sessions/leased", new { state = "working" })).Status.ShouldBe(200);
        await server.ExpectHistoryAsync("lease", "alert_raised leased", "alert_resolved leased");
        await server.ExpectHistoryAsync("err", "alert_raised leased", "alert_resolved leased");
    }

    [Fact]
    public async Task AWorkingSessionThatOnlyHeartbeatsIsStalledOnceAndRecoversWhenItChanges()
    {
        var time = new ManualTimeProvider();
        await using var server = await StartAsync(time, AlertKit.Rule("stall", "stalled", seconds: 60));
        await server.Http.CreateAsync("busy", new { state = "working", lease_seconds = 60 });
        await server.Http.CreateAsync("idle", new { state = "idle" });
        await server.SettleAsync();

        // Heartbeats keep the lease alive but are no progress.
        for (var i = 0; i < 2; i++)
        {
            time.Advance(TimeSpan.FromSeconds(25));
            (await server.Http.PostAsync("/api/sessions/busy/heartbeat")).Status.ShouldBe(200);
            await server.SettleAsync();
        }

        (await server.HistoryAsync("stall")).ShouldBeEmpty("50 s without a change is under the limit");
        time.Advance(TimeSpan.FromSeconds(10));
        await server.ExpectHistoryAsync("stall", "alert_raised busy");
        for (var i = 0; i < 3; i++)
        {
            time.Advance(TimeSpan.FromSeconds(25));
            (await server.Http.PostAsync("/api/sessions/busy/heartbeat")).Status.ShouldBe(200);
        }

        await server.ExpectHistoryAsync("stall", "alert_raised busy");
        var open = (await server.Http.GetJsonAsync("/api/alerts")).Body.GetProperty("alerts")[0];
        open.GetProperty("value").GetDecimal().ShouldBe(60m);

        (await server.Http.PostAsync("/api/sessions/busy/usage", new { output_tokens = 5 })).Status.ShouldBe(200);
        await server.ExpectHistoryAsync("stall", "alert_raised busy", "alert_resolved busy");
        (await server.Http.PatchAsync("/api/sessions/busy", new { state = "paused" })).Status.ShouldBe(200);
        await server.SettleAsync();
        time.Advance(TimeSpan.FromSeconds(120));
        await server.ExpectHistoryAsync("stall", "alert_raised busy", "alert_resolved busy");
    }

    /// <summary>
    /// How long a session has waited for a person counts from the change that made it <c>waiting</c>: other changes while
    /// it waits (its metadata saying what it asks) do not restart the clock, as they would a stalled one's.
    /// </summary>
    [Fact]
    public async Task ASessionWaitingForAPersonRaisesOnceAfterItsSecondsAndResolvesWhenItMovesOn()
    {
        var time = new ManualTimeProvider();
        await using var server = await StartAsync(time, AlertKit.Rule("wait", "waiting", seconds: 60), AlertKit.Rule("stall", "stalled", seconds: 30));
        await server.Http.CreateAsync("asker", new { state = "working" });
        await server.Http.CreateAsync("worker", new { state = "idle" });
        await server.SettleAsync();
        time.Advance(TimeSpan.FromSeconds(10));

        (await server.Http.PatchAsync("/api/sessions/asker", new { state = "waiting" })).Status.ShouldBe(200);
        await server.SettleAsync();
        time.Advance(TimeSpan.FromSeconds(30));
        (await server.Http.PatchAsync("/api/sessions/asker", new { metadata = new { question = "May I run rm -rf build/?" } })).Status.ShouldBe(200);
        await server.SettleAsync();
        time.Advance(TimeSpan.FromSeconds(29)); // 59 s waiting, 29 s since its last change
        await server.SettleAsync();
        (await server.HistoryAsync("wait")).ShouldBeEmpty("59 s of waiting is under the limit");

        time.Advance(TimeSpan.FromSeconds(2)); // 61 s waiting
        await server.ExpectHistoryAsync("wait", "alert_raised asker");
        var open = (await server.Http.GetJsonAsync("/api/alerts")).Body.GetProperty("alerts")[0];
        open.Str("condition").ShouldBe("waiting");
        // Raised when the evaluator first sees 60 s passed: at the manual clock's timer for that moment (60 s), or at the
        // next look after the advance (61 s), whichever runs first.
        var waited = open.GetProperty("value").GetDecimal();
        waited.ShouldBeInRange(60m, 61m);
        open.Str("message").ShouldContain($"waiting for a person for {waited:0} s");
        (await server.HistoryAsync("stall")).ShouldBeEmpty("a waiting session is not a stalled one");

        (await server.Http.PatchAsync("/api/sessions/asker", new { state = "working" })).Status.ShouldBe(200);
        await server.ExpectHistoryAsync("wait", "alert_raised asker", "alert_resolved asker");

        // Waiting again starts a new wait: a new alert once it has lasted 60 s, resolved when the session ends.
        (await server.Http.PatchAsync("/api/sessions/asker", new { state = "waiting" })).Status.ShouldBe(200);
        await server.SettleAsync();
        time.Advance(TimeSpan.FromSeconds(59));
        await server.SettleAsync();
        await server.ExpectHistoryAsync("wait", "alert_raised asker", "alert_resolved asker");
        time.Advance(TimeSpan.FromSeconds(2));
        await server.ExpectHistoryAsync("wait", "alert_raised asker", "alert_resolved asker", "alert_raised asker");
        (await server.Http.PostAsync("/api/sessions/asker/terminate")).Status.ShouldBe(200);
        await server.ExpectHistoryAsync("wait", "alert_raised asker", "alert_resolved asker", "alert_raised asker", "alert_resolved asker");
        (await server.HistoryAsync("wait")).ShouldNotContain(h => h.Contains("worker"));
    }

    [Fact]
    public async Task CostAndTokenThresholdsRaiseOnceAndResolveWhenTheSessionEnds()
    {
        var time = new ManualTimeProvider();
        await using var server = await StartAsync(time, AlertKit.Rule("cost", "session_cost", threshold: 1.0m), AlertKit.Rule("tokens", "session_tokens", threshold: 1000));
        await server.Http.CreateAsync("spender", new { state = "working" });
        (await server.Http.PostAsync("/api/sessions/spender/usage", new { cost_usd = 0.6m, input_tokens = 600 })).Status.ShouldBe(200);
        await server.SettleAsync();
        (await server.HistoryAsync("cost")).ShouldBeEmpty();
        (await server.HistoryAsync("tokens")).ShouldBeEmpty();

        (await server.Http.PostAsync("/api/sessions/spender/usage", new { cost_usd = 0.4m, output_tokens = 399 })).Status.ShouldBe(200);
        await server.ExpectHistoryAsync("cost", "alert_raised spender");
        (await server.HistoryAsync("tokens")).ShouldBeEmpty("999 tokens are under 1000");
        (await server.Http.PostAsync("/api/sessions/spender/usage", new { cost_usd = 5m, output_tokens = 1 })).Status.ShouldBe(200);
        await server.ExpectHistoryAsync("tokens", "alert_raised spender");
        await server.ExpectHistoryAsync("cost", "alert_raised spender");

        (await server.Http.PostAsync("/api/sessions/spender/terminate")).Status.ShouldBe(200);
        await server.ExpectHistoryAsync("cost", "alert_raised spender", "alert_resolved spender");
        await server.ExpectHistoryAsync("tokens", "alert_raised spender", "alert_resolved spender");
        var resolved = (await server.Http.GetJsonAsync("/api/alerts?state=resolved")).Body.GetProperty("alerts").EnumerateArray().ToList();
        resolved.Count.ShouldBe(2);
        resolved.ShouldAllBe(a => a.GetProperty("resolve_reason").GetString() == "session_terminated");
    }

    [Fact]
    public async Task ActiveCountInALabelScopeRaisesOnceAndResolvesBelowTheThreshold()
    {
        var time = new ManualTimeProvider();
        await using var server = await StartAsync(time, AlertKit.Rule("crowd", "active_count", threshold: 3, labels: "team=red"));
        await server.Http.CreateAsync("r1", new { labels = new { team = "red" } });
        await server.Http.CreateAsync("r2", new { labels = new { team = "red" } });
        await server.Http.CreateAsync("b1", new { labels = new { team = "blue" } });
        await server.SettleAsync();
        (await server.HistoryAsync("crowd")).ShouldBeEmpty();

        await server.Http.CreateAsync("r3", new { labels = new { team = "red" } });
        await server.ExpectHistoryAsync("crowd", "alert_raised fleet");
        await server.Http.CreateAsync("r4", new { labels = new { team = "red" } });
        await server.ExpectHistoryAsync("crowd", "alert_raised fleet");

        (await server.Http.PostAsync("/api/sessions/r1/terminate")).Status.ShouldBe(200);
        await server.ExpectHistoryAsync("crowd", "alert_raised fleet");
        (await server.Http.PatchAsync("/api/sessions/r2", new { labels = new { team = "blue" } })).Status.ShouldBe(200);
        await server.ExpectHistoryAsync("crowd", "alert_raised fleet", "alert_resolved fleet");
        var alert = (await server.Http.GetJsonAsync("/api/alerts?state=all")).Body.GetProperty("alerts")[0];
        alert.GetProperty("session_id").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        alert.GetProperty("value").GetDecimal().ShouldBe(3m);
    }
}
