using Microsoft.Playwright;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>
/// <c>waiting</c> (blocked on a person) on the dashboard: its own badge and colour, a header tile that counts it and opens
/// its view, a state chip; and a state the page has never heard of, shown by its name.
/// </summary>
public sealed class WaitingStateTests(Chromium chromium)
{
    [Fact]
    public async Task AWaitingSessionHasItsBadgeTileAndChipAndMovesBackToWorkingLive()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("asks", "Refactor parser", state: "working");
        await server.Http.CreateAsync("idles", "Write release notes", state: "idle");
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        await Expect(page.Rows).ToHaveCountAsync(2);
        await Expect(page.Stat("waiting")).ToHaveTextAsync("0");

        await server.Http.PatchAsync("asks", new { state = "waiting" });
        await Expect(page.Badge("asks")).ToHaveTextAsync("Waiting for you");
        await Expect(page.Badge("asks")).ToHaveAttributeAsync("data-state", "waiting");
        await Expect(page.Stat("waiting")).ToHaveTextAsync("1");
        await Expect(page.Page.GetByTestId("waiting-tile")).ToHaveAttributeAsync("data-alert", "true");
        await Expect(page.Page.GetByTestId("filter-state-waiting").Locator(".chip-count")).ToHaveTextAsync("1");
        await Expect(page.EventItems.First).ToContainTextAsync("Processing → Waiting for you");

        await page.Page.GetByTestId("waiting-tile").ClickAsync();
        await Expect(page.Page.GetByTestId("filter-state-waiting")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(page.Rows).ToHaveCountAsync(1);
        await Expect(page.Row("asks")).ToBeVisibleAsync();
        new Uri(page.Page.Url).Query.ShouldContain("state=waiting");

        await server.Http.PatchAsync("asks", new { state = "working" });
        await Expect(page.Rows).ToHaveCountAsync(0);
        await Expect(page.Stat("waiting")).ToHaveTextAsync("0");
        await Expect(page.Page.GetByTestId("waiting-tile")).Not.ToHaveAttributeAsync("data-alert", "true");
        await Expect(page.EventItems.First).ToContainTextAsync("Waiting for you → Processing");
        page.ShouldHaveNoScriptErrors();
    }

    [Theory]
    [InlineData(ColorScheme.Light)]
    [InlineData(ColorScheme.Dark)]
    public async Task TheWaitingBadgeHasAColourNoOtherStateHas(ColorScheme scheme)
    {
        await using var server = await SwitchboardServer.StartAsync();
        string[] states = ["initializing", "idle", "working", "paused", "error", "terminating", "waiting"];
        foreach (var state in states)
        {
            await server.Http.CreateAsync("s-" + state, state: state == "terminating" ? "working" : state);
        }

        await server.Http.PatchAsync("s-terminating", new { state = "terminating" });
        await server.Http.CreateAsync("s-terminated");
        await server.Http.TerminateAsync("s-terminated");
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, "?state=all", scheme);
        await Expect(page.Rows).ToHaveCountAsync(states.Length + 1);

        var colours = new Dictionary<string, string>();
        foreach (var state in states.Append("terminated"))
        {
            await Expect(page.Badge("s-" + state)).ToHaveAttributeAsync("data-state", state);
            colours[state] = await page.Badge("s-" + state).EvaluateAsync<string>("b => getComputedStyle(b).color");
        }

        colours.Where(c => c.Key != "waiting").Select(c => c.Value).ShouldNotContain(colours["waiting"], string.Join(", ", colours));
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task AStateThePageDoesNotKnowIsShownByItsNameAndCountedAsActive()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await using var proxy = await RenamingProxy.StartAsync(server.BaseAddress, "\"waiting\"", "\"napping\"");
        await server.Http.CreateAsync("naps", "Refactor parser", state: "working");
        await using var page = await DashboardPage.OpenAsync(chromium, proxy.BaseAddress, "?sort=state");
        await Expect(page.Rows).ToHaveCountAsync(1);

        await server.Http.PatchAsync("naps", new { state = "waiting" });
        await Expect(page.Badge("naps")).ToHaveTextAsync("napping");
        await Expect(page.Badge("naps")).ToHaveAttributeAsync("data-state", "napping");
        await Expect(page.Stat("active")).ToHaveTextAsync("1");
        await Expect(page.EventItems.First).ToContainTextAsync("Processing → napping");

        await page.Row("naps").ClickAsync();
        await Expect(page.Detail).ToHaveAttributeAsync("data-session-id", "naps");
        await Expect(page.Detail.GetByTestId("state-badge")).ToHaveTextAsync("napping");
        page.ShouldHaveNoScriptErrors();
    }
}
