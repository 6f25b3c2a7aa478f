using Switchboard.Server.Alerts.Options;
using Switchboard.Server.Options;
using Switchboard.Testing;

namespace Switchboard.Client.Tests;

/// <summary>Typed SDK calls for alert rules, alerts and webhook endpoints (listed and followed live), against a real server.</summary>
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

    [Fact]
    public async Task FollowingWebhooksYieldsTheWholeListOnJoinAndAgainOnEachChange()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Webhooks.PollInterval = TimeSpan.FromMilliseconds(200));
        using var client = new SwitchboardClient(server.BaseAddress);
        using var stop = new CancellationTokenSource();
        await using var lists = client.FollowWebhooksAsync(cancellationToken: stop.Token).GetAsyncEnumerator(stop.Token);

        (await NextListAsync(lists)).ShouldBeEmpty("no endpoints yet; the join's snapshot is not yielded");

        // Nothing is logged yet, so the endpoint has nothing to deliver: the next list is the one that shows it.
        await client.CreateWebhookAsync(new WebhookSpec("http://127.0.0.1:9/hook", Id: "down"));
        var created = (await NextListAsync(lists)).ShouldHaveSingleItem();
        created.Id.ShouldBe("down");
        created.Url.ShouldBe("http://127.0.0.1:9/hook");
        created.Secret.ShouldBeNull("the topic never carries secrets");
        created.Attempts.ShouldBe(0);

        // A session write gives it an event to deliver to a port nobody listens on: each failed attempt is pushed.
        await client.CreateSessionAsync(new NewSession { Id = "s1" });
        Webhook failing;
        do
        {
            failing = (await NextListAsync(lists)).ShouldHaveSingleItem();
        }
        while (failing.Attempts == 0);

        failing.Failures.ShouldBe(failing.Attempts);
        failing.ConsecutiveFailures.ShouldBeGreaterThan(0);
        failing.LastError.ShouldNotBeNullOrEmpty();
        failing.LastAttemptAt.ShouldNotBeNull();
        failing.Cursor.ShouldBe(created.Cursor, "a failed delivery does not move the cursor");
        failing.Lag.ShouldBeGreaterThan(0);
        var listed = (await client.ListWebhooksAsync()).ShouldHaveSingleItem();
        (listed.Id, listed.Url, listed.Format, listed.Cursor).ShouldBe((failing.Id, failing.Url, failing.Format, failing.Cursor));
        listed.Attempts.ShouldBeGreaterThanOrEqualTo(failing.Attempts);
        await stop.CancelAsync();
    }

    [Fact]
    public async Task FollowingWebhooksWithALabelsScopedKeyIsRefused()
    {
        const string Scoped = "sdk-scoped-key-0123456789";
        await using var server = await SwitchboardServer.StartAsync(o => o.Security.AddApiKeys($"sdk-admin-key-0123456789,{Scoped} team=red"));
        using var client = new SwitchboardClient(server.BaseAddress, new SwitchboardClientOptions { ApiKey = Scoped });
        await using var lists = client.FollowWebhooksAsync().GetAsyncEnumerator();

        var refused = await Should.ThrowAsync<SwitchboardSubscriptionException>(() => lists.MoveNextAsync().AsTask().Within(TestTimeouts.Default));
        refused.Topic.ShouldBe("webhooks");
        refused.Reason.ShouldBe("unauthorized");
        refused.Detail!.ShouldContain("fleet-wide");
    }

    [Fact]
    public async Task FollowingWebhooksYieldsTheListAgainAfterAReconnect()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var admin = new SwitchboardClient(server.BaseAddress);
        await admin.CreateWebhookAsync(new WebhookSpec("http://127.0.0.1:9/hook", Id: "kept"));
        await using var proxy = new TcpProxy(server.BaseAddress);
        using var client = new SwitchboardClient(proxy.BaseAddress);
        var reconnects = 0;
        var options = new SubscribeOptions
        {
            ReconnectBaseDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
            OnReconnecting = (_, _) => Interlocked.Increment(ref reconnects),
        };
        using var stop = new CancellationTokenSource();
        await using var lists = client.FollowWebhooksAsync(options, stop.Token).GetAsyncEnumerator(stop.Token);
        (await NextListAsync(lists)).ShouldHaveSingleItem().Id.ShouldBe("kept");

        proxy.CutAll().ShouldBe(1);
        (await NextListAsync(lists)).ShouldHaveSingleItem().Id.ShouldBe("kept", "the rejoin brings the current list; its Resumed or SnapshotReset is not yielded");
        Volatile.Read(ref reconnects).ShouldBeGreaterThanOrEqualTo(1);
        proxy.Accepted.ShouldBeGreaterThanOrEqualTo(2, "a new connection, not the old one");
        await stop.CancelAsync();
    }

    /// <summary>The next list the follower yields, with the wait bounded.</summary>
    private static async Task<IReadOnlyList<Webhook>> NextListAsync(IAsyncEnumerator<IReadOnlyList<Webhook>> lists)
    {
        (await lists.MoveNextAsync().AsTask().Within(TestTimeouts.Default)).ShouldBeTrue("the follower ended");
        return lists.Current;
    }
}
