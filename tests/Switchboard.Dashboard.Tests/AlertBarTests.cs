using Microsoft.Playwright;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Server.Alerts.Options;
using Switchboard.Server.Options;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>
/// The alert bar: an alert raised by a write shows within 2 s, a critical one toasts, and it can be acknowledged with a note.
/// The webhooks strip beside it follows its channel, and the polling fallback while the socket is down.
/// </summary>
public sealed class AlertBarTests(Chromium chromium)
{
    [Fact]
    public async Task AnAlertRaisedByAWriteAppearsAndIsAcknowledgedWithANote()
    {
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Alerts.Rules.Add(new AlertRuleOptions { Id = "errors", Name = "Sessions in error", Condition = "session_error", Severity = "critical" });
            o.Alerts.Rules.Add(new AlertRuleOptions { Id = "old", Name = "Already open", Condition = "session_cost", Threshold = 1 });
        });
        await server.Http.CreateAsync("spender", "Spender", state: "working");
        await server.Http.UsageAsync("spender", 0, 0, 2m);
        await TestTimeouts.Eventually(async () => (await server.Http.GetStringAsync("/api/alerts")).Contains("\"old\"", StringComparison.Ordinal), "the first alert");
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        var bar = page.Page.GetByTestId("alert-bar");
        await Expect(bar).ToBeVisibleAsync();
        await Expect(page.Page.GetByTestId("alert-count")).ToHaveTextAsync("1 open alert");

        var wroteAt = DateTime.UtcNow;
        await server.Http.CreateAsync("broken", "Broken job", state: "working");
        await server.Http.PatchAsync("broken", new { state = "error", error_message = "disk full" });
        var item = page.Page.Locator("[data-testid=alert-item].alert-critical");
        await Expect(item).ToBeVisibleAsync();
        page.Requests.ShouldNotContain(r => r.At >= wroteAt && r.Url.AbsolutePath.EndsWith("/api/alerts", StringComparison.Ordinal),
            "the alert arrived on the live alerts topic, not by a refetch");
        await Expect(item).ToContainTextAsync("Sessions in error");
        await Expect(item).ToContainTextAsync("broken");
        await Expect(item).ToContainTextAsync("disk full");
        await Expect(item.GetByTestId("alert-since")).ToContainTextAsync("since ");
        await Expect(page.Page.GetByTestId("alert-count")).ToHaveTextAsync("2 open alerts");
        await Expect(bar).ToHaveAttributeAsync("data-severity", "critical");
        await Expect(page.Toasts.Filter(new() { HasText = "Critical: Sessions in error" })).ToHaveCountAsync(1);

        await item.GetByTestId("alert-ack").ClickAsync();
        await item.GetByTestId("alert-ack-by").FillAsync("ops");
        await item.GetByTestId("alert-ack-note").FillAsync("replacing the disk");
        await item.GetByTestId("alert-ack-submit").ClickAsync();
        await Expect(item.GetByTestId("alert-acked")).ToHaveTextAsync("Acknowledged by ops · replacing the disk");
        var alerts = await server.Http.GetStringAsync("/api/alerts");
        alerts.ShouldContain("\"acknowledged_by\":\"ops\"");
        alerts.ShouldContain("\"note\":\"replacing the disk\"");

        await server.Http.PatchAsync("broken", new { state = "working" });
        await Expect(item).ToHaveCountAsync(0);
        await Expect(page.Page.GetByTestId("alert-count")).ToHaveTextAsync("1 open alert");
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task AnAcknowledgeFormKeepsItsFocusAndTextWhileAnotherAlertArrives()
    {
        await using var server = await SwitchboardServer.StartAsync(o =>
            o.Alerts.Rules.Add(new AlertRuleOptions { Id = "errors", Name = "Sessions in error", Condition = "session_error", Severity = "critical" }));
        await server.Http.CreateAsync("first", "First", state: "working");
        await server.Http.PatchAsync("first", new { state = "error", error_message = "disk full" });
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        var item = page.Page.Locator("[data-testid=alert-item]").Filter(new() { HasText = "disk full" });
        await item.GetByTestId("alert-ack").ClickAsync();
        var by = item.GetByTestId("alert-ack-by");
        await by.FillAsync("op");
        await page.WatchDetachmentsAsync("alert-list");

        // The newer alert sorts first. The bar used to append every item again at each render, which took the focus
        // (and any click in progress) from the form being filled in.
        await server.Http.CreateAsync("second", "Second", state: "working");
        await server.Http.PatchAsync("second", new { state = "error", error_message = "out of memory" });
        await Expect(page.Page.GetByTestId("alert-count")).ToHaveTextAsync("2 open alerts");
        await Expect(page.Page.GetByTestId("alert-item").First).ToContainTextAsync("out of memory");
        (await page.DetachedAsync("alert-list")).ShouldBeEmpty();
        await Expect(by).ToBeFocusedAsync();
        await by.PressSequentiallyAsync("s");
        await item.GetByTestId("alert-ack-submit").ClickAsync();
        await Expect(item.GetByTestId("alert-acked")).ToHaveTextAsync("Acknowledged by ops");
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task TheWebhooksStripShowsEachEndpointsStateAndLagAsTheyChangeWithoutAsking()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Webhooks.MaxAttempts = 1);
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        var connectedAt = DateTime.UtcNow;
        await Expect(page.Page.GetByTestId("webhooks")).ToBeHiddenAsync();

        // Nothing listens on port 9 (discard): the first delivery fails and, with one attempt allowed, the endpoint is failing.
        await server.Http.SendAsync(HttpMethod.Post, "/api/webhooks", new { id = "ops-hook", url = "http://127.0.0.1:9/hook" });
        var row = page.Page.Locator("[data-testid=webhook-row][data-webhook-id=ops-hook]");
        await Expect(row).ToBeVisibleAsync();
        await server.Http.CreateAsync("w1", "One");
        await server.Http.CreateAsync("w2", "Two");
        await Expect(row.GetByTestId("webhook-state")).ToHaveTextAsync("failing", new() { Timeout = 10_000 });
        await Expect(row.GetByTestId("webhook-lag")).ToHaveTextAsync("2");
        page.Requests.ShouldNotContain(r => r.At >= connectedAt && r.Url.AbsolutePath.EndsWith("/api/webhooks", StringComparison.Ordinal),
            "the strip follows the webhooks channel: no polling while connected");

        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task WhileTheSocketIsDownThePollingFallbackKeepsTheWebhooksStripCurrent()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Webhooks.MaxAttempts = 1);
        await server.Http.SendAsync(HttpMethod.Post, "/api/webhooks", new { id = "ops-hook", url = "http://127.0.0.1:9/hook" });
        var socket = new SocketSwitch();
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, "?poll_ms=500", prepare: socket.AttachAsync);
        var row = page.Page.Locator("[data-testid=webhook-row][data-webhook-id=ops-hook]");
        await Expect(row.GetByTestId("webhook-lag")).ToHaveTextAsync("0");

        await socket.CutAsync();
        await server.Http.CreateAsync("w1", "One");
        await Expect(row.GetByTestId("webhook-state")).ToHaveTextAsync("failing", new() { Timeout = 10_000 });
        await Expect(row.GetByTestId("webhook-lag")).ToHaveTextAsync("1");
        page.ShouldHaveNoScriptErrors();
    }
}
