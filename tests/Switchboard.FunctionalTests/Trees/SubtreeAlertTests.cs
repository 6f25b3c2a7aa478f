using Switchboard.FunctionalTests.Alerts;
using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Options;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Trees;

/// <summary><c>session_cost</c> and <c>session_tokens</c> with <c>"scope": "subtree"</c> watch a session and everything it started.</summary>
public sealed class SubtreeAlertTests
{
    [Fact]
    public async Task ASubtreeCostRuleRaisesOnTheRunWhenItsChildrenTogetherPassTheThreshold()
    {
        var time = new ManualTimeProvider();
        var subtree = AlertKit.Rule("run-cost", "session_cost", threshold: 1.0m);
        subtree.Scope = "subtree";
        var tokens = AlertKit.Rule("run-tokens", "session_tokens", threshold: 101);
        tokens.Scope = "subtree";
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Alerts.Rules.Add(subtree);
            o.Alerts.Rules.Add(tokens);
            o.Alerts.Rules.Add(AlertKit.Rule("own-cost", "session_cost", threshold: 1.0m));
        }, time: time);
        await server.Http.CreateAsync("run", new { state = "working" });
        await server.Http.CreateAsync("a", new { parent_id = "run", cost_usd = 0.4m, input_tokens = 5 });
        await server.Http.CreateAsync("b", new { parent_id = "a", cost_usd = 0.4m, input_tokens = 60 });
        await server.SettleAsync();
        (await server.HistoryAsync("run-cost")).ShouldBeEmpty();

        (await server.Http.PostAsync("/api/sessions/b/usage", new { cost_usd = 0.3m, output_tokens = 40 })).Status.ShouldBe(200);
        // run and a (1.1: a's subtree holds b) pass, b alone (0.7) does not; tokens: run and a 105, b 100.
        foreach (var ruleId in new[] { "run-cost", "run-tokens" })
        {
            // Both raise in one evaluation pass, in no particular order.
            await TestTimeouts.Eventually(async () => (await server.HistoryAsync(ruleId)).Order().SequenceEqual(["alert_raised a", "alert_raised run"]),
                $"{ruleId} to raise on a and run");
        }

        (await server.HistoryAsync("own-cost")).ShouldBeEmpty("no session's own cost reached 1.0");
        var open = (await server.Http.GetJsonAsync("/api/alerts?state=open")).Body.GetProperty("alerts").EnumerateArray()
            .Single(a => a.Str("rule_id") == "run-cost" && a.Str("session_id") == "run");
        open.Str("message").ShouldContain("subtree of session 'run'");
        open.GetProperty("value").GetDecimal().ShouldBe(1.1m);

        var (status, rule, _) = await server.Http.GetJsonAsync("/api/alert-rules/run-cost");
        (status, rule.Str("scope")).ShouldBe((200, "subtree"));
        var (refused, problem, _) = await server.Http.PostAsync("/api/alert-rules", new { name = "x", condition = "stalled", seconds = 5, scope = "subtree" });
        (refused, problem.Str("field")).ShouldBe((400, "scope"));
    }
}
