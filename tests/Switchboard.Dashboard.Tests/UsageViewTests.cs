using System.Text.Json;
using Microsoft.Playwright;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>
/// The Usage view (<c>#usage</c>) in real Chromium against a real server: charts from the live <c>usage</c> topic,
/// updated within 2 s of a write, switching range and split, readable on a phone in light and dark.
/// </summary>
public sealed class UsageViewTests(Chromium chromium)
{
    [Fact]
    public async Task TheViewRendersADemoFleetsUsageAndUpdatesLiveOnAWrite()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Usage.GroupBy.AddRange(["team", "model"]));
        await DemoFleet.CreateAsync(server.Http);
        var tokens = await TotalAsync(server.Http, "total_tokens");
        var peak = await TotalAsync(server.Http, "peak_active_sessions", max: true);
        tokens.ShouldBeGreaterThan(1_000_000);

        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, "#usage");
        var view = page.Page.GetByTestId("usage-view");
        await Expect(view).ToBeVisibleAsync();
        await Expect(page.Page.GetByTestId("session-rows")).Not.ToBeVisibleAsync();
        await Expect(page.Page.GetByTestId("usage-status")).ToHaveAttributeAsync("data-state", "live");
        await Expect(page.Page.GetByTestId("usage-total-tokens")).ToHaveAttributeAsync("data-value", tokens.ToString());
        await Expect(page.Page.GetByTestId("usage-total-active")).ToHaveAttributeAsync("data-value", peak.ToString());
        foreach (var chart in new[] { "tokens", "cost", "active" })
        {
            await Expect(page.Page.GetByTestId($"usage-chart-{chart}").GetByTestId("usage-series")).ToHaveCountAsync(1);
        }

        var wroteAt = DateTime.UtcNow;
        await server.Http.UsageAsync("eval-suite", 1_000_000, 250_000, 4.5m);
        await Expect(page.Page.GetByTestId("usage-total-tokens")).ToHaveAttributeAsync("data-value", (tokens + 1_250_000).ToString());
        page.Requests.ShouldNotContain(r => r.At >= wroteAt && r.Url.AbsolutePath.EndsWith("/api/usage", StringComparison.Ordinal),
            "the write reached the chart over the live usage topic, not a refetch");
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task RangeAndSplitSwitchTheSeriesAndTheNavGoesBackToSessions()
    {
        await using var server = await TwoTeams.StartAsync();

        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        await page.Page.GetByTestId("nav-usage").ClickAsync();
        var view = page.Page.GetByTestId("usage-view");
        var status = page.Page.GetByTestId("usage-status");
        var legend = page.Page.GetByTestId("usage-legend-item");
        await Expect(status).ToHaveAttributeAsync("data-state", "live");
        await Expect(view).ToHaveAttributeAsync("data-bucket", "1m");
        await Expect(legend).ToHaveTextAsync(["Everything"]);

        // Split by team: one line per team, busiest first, on every chart.
        await page.Page.GetByTestId("usage-split").SelectOptionAsync("label:team");
        await Expect(view).ToHaveAttributeAsync("data-group-by", "label:team");
        await Expect(legend).ToHaveTextAsync(["red", "blue"]);
        await Expect(page.Page.GetByTestId("usage-chart-tokens").GetByTestId("usage-series")).ToHaveCountAsync(2);
        await Expect(page.Page.GetByTestId("usage-total-tokens")).ToHaveAttributeAsync("data-value", "4120");

        // Other ranges read other bucket sizes and keep the split; the totals are the same events.
        foreach (var (range, bucket) in new[] { ("24h", "1h"), ("7d", "1h"), ("30d", "1d"), ("1h", "1m") })
        {
            await page.Page.GetByTestId($"usage-range-{range}").ClickAsync();
            await Expect(page.Page.GetByTestId($"usage-range-{range}")).ToHaveAttributeAsync("aria-pressed", "true");
            await Expect(view).ToHaveAttributeAsync("data-bucket", bucket);
            await Expect(status).ToHaveAttributeAsync("data-state", "live");
            await Expect(legend).ToHaveTextAsync(["red", "blue"]);
            await Expect(page.Page.GetByTestId("usage-total-tokens")).ToHaveAttributeAsync("data-value", "4120");
        }

        // A write after switching still arrives: the new channel is live.
        await server.Http.UsageAsync("blue-1", 5000, 0, 0.2m);
        await Expect(legend).ToHaveTextAsync(["blue", "red"]);

        await page.Page.GetByTestId("nav-sessions").ClickAsync();
        await Expect(view).ToBeHiddenAsync();
        await Expect(page.Rows).ToHaveCountAsync(2);
        page.ShouldHaveNoScriptErrors();
    }

    [Theory]
    [InlineData(ColorScheme.Light, "usage-light.png", 1280)]
    [InlineData(ColorScheme.Dark, "usage-phone-dark.png", 390)]
    public async Task TheViewIsReadableOnAPhoneAndOnADesktopInLightAndDark(ColorScheme scheme, string file, int width)
    {
        // An hour of history on a server clock that ends now, so every chart has a shape.
        var clock = DemoUsageHistory.Clock();
        await using var server = await SwitchboardServer.StartAsync(o => o.Usage.GroupBy.AddRange(["team", "model"]), time: clock);
        await DemoUsageHistory.CreateAsync(server.Http, clock);
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, "#usage", scheme: scheme, width: width, height: 844);
        await Expect(page.Page.GetByTestId("usage-status")).ToHaveAttributeAsync("data-state", "live");
        var path = page.Page.GetByTestId("usage-chart-tokens").Locator("[data-testid=usage-series] path");
        (await path.GetAttributeAsync("d"))!.Split('L').Length.ShouldBeGreaterThan(50, "a point for nearly every minute of the hour");
        await page.Page.GetByTestId("usage-split").SelectOptionAsync("label:team");
        await Expect(page.Page.GetByTestId("usage-legend-item")).ToHaveCountAsync(8); // seven teams and "other"

        // Nothing scrolls sideways; every chart fits the screen; the legend text is readable (≥ 12 px).
        var overflowing = await page.Page.EvaluateAsync<string[]>("""
            () => [document.documentElement, ...document.querySelectorAll('.usage-view, .usage-card, .usage-head, .topbar')]
              .filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.className || el.tagName)
            """);
        overflowing.ShouldBeEmpty();
        var chartWidths = await page.Page.EvaluateAsync<double[]>("() => [...document.querySelectorAll('.usage-chart')].map(s => s.getBoundingClientRect().right)");
        chartWidths.ShouldAllBe(right => right <= width);
        var legendFont = await page.Page.EvaluateAsync<double>("() => parseFloat(getComputedStyle(document.querySelector('.usage-legend')).fontSize)");
        legendFont.ShouldBeGreaterThanOrEqualTo(12);

        // Series colours follow the scheme.
        var stroke = await page.Page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('.chart-series path, .chart-series circle')).getPropertyValue('--c').trim()");
        stroke.ShouldBe(scheme == ColorScheme.Dark ? "#818cf8" : "#4f46e5");

        await page.Page.WaitForTimeoutAsync(300);
        var output = Path.Combine(AppContext.BaseDirectory, "screenshots", file);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        await page.Page.ScreenshotAsync(new PageScreenshotOptions { Path = output, FullPage = true, Animations = ScreenshotAnimations.Disabled });
        if (Environment.GetEnvironmentVariable("SWITCHBOARD_UPDATE_SCREENSHOTS") == "1")
        {
            File.Copy(output, Path.Combine(RepoPaths.Root, "docs", file), overwrite: true);
        }

        page.ShouldHaveNoScriptErrors();
    }

    /// <summary>The sum (or the largest) of one field over the last hour, as <c>GET /api/usage</c> reads it.</summary>
    private static async Task<long> TotalAsync(HttpClient http, string field, bool max = false)
    {
        using var response = await http.GetAsync("api/usage?bucket=1m&since=1h");
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var values = doc.RootElement.GetProperty("series").EnumerateArray()
            .SelectMany(s => s.GetProperty("points").EnumerateArray().Select(p => p.GetProperty(field).GetInt64())).ToList();
        return max ? values.Max() : values.Sum();
    }
}
