using Switchboard.Server.Alerts.Options;
using Switchboard.Testing;

namespace Switchboard.Client.Tests;

/// <summary>
/// The SDK reads the version of webhooks and alert rules and sends it back as expected_version: a stale one is the
/// server's 409 <c>version_conflict</c>, as <see cref="SwitchboardApiException"/>, and changes nothing.
/// </summary>
public sealed class VersionClientTests
{
    [Fact]
    public async Task AWebhookReplacedOverAStaleVersionIsAVersionConflict()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var client = new SwitchboardClient(server.BaseAddress);
        var created = await client.CreateWebhookAsync(new WebhookSpec("http://127.0.0.1:9/a", Id: "hook"));
        created.Version.ShouldBe(1);
        var replaced = await client.ReplaceWebhookAsync("hook", new WebhookSpec("http://127.0.0.1:9/b"), expectedVersion: created.Version);
        replaced!.Version.ShouldBe(2);

        var stale = await Should.ThrowAsync<SwitchboardApiException>(() =>
            client.ReplaceWebhookAsync("hook", new WebhookSpec("http://127.0.0.1:9/c"), expectedVersion: created.Version));
        (stale.StatusCode, stale.Code).ShouldBe((409, "version_conflict"));
        var now = (await client.GetWebhookAsync("hook"))!;
        (now.Url, now.Version).ShouldBe(("http://127.0.0.1:9/b", 2L));
        (await client.ListWebhooksAsync()).ShouldHaveSingleItem().Version.ShouldBe(2);
    }

    [Fact]
    public async Task AnAlertRulePutOverAStaleVersionIsAVersionConflict()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Alerts.Rules.Add(new AlertRuleOptions { Id = "configured", Condition = "session_error" }));
        using var client = new SwitchboardClient(server.BaseAddress);
        var created = await client.CreateAlertRuleAsync(new AlertRule("rule", "Errors", "session_error"));
        created.Version.ShouldBe(1);
        (await client.PutAlertRuleAsync("rule", created with { Name = "Renamed" }, expectedVersion: 1)).Version.ShouldBe(2);

        var stale = await Should.ThrowAsync<SwitchboardApiException>(() => client.PutAlertRuleAsync("rule", created with { Name = "Stale" }, expectedVersion: 1));
        (stale.StatusCode, stale.Code).ShouldBe((409, "version_conflict"));
        var now = (await client.GetAlertRuleAsync("rule"))!;
        (now.Name, now.Version).ShouldBe(("Renamed", 2L));
        (await client.GetAlertRuleAsync("configured"))!.Version.ShouldBe(1);
    }
}
