using Switchboard.FunctionalTests.Alerts;
using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Alerts.Options;
using Switchboard.Server.Options;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Commands;

/// <summary>Rules act: an alert rule's action issues its command to the alert's session, in the alert's transaction, once per alert.</summary>
public sealed class CommandRuleTests
{
    [Fact]
    public async Task ABudgetRuleCancelsARunPastItsThresholdOncePerAlert()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Alerts.Rules.Add(new AlertRuleOptions
        {
            Id = "budget", Name = "Cancel runs past $5", Condition = "session_cost", Threshold = 5,
            Action = new AlertActionOptions { Type = "cancel", Text = "over the $5 budget" },
        }));
        await server.Http.CreateAsync("cheap", new { state = "working" });
        await server.Http.CreateAsync("spender", new { state = "working", lease_seconds = 60 });
        await server.Http.PostAsync("/api/sessions/cheap/usage", new { cost_usd = 1 });
        await server.Http.PostAsync("/api/sessions/spender/usage", new { cost_usd = 6 });
        await server.ExpectHistoryAsync("budget", "alert_raised spender");
        await server.Http.ExpectHistoryAsync("spender", "command_issued cancel");

        // More spending raises nothing more: the alert is open, so no second command (the usage answer hands this one over).
        (await server.Http.PostAsync("/api/sessions/spender/usage", new { cost_usd = 3 })).Body.GetProperty("commands").GetArrayLength().ShouldBe(1);
        await server.SettleAsync();
        (await server.Http.CommandHistoryAsync("spender")).ShouldBe(["command_issued cancel", "command_delivered cancel"]);
        (await server.Http.CommandHistoryAsync("cheap")).ShouldBeEmpty();

        var events = await server.Http.EventsAsync(sessionId: "spender");
        var raised = events.Single(e => e.Str("type") == "alert_raised");
        var issued = events.Single(e => e.Str("type") == "command_issued");
        issued.Long("seq").ShouldBe(raised.Long("seq") + 1, "issued in the alert's transaction, right after it");
        var command = CommandKit.Command(issued);
        command.Str("issued_by").ShouldBe("rule:budget");
        command.Str("text").ShouldBe("over the $5 budget");
        command.GetProperty("data").Str("alert_id").ShouldBe(AlertKit.Alert(raised).Str("id"));
        command.GetProperty("data").Str("rule_id").ShouldBe("budget");

        // Handed over once: a heartbeat inside its visibility timeout does not repeat it (it comes again after it).
        (await server.Http.PostAsync("/api/sessions/spender/heartbeat")).Body.CommandIds().ShouldBeEmpty();
    }

    [Fact]
    public async Task ASubtreeBudgetRuleCancelsTheRunWhoseSubAgentsSpentPastIt()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var rule = await server.Http.PostAsync("/api/alert-rules", new
        {
            id = "run-budget", name = "Cancel runs past $5, sub-agents included", condition = "session_cost", threshold = 5,
            scope = "subtree", labels = new { kind = "run" }, action = new { type = "cancel", text = "the run is over budget" },
        });
        rule.Status.ShouldBe(201, rule.Body.ToString());
        await server.Http.CreateAsync("run", new { state = "working", labels = new { kind = "run" } });
        await server.Http.CreateAsync("helper-1", new { state = "working", parent_id = "run" });
        await server.Http.CreateAsync("helper-2", new { state = "working", parent_id = "helper-1" });

        // No session spends $5 on its own; the run's subtree does.
        await server.Http.PostAsync("/api/sessions/helper-1/usage", new { cost_usd = 2 });
        await server.Http.PostAsync("/api/sessions/helper-2/usage", new { cost_usd = 2.5 });
        await server.SettleAsync();
        (await server.Http.CommandHistoryAsync("run")).ShouldBeEmpty();
        await server.Http.PostAsync("/api/sessions/helper-2/usage", new { cost_usd = 1 });

        await server.ExpectHistoryAsync("run-budget", "alert_raised run");
        await server.Http.ExpectHistoryAsync("run", "command_issued cancel");
        var issued = (await server.Http.EventsAsync(sessionId: "run")).Single(e => e.Str("type") == "command_issued");
        CommandKit.Command(issued).Str("issued_by").ShouldBe("rule:run-budget");
        (await server.Http.CommandHistoryAsync("helper-1")).ShouldBeEmpty("the rule watches runs; the sub-agents are counted in their run");
        (await server.Http.CommandHistoryAsync("helper-2")).ShouldBeEmpty();
    }

    [Fact]
    public async Task EachNewAlertOfARuleOverHttpIssuesItsCommandAgainAndAFleetRuleTakesNoAction()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var rule = await server.Http.PostAsync("/api/alert-rules", new { id = "stop-errors", name = "Pause on error", condition = "session_error", action = new { type = "pause", text = "check the logs" } });
        rule.Status.ShouldBe(201, rule.Body.ToString());
        rule.Body.GetProperty("action").Str("type").ShouldBe("pause");
        (await server.Http.GetJsonAsync("/api/alert-rules/stop-errors")).Body.GetProperty("action").Str("text").ShouldBe("check the logs");
        (await server.Http.PostAsync("/api/alert-rules", new { name = "x", condition = "active_count", threshold = 3, action = new { type = "cancel" } })).ShouldBeProblem(400, "action");
        (await server.Http.PostAsync("/api/alert-rules", new { name = "x", condition = "session_error", action = new { type = "resume" } })).ShouldBeProblem(400, "action.type");
        (await server.Http.PostAsync("/api/alert-rules", new { name = "x", condition = "session_error", action = new { type = "message" } })).ShouldBeProblem(400, "action.text");
        (await server.Http.PostAsync("/api/alert-rules", new { name = "x", condition = "session_error", action = new { type = "cancel", when = "now" } })).ShouldBeProblem(400, "action.when");

        await server.Http.CreateAsync("flaky", new { state = "working" });
        await server.Http.PatchAsync("/api/sessions/flaky", new { state = "error", error_message = "boom" });
        await server.ExpectHistoryAsync("stop-errors", "alert_raised flaky");
        await server.Http.PatchAsync("/api/sessions/flaky", new { state = "working" });
        await server.ExpectHistoryAsync("stop-errors", "alert_raised flaky", "alert_resolved flaky");
        await server.Http.PatchAsync("/api/sessions/flaky", new { state = "error", error_message = "boom again" });
        await server.ExpectHistoryAsync("stop-errors", "alert_raised flaky", "alert_resolved flaky", "alert_raised flaky");
        await server.Http.ExpectHistoryAsync("flaky", "command_issued pause", "command_delivered pause", "command_issued pause");
    }
}
