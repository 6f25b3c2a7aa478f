using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Alerts.Options;
using Switchboard.Server.Options;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Alerts;

/// <summary>Burn rates and error counts over a sliding window, on a manual clock; a restart reseeds the window from the rollups.</summary>
public sealed class AlertWindowTests
{
    private static AlertRuleOptions Burn(string id, string metric, decimal perHour, int window, params string[] labels)
    {
        var rule = AlertKit.Rule(id, "burn_rate", threshold: perHour, labels: labels);
        rule.Metric = metric;
        rule.WindowSeconds = window;
        return rule;
    }

    [Fact]
    public async Task ABurnRateOverTheWindowRaisesOnceAndResolvesWhenTheWindowSlidesOn()
    {
        var time = new ManualTimeProvider();
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Alerts.Rules.Add(Burn("spend", "cost", perHour: 6m, window: 600)); // 1 USD in 10 min
            o.Alerts.Rules.Add(Burn("red-tokens", "tokens", perHour: 6000, window: 600, "team=red"));
        }, time: time);
        await server.Http.CreateAsync("a", new { state = "working", labels = new { team = "red" } });
        await server.Http.CreateAsync("b", new { state = "working", labels = new { team = "blue" } });
        (await server.Http.PostAsync("/api/sessions/a/usage", new { cost_usd = 0.5m, input_tokens = 500 })).Status.ShouldBe(200);
        (await server.Http.PostAsync("/api/sessions/b/usage", new { input_tokens = 5000 })).Status.ShouldBe(200);
        await server.SettleAsync();
        (await server.HistoryAsync("spend")).ShouldBeEmpty("0.5 USD in 10 min is 3 USD per hour");
        (await server.HistoryAsync("red-tokens")).ShouldBeEmpty("blue tokens are out of the rule's scope");

        time.Advance(TimeSpan.FromMinutes(3));
        (await server.Http.PostAsync("/api/sessions/b/usage", new { cost_usd = 0.6m })).Status.ShouldBe(200);
        (await server.Http.PostAsync("/api/sessions/a/usage", new { output_tokens = 500 })).Status.ShouldBe(200);
        await server.ExpectHistoryAsync("spend", "alert_raised fleet");
        await server.ExpectHistoryAsync("red-tokens", "alert_raised fleet");
        var alert = (await server.Http.GetJsonAsync("/api/alerts")).Body.GetProperty("alerts").EnumerateArray().Single(a => a.Str("rule_id") == "spend");
        alert.GetProperty("value").GetDecimal().ShouldBe(6.6m);

        // The first usage (minute 0) leaves the 10-minute window at minute 11; the second keeps the rate at 3.6 USD/h.
        time.Advance(TimeSpan.FromMinutes(7));
        await server.SettleAsync();
        (await server.HistoryAsync("spend")).ShouldBe(["alert_raised fleet"]);
        time.Advance(TimeSpan.FromMinutes(1.5));
        await server.ExpectHistoryAsync("spend", "alert_raised fleet", "alert_resolved fleet");
        await server.ExpectHistoryAsync("red-tokens", "alert_raised fleet", "alert_resolved fleet");
    }

    [Fact]
    public async Task ErrorsInTheWindowRaiseOnceAndResolveAsTheyAgeOut()
    {
        var time = new ManualTimeProvider();
        var rule = AlertKit.Rule("errors", "error_count", threshold: 2);
        rule.WindowSeconds = 300;
        await using var server = await SwitchboardServer.StartAsync(o => o.Alerts.Rules.Add(rule), time: time);
        await server.Http.CreateAsync("a", new { state = "working" });
        await server.Http.CreateAsync("b", new { state = "working" });
        (await server.Http.PatchAsync("/api/sessions/a", new { state = "error" })).Status.ShouldBe(200);
        (await server.Http.PatchAsync("/api/sessions/a", new { state = "working" })).Status.ShouldBe(200);
        await server.SettleAsync();
        (await server.HistoryAsync("errors")).ShouldBeEmpty();

        time.Advance(TimeSpan.FromMinutes(2));
        (await server.Http.PatchAsync("/api/sessions/b", new { state = "error" })).Status.ShouldBe(200);
        await server.ExpectHistoryAsync("errors", "alert_raised fleet");
        time.Advance(TimeSpan.FromMinutes(4.5));
        await server.ExpectHistoryAsync("errors", "alert_raised fleet", "alert_resolved fleet");
    }

    [Fact]
    public async Task AfterARestartTheWindowIsSeededFromTheRollupsAndTheAlertIsNeitherRaisedAgainNorDropped()
    {
        var time = new ManualTimeProvider();
        using var data = new TempDirectory();
        void Configure(SwitchboardOptions o) => o.Alerts.Rules.Add(Burn("spend", "cost", perHour: 6m, window: 600));
        await using (var first = await SwitchboardServer.StartAsync(Configure, time, data.Path))
        {
            await first.Http.CreateAsync("a", new { state = "working" });
            (await first.Http.PostAsync("/api/sessions/a/usage", new { cost_usd = 1.2m })).Status.ShouldBe(200);
            await first.ExpectHistoryAsync("spend", "alert_raised fleet");
        }

        time.Advance(TimeSpan.FromMinutes(2));
        await using var second = await SwitchboardServer.StartAsync(Configure, time, data.Path);
        await second.SettleAsync();
        (await second.HistoryAsync("spend")).ShouldBe(["alert_raised fleet"], "the window still holds the 1.2 USD, from the rollups");
        time.Advance(TimeSpan.FromMinutes(9.5));
        await second.ExpectHistoryAsync("spend", "alert_raised fleet", "alert_resolved fleet");
    }
}
