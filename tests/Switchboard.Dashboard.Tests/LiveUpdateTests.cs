using Microsoft.Playwright;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>Changes made through the HTTP API appear on the page within a second, in place, with no fetching.</summary>
public sealed class LiveUpdateTests(Chromium chromium)
{
    /// <summary>The acceptance bound: a committed change is on screen within one second.</summary>
    /// <summary>
    /// The list is newest first, so in a busy fleet a new row can push the pressed one down before the button is released;
    /// the browser then clicks the table body (under both), and the click still opens the session that was pressed.
    /// </summary>
    [Fact]
    public async Task AClickOnARowThatANewSessionPushedDownMidClickOpensThePressedSession()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("pressed", "Refactor parser");
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        await Expect(page.Rows).ToHaveCountAsync(1);

        var box = (await page.Row("pressed").Locator("td.c-updated").BoundingBoxAsync())!;
        await page.Page.Mouse.MoveAsync(box.X + box.Width / 2, box.Y + box.Height / 2);
        await page.Page.Mouse.DownAsync();
        await server.Http.CreateAsync("newer", "Triage inbox");
        await Expect(page.Rows.First).ToHaveAttributeAsync("data-session-id", "newer");
        await page.Page.Mouse.UpAsync(); // over the new row now

        await Expect(page.Detail).ToBeVisibleAsync();
        await Expect(page.Detail).ToHaveAttributeAsync("data-session-id", "pressed");
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task StateChangesShowUpLiveWithoutAnyListOrSummaryRequest()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("agent-1", "Refactor parser", new Dictionary<string, string> { ["team"] = "core" }, "idle");
        await server.Http.CreateAsync("agent-2", "Write release notes", new Dictionary<string, string> { ["team"] = "docs" }, "idle");

        // A short poll interval: if the page polled while connected, it would show up within this test. A long grace at
        // load: a join slowed by a loaded machine does not start the fallback, so any list or summary request is a fault.
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, $"?poll_ms=300&{DashboardPage.LongLoadGrace}");
        await Expect(page.Rows).ToHaveCountAsync(2);
        await Expect(page.Stat("active")).ToHaveTextAsync("2");
        var connectedAt = DateTime.UtcNow;

        await server.Http.PatchAsync("agent-1", new { state = "working" });
        await Expect(page.Badge("agent-1")).ToHaveTextAsync("Processing");
        await Expect(page.Stat("working")).ToHaveTextAsync("1");

        const string failure = "Rate limited by the model provider (429); retrying in 30 s";
        await server.Http.PatchAsync("agent-2", new { state = "error", error_message = failure });
        await Expect(page.Badge("agent-2")).ToHaveTextAsync("Error");
        await Expect(page.Badge("agent-2")).ToHaveAttributeAsync("title", failure);
        await Expect(page.Badge("agent-2")).ToHaveAccessibleDescriptionAsync(failure);

        await server.Http.UsageAsync("agent-1", 1200, 340, 0.0184m);
        await Expect(page.Row("agent-1").GetByTestId("session-tokens")).ToHaveTextAsync("1,540");
        await Expect(page.Stat("tokens")).ToHaveTextAsync("1,540");

        await server.Http.CreateAsync("agent-3", "Triage inbox");
        await Expect(page.Row("agent-3")).ToBeVisibleAsync();
        await Expect(page.Toasts.Filter(new() { HasText = "Triage inbox" })).ToHaveAttributeAsync("data-kind", "created");

        await server.Http.TerminateAsync("agent-1");
        await Expect(page.Toasts.Filter(new() { HasText = "Refactor parser" })).ToHaveAttributeAsync("data-kind", "terminated");
        // The row is marked at once (and leaves the active list a few seconds later).
        await Expect(page.Badge("agent-1")).ToHaveTextAsync("Terminated");
        await Expect(page.Row("agent-1")).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        await Expect(page.Stat("active")).ToHaveTextAsync("2");

        // Every lifecycle and state change reached the recent-events panel, newest first.
        await Expect(page.EventItems.First).ToHaveAttributeAsync("data-type", "session_terminated");
        // Usage is left out by default (the feed filter shows lifecycle, state and errors).
        (await page.EventItems.CountAsync()).ShouldBe(4);

        page.PollRequests(connectedAt).ShouldBeEmpty("the page must not poll the list or summary while connected");
        page.PollRequests().ShouldBeEmpty("the join snapshot replaces any initial fetch");
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task PauseButtonPausesAndResumesTheFleet()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        var toggle = page.Page.GetByTestId("fleet-toggle");
        var state = page.Page.GetByTestId("fleet-state");
        await Expect(state).ToHaveAttributeAsync("data-paused", "false");

        await toggle.ClickAsync();
        await Expect(state).ToHaveAttributeAsync("data-paused", "true");
        await Expect(toggle).ToHaveTextAsync("Resume fleet");
        (await server.Http.SendAsync(HttpMethod.Get, "api/fleet")).GetProperty("is_paused").GetBoolean().ShouldBeTrue();

        await toggle.ClickAsync();
        await Expect(state).ToHaveAttributeAsync("data-paused", "false");
        (await server.Http.SendAsync(HttpMethod.Get, "api/fleet")).GetProperty("is_paused").GetBoolean().ShouldBeFalse();

        // A pause by someone else (here: the API) shows up too.
        await server.Http.SendAsync(HttpMethod.Post, "api/fleet/pause");
        await Expect(state).ToHaveTextAsync("Fleet paused");
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task DetailPanelFollowsItsSessionChannelAndLeavesItWhenClosed()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("agent-7", "Index repository", new Dictionary<string, string> { ["team"] = "search", ["env"] = "prod" }, "working");
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);

        await page.Row("agent-7").GetByTestId("session-open").ClickAsync();
        await Expect(page.Detail).ToBeVisibleAsync();
        await Expect(page.Detail).ToHaveAttributeAsync("data-channel", "joined");
        await Expect(page.Page.GetByTestId("detail-title")).ToHaveTextAsync("Index repository");
        await TestTimeouts.Eventually(() => server.SessionWatchers("agent-7") == 1, "the panel's session:agent-7 subscription");

        await server.Http.UsageAsync("agent-7", 5000, 1000, 0.25m);
        await Expect(page.Page.GetByTestId("detail-usage")).ToContainTextAsync("6,000");
        await Expect(page.Page.GetByTestId("detail-timeline").Locator("li").First).ToContainTextAsync("+6,000 tokens");
        await server.Http.PatchAsync("agent-7", new { state = "error", error_message = "disk full" });
        await Expect(page.Page.GetByTestId("detail-error")).ToHaveTextAsync("disk full");

        await page.Page.GetByTestId("detail-close").ClickAsync();
        await Expect(page.Detail).ToBeHiddenAsync();
        await TestTimeouts.Eventually(() => server.SessionWatchers("agent-7") == 0, "the panel to leave session:agent-7");
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task EmbeddedUnderAPrefixTheDashboardWorksNextToTheHostsOwnPages()
    {
        await using var host = await EmbeddedHost.StartAsync("/ops/switchboard");
        await host.Api.CreateAsync("embedded-1", "Nightly build", state: "working");

        // Without the trailing slash the page is redirected to the directory form its relative URLs need.
        await using var page = await DashboardPage.OpenAsync(chromium, host.Root, "ops/switchboard");
        page.Page.Url.ShouldEndWith("/ops/switchboard/");
        await Expect(page.Badge("embedded-1")).ToHaveTextAsync("Processing");
        await host.Api.PatchAsync("embedded-1", new { state = "idle" });
        await Expect(page.Badge("embedded-1")).ToHaveTextAsync("Idle");
        (await host.Http.GetStringAsync("")).ShouldBe(EmbeddedHost.HostHome);
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task EmbeddedWithoutAPrefixTheHostKeepsItsOwnRoot()
    {
        // The dashboard takes "/" only when the app has nothing there: no ambiguous match, the host's page wins.
        await using var host = await EmbeddedHost.StartAsync("");
        (await host.Http.GetStringAsync("")).ShouldBe(EmbeddedHost.HostHome);
        (await host.Http.GetStringAsync("dashboard/js/main.js")).ShouldContain("import");
    }
}
