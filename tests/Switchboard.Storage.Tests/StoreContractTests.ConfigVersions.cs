using Switchboard.Core.Alerts;
using Switchboard.Core.Storage;
using Switchboard.Core.Webhooks;

namespace Switchboard.Storage.Tests;

/// <summary>
/// Webhook endpoints and stored alert rules carry the version of their configuration: a PUT that expects a version
/// compares and writes in one statement, so a stale one changes nothing and of two racing ones exactly one lands.
/// </summary>
public abstract partial class StoreContractTests
{
    private static WebhookEndpoint Hook(string url) => new() { Id = "hook", Url = url, Secret = "0123456789abcdef" };

    private static AlertRule Rule(string name) => new() { Id = "rule", Name = name, Condition = AlertCondition.SessionError };

    [Fact]
    public async Task AWebhookStartsAtVersionOneAndOnlyAConfigurationChangeBumpsIt()
    {
        var hooks = (IWebhookStore)await OpenAsync();
        var now = DateTimeOffset.UtcNow;
        (await hooks.CreateWebhookAsync(Hook("http://127.0.0.1:9/a"), CancellationToken.None)).ShouldBeTrue();
        (await hooks.GetWebhookAsync("hook", CancellationToken.None))!.Version.ShouldBe(1);

        (await hooks.UpdateWebhookAsync(Hook("http://127.0.0.1:9/b"), expectedVersion: null, CancellationToken.None))!.Version.ShouldBe(2);
        (await hooks.UpdateWebhookAsync(Hook("http://127.0.0.1:9/b"), expectedVersion: 2, CancellationToken.None))!.Version.ShouldBe(2);

        // Delivery and an operator's replay move the delivery state, not the configuration's version.
        (await hooks.AcquireWebhookLeaseAsync("hook", "node", now, now.AddMinutes(1), CancellationToken.None))!.Version.ShouldBe(2);
        var progress = new WebhookProgress(5, WebhookStates.Failing, 1, 1, 1, "refused", now);
        (await hooks.SaveWebhookProgressAsync("hook", "node", 0, progress, CancellationToken.None)).ShouldBeTrue();
        (await hooks.ResetWebhookCursorAsync("hook", 1, CancellationToken.None))!.Version.ShouldBe(2);
        (await hooks.ListWebhooksAsync(CancellationToken.None)).ShouldHaveSingleItem().Version.ShouldBe(2);
    }

    [Fact]
    public async Task AWebhookUpdateExpectingAnOldVersionChangesNothing()
    {
        var hooks = (IWebhookStore)await OpenAsync();
        await hooks.CreateWebhookAsync(Hook("http://127.0.0.1:9/a"), CancellationToken.None);
        await hooks.UpdateWebhookAsync(Hook("http://127.0.0.1:9/b"), expectedVersion: 1, CancellationToken.None);

        (await hooks.UpdateWebhookAsync(Hook("http://127.0.0.1:9/stale") with { Enabled = false }, expectedVersion: 1, CancellationToken.None)).ShouldBeNull();
        var kept = (await hooks.GetWebhookAsync("hook", CancellationToken.None))!;
        (kept.Url, kept.Enabled, kept.Version).ShouldBe(("http://127.0.0.1:9/b", true, 2L));
        (await hooks.UpdateWebhookAsync(Hook("http://127.0.0.1:9/c") with { Id = "none" }, expectedVersion: 1, CancellationToken.None)).ShouldBeNull();
        (await hooks.GetWebhookAsync("none", CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task WebhookUpdatesRacingWithTheSameExpectedVersionApplyExactlyOnce()
    {
        var hooks = (IWebhookStore)await OpenAsync();
        await hooks.CreateWebhookAsync(Hook("http://127.0.0.1:9/a"), CancellationToken.None);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => hooks.UpdateWebhookAsync(Hook($"http://127.0.0.1:9/{i}"), expectedVersion: 1, CancellationToken.None))));

        var winner = results.Where(r => r is not null).ShouldHaveSingleItem()!;
        winner.Version.ShouldBe(2);
        var stored = (await hooks.GetWebhookAsync("hook", CancellationToken.None))!;
        (stored.Url, stored.Version).ShouldBe((winner.Url, 2L));
    }

    [Fact]
    public async Task AnAlertRuleStartsAtVersionOneAndOnlyAChangeBumpsIt()
    {
        var rules = (IAlertStore)await OpenAsync();
        (await rules.PutAlertRuleAsync(Rule("one"), expectedVersion: null, CancellationToken.None))!.Version.ShouldBe(1);
        (await rules.PutAlertRuleAsync(Rule("one"), expectedVersion: null, CancellationToken.None))!.Version.ShouldBe(1);
        (await rules.PutAlertRuleAsync(Rule("two"), expectedVersion: null, CancellationToken.None))!.Version.ShouldBe(2);
        (await rules.PutAlertRuleAsync(Rule("three"), expectedVersion: 2, CancellationToken.None))!.Version.ShouldBe(3);
        (await rules.ListAlertRulesAsync(CancellationToken.None)).ShouldHaveSingleItem().ShouldBeEquivalentTo(Rule("three") with { Version = 3 });
    }

    [Fact]
    public async Task AnAlertRulePutExpectingAnOldVersionChangesNothingAndCreatesNothing()
    {
        var rules = (IAlertStore)await OpenAsync();
        await rules.PutAlertRuleAsync(Rule("one"), expectedVersion: null, CancellationToken.None);
        await rules.PutAlertRuleAsync(Rule("two"), expectedVersion: 1, CancellationToken.None);

        (await rules.PutAlertRuleAsync(Rule("stale"), expectedVersion: 1, CancellationToken.None)).ShouldBeNull();
        (await rules.PutAlertRuleAsync(Rule("new") with { Id = "none" }, expectedVersion: 1, CancellationToken.None)).ShouldBeNull();
        var kept = (await rules.ListAlertRulesAsync(CancellationToken.None)).ShouldHaveSingleItem();
        (kept.Id, kept.Name, kept.Version).ShouldBe(("rule", "two", 2L));
    }

    [Fact]
    public async Task AlertRulePutsRacingWithTheSameExpectedVersionApplyExactlyOnce()
    {
        var rules = (IAlertStore)await OpenAsync();
        await rules.PutAlertRuleAsync(Rule("first"), expectedVersion: null, CancellationToken.None);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => rules.PutAlertRuleAsync(Rule($"racer {i}"), expectedVersion: 1, CancellationToken.None))));

        var winner = results.Where(r => r is not null).ShouldHaveSingleItem()!;
        var stored = (await rules.ListAlertRulesAsync(CancellationToken.None)).ShouldHaveSingleItem();
        (stored.Name, stored.Version).ShouldBe((winner.Name, 2L));
    }
}
