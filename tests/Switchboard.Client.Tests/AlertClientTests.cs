using Switchboard.Server.Alerts.Options;
using Switchboard.Server.Options;
using Switchboard.Testing;

namespace Switchboard.Client.Tests;

/// <summary>Typed SDK calls for alert rules, alerts and webhook endpoints, against a real server.</summary>
public sealed class AlertClientTests
{
    [Fact]
    public async Task RulesAlertsAndWebhooksRoundTripThroughTheSdk()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var client = new SwitchboardClient(server.BaseAddress);

        var rule = await client.CreateAlertRuleAsync(new AlertRule("errors", "Errors", "session_error", "critical", Labels: new Dictionary<string, string> { ["team"] = "red" }));
        rule.Source.ShouldBe("api");
        (await client.ListAlertRulesAsync()).ShouldHaveSingleItem().Labels!["team"].ShouldBe("red");
        (await client.GetAlertRuleAsync("errors"))!.Condition.ShouldBe("session_error");
        (await client.GetAlertRuleAsync("nope")).ShouldBeNull();
        var problem = await Should.ThrowAsync<SwitchboardApiException>(() => client.CreateAlertRuleAsync(new AlertRule(null, "Bad", "stalled")));
        problem.StatusCode.ShouldBe(400);

        await client.CreateSessionAsync(new NewSession { Id = "a", State = SessionState.Error, Labels = new Dictionary<string, string> { ["team"] = "red" } });
        AlertList open = new([], 0);
        await TestTimeouts.Eventually(async () => (open = await client.ListAlertsAsync()).Alerts.Count == 1, "the alert");
        var alert = open.Alerts[0];
        alert.IsOpen.ShouldBeTrue();
        alert.SessionId.ShouldBe("a");
        alert.Severity.ShouldBe("critical");
        var acked = await client.AcknowledgeAlertAsync(alert.Id, "ops", "on it");
        acked.AcknowledgedBy.ShouldBe("ops");
        (await client.GetAlertAsync(alert.Id))!.Note.ShouldBe("on it");
        (await client.GetAlertAsync("al_nope")).ShouldBeNull();

        var hook = await client.CreateWebhookAsync(new WebhookSpec("http://127.0.0.1:9/hook", Id: "ops", EventTypes: ["alert_raised"], Format: "slack"));
        hook.Secret.ShouldNotBeNullOrEmpty();
        hook.State.ShouldBe("active");
        (await client.GetWebhookAsync("ops"))!.Secret.ShouldBeNull();
        (await client.ListWebhooksAsync()).ShouldHaveSingleItem().Format.ShouldBe("slack");
        (await client.ReplayWebhookAsync("ops", 1)).Cursor.ShouldBe(0);
        var replaced = await client.ReplaceWebhookAsync("ops", new WebhookSpec("http://127.0.0.1:9/other", EventTypes: ["alert_resolved"], Enabled: false));
        replaced!.Url.ShouldBe("http://127.0.0.1:9/other");
        replaced.EventTypes.ShouldBe(["alert_resolved"]);
        replaced.Enabled.ShouldBeFalse();
        (await client.GetWebhookAsync("ops"))!.Url.ShouldBe("http://127.0.0.1:9/other");
        (await client.ReplaceWebhookAsync("nope", new WebhookSpec("http://127.0.0.1:9/x"))).ShouldBeNull();
        (await client.DeleteWebhookAsync("ops")).ShouldBeTrue();
        (await client.DeleteWebhookAsync("ops")).ShouldBeFalse();

        (await client.DeleteAlertRuleAsync("errors")).ShouldBeTrue();
        await TestTimeouts.Eventually(async () => (await client.ListAlertsAsync(AlertStateFilter.Resolved)).Alerts.Count == 1, "resolved with the rule");
        (await client.ListAlertsAsync()).Alerts.ShouldBeEmpty();
    }

    [Fact]
    public async Task SubscribingToAlertsYieldsTypedAlertEvents()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Alerts.Rules.Add(new AlertRuleOptions { Id = "errors", Condition = "session_error" }));
        using var client = new SwitchboardClient(server.BaseAddress);
        await using var stream = new StreamReader(client, "alerts");
        await stream.NextAsync<SnapshotReset>();
        await client.CreateSessionAsync(new NewSession { Id = "a", State = SessionState.Error });
        var raised = await stream.NextAsync<AlertEvent>();
        raised.Type.ShouldBe("alert_raised");
        raised.SessionId.ShouldBe("a");
        raised.Alert.RuleId.ShouldBe("errors");
        raised.Alert.IsOpen.ShouldBeTrue();
        await client.UpdateSessionAsync("a", new SessionUpdate { State = SessionState.Idle });
        var resolved = await stream.NextAsync<AlertEvent>();
        resolved.Alert.ResolveReason.ShouldBe("cleared");
        resolved.Seq!.Value.ShouldBeGreaterThan(raised.Seq!.Value);
    }
}
