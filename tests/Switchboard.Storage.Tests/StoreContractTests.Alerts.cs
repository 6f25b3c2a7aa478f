using System.Text.Json;
using Switchboard.Core.Alerts;
using Switchboard.Core.Events;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;

namespace Switchboard.Storage.Tests;

/// <summary>Alerts: one open alert per rule and subject, each change one event in the same transaction; rules are rows.</summary>
public abstract partial class StoreContractTests
{
    private static Alert NewAlert(string rule, string subject, string? sessionId = null) => new()
    {
        Id = Alert.NewId(),
        RuleId = rule,
        RuleName = rule + " rule",
        Condition = AlertCondition.SessionError,
        Severity = AlertSeverity.Critical,
        Subject = subject,
        SessionId = sessionId,
        Message = "went wrong",
    };

    [Fact]
    public async Task AnAlertIsRaisedOncePerRuleAndSubjectUntilResolved()
    {
        var store = await OpenAsync();
        await WriteOne(store, new CreateSession { Id = "s1" });
        var first = await WriteOne(store, new RaiseAlert(NewAlert("r1", "s1", "s1")));
        var again = await WriteOne(store, new RaiseAlert(NewAlert("r1", "s1", "s1")));
        var otherRule = await WriteOne(store, new RaiseAlert(NewAlert("r2", "s1", "s1")));

        first.Event!.Type.ShouldBe(EventTypes.AlertRaised);
        first.Event.SessionId.ShouldBe("s1");
        first.Alert!.RaisedSeq.ShouldBe(first.Event.Seq);
        again.Succeeded.ShouldBeTrue();
        again.Event.ShouldBeNull();
        otherRule.Event.ShouldNotBeNull();

        var alerts = (IAlertStore)store;
        (await alerts.ListAlertsAsync(openOnly: true, 100, CancellationToken.None)).Count.ShouldBe(2);

        var resolved = await WriteOne(store, new ResolveAlert("r1", "s1", "cleared"));
        resolved.Event!.Type.ShouldBe(EventTypes.AlertResolved);
        (await WriteOne(store, new ResolveAlert("r1", "s1", "cleared"))).Event.ShouldBeNull();
        var stored = await alerts.GetAlertAsync(first.Alert.Id, CancellationToken.None);
        stored!.IsOpen.ShouldBeFalse();
        stored.ResolvedSeq.ShouldBe(resolved.Event.Seq);
        stored.ResolveReason.ShouldBe("cleared");

        var raisedAgain = await WriteOne(store, new RaiseAlert(NewAlert("r1", "s1", "s1")));
        raisedAgain.Event.ShouldNotBeNull();
        (await alerts.ListAlertsAsync(openOnly: true, 100, CancellationToken.None)).Select(a => a.RuleId).Order().ShouldBe(["r1", "r2"]);
        (await alerts.ListAlertsAsync(openOnly: false, 100, CancellationToken.None)).ShouldHaveSingleItem().Id.ShouldBe(first.Alert.Id);

        var events = await store.ReadEventsAsync(new EventQuery { AfterSeq = 1 }, CancellationToken.None);
        events.Select(e => e.Type).ShouldBe([EventTypes.AlertRaised, EventTypes.AlertRaised, EventTypes.AlertResolved, EventTypes.AlertRaised]);
        using var data = JsonDocument.Parse(events[0].Data);
        data.RootElement.GetProperty("alert").GetProperty("rule_id").GetString().ShouldBe("r1");
    }

    [Fact]
    public async Task AcknowledgingRecordsWhoAndANoteAndAnUnknownAlertIsNotFound()
    {
        var store = await OpenAsync();
        var raised = await WriteOne(store, new RaiseAlert(NewAlert("r1", Alert.FleetSubject)));
        var acked = await WriteOne(store, new AcknowledgeAlert(raised.Alert!.Id, "ops@example.com", "looking"));
        acked.Event!.Type.ShouldBe(EventTypes.AlertAcknowledged);
        acked.Event.SessionId.ShouldBeNull();

        var stored = await ((IAlertStore)store).GetAlertAsync(raised.Alert.Id, CancellationToken.None);
        stored!.AcknowledgedBy.ShouldBe("ops@example.com");
        stored.Note.ShouldBe("looking");
        stored.IsOpen.ShouldBeTrue();

        var missing = await WriteOne(store, new AcknowledgeAlert("al_nope", "me", null));
        missing.Error!.Code.ShouldBe("alert_not_found");
        (await store.GetLogBoundsAsync(CancellationToken.None)).HeadSeq.ShouldBe(acked.Event.Seq);
    }

    [Fact]
    public async Task OpenAlertsAndRulesSurviveAReopen()
    {
        var store = await OpenAsync();
        var rules = (IAlertStore)store;
        var rule = new AlertRule { Id = "cost", Name = "Expensive", Condition = AlertCondition.SessionCost, Threshold = 2.5m, Labels = new Dictionary<string, string> { ["team"] = "red" } };
        await rules.PutAlertRuleAsync(rule, expectedVersion: null, CancellationToken.None);
        await rules.PutAlertRuleAsync(rule with { Name = "Very expensive" }, expectedVersion: null, CancellationToken.None);
        await WriteOne(store, new RaiseAlert(NewAlert("cost", "s9")));
        await CloseAsync(store);

        var reopened = (IAlertStore)await OpenAsync();
        var stored = (await reopened.ListAlertRulesAsync(CancellationToken.None)).ShouldHaveSingleItem();
        stored.ShouldBeEquivalentTo(rule with { Name = "Very expensive", Version = 2 });
        (await reopened.ListAlertsAsync(openOnly: true, 10, CancellationToken.None)).ShouldHaveSingleItem().Subject.ShouldBe("s9");
        (await WriteOne((ISessionStore)reopened, new RaiseAlert(NewAlert("cost", "s9")))).Event.ShouldBeNull();
        (await reopened.DeleteAlertRuleAsync("cost", CancellationToken.None)).ShouldBeTrue();
        (await reopened.DeleteAlertRuleAsync("cost", CancellationToken.None)).ShouldBeFalse();
        (await reopened.ListAlertRulesAsync(CancellationToken.None)).ShouldBeEmpty();
    }

    [Fact]
    public async Task AWebhookReplayAnswersWithTheRowItWroteAndAStaleDispatcherCannotUndoIt()
    {
        var store = await OpenAsync();
        var hooks = (IWebhookStore)store;
        var now = DateTimeOffset.UtcNow;
        await hooks.CreateWebhookAsync(new Switchboard.Core.Webhooks.WebhookEndpoint { Id = "hook", Url = "http://127.0.0.1:9/", Secret = "s" }, CancellationToken.None);
        (await hooks.AcquireWebhookLeaseAsync("hook", "node", now, now.AddMinutes(1), CancellationToken.None)).ShouldNotBeNull();
        var failing = new Switchboard.Core.Webhooks.WebhookProgress(7, Switchboard.Core.Webhooks.WebhookStates.Failing, 3, 3, 3, "refused", now);
        (await hooks.SaveWebhookProgressAsync("hook", "node", 0, failing, CancellationToken.None)).ShouldBeTrue();

        var reset = (await hooks.ResetWebhookCursorAsync("hook", 2, CancellationToken.None)).ShouldNotBeNull();
        reset.Cursor.ShouldBe(2);
        reset.State.ShouldBe(Switchboard.Core.Webhooks.WebhookStates.Active);
        reset.ConsecutiveFailures.ShouldBe(0);
        reset.Url.ShouldBe("http://127.0.0.1:9/");

        // A dispatcher that read cursor 7 before the replay cannot write its progress over it.
        (await hooks.SaveWebhookProgressAsync("hook", "node", 7, failing with { Cursor = 9 }, CancellationToken.None)).ShouldBeFalse();
        (await hooks.GetWebhookAsync("hook", CancellationToken.None))!.Cursor.ShouldBe(2);
        (await hooks.ResetWebhookCursorAsync("nope", 0, CancellationToken.None)).ShouldBeNull();
    }
}
