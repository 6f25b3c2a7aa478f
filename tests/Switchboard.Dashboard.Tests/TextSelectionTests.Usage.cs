using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>The Usage view draws at every push and as its window slides: the legend and the charts keep their nodes.</summary>
public sealed partial class TextSelectionTests
{
    [Fact]
    public async Task AUsagePushLeavesTheLegendAndTheChartsElementsInPlace()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Usage.GroupBy.Add("team"));
        await server.Http.CreateAsync("red-1", labels: new Dictionary<string, string> { ["team"] = "red" });
        await server.Http.CreateAsync("blue-1", labels: new Dictionary<string, string> { ["team"] = "blue" });
        await server.Http.UsageAsync("red-1", 3000, 1000, 0.5m);
        await server.Http.UsageAsync("blue-1", 100, 20, 0.01m);
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, "#usage");
        await Expect(page.Page.GetByTestId("usage-status")).ToHaveAttributeAsync("data-state", "live");
        await page.Page.GetByTestId("usage-split").SelectOptionAsync("label:team");
        var legend = page.Page.GetByTestId("usage-legend-item");
        var total = page.Page.GetByTestId("usage-total-tokens");
        await Expect(legend).ToHaveTextAsync(["red", "blue"]);
        await Expect(total).ToHaveAttributeAsync("data-value", "4120");
        await DashboardPage.SelectTextAsync(legend.First);
        (await page.SelectedTextAsync()).ShouldBe("red");
        var charts = new[] { "usage-chart-tokens", "usage-chart-cost", "usage-chart-active" };
        var redDot = await page.Page.Locator("[data-testid=usage-chart-tokens] [data-testid=usage-series][data-group=red] circle").ElementHandleAsync();
        var yLabel = await page.Page.Locator("[data-testid=usage-chart-tokens] .chart-axis text").First.ElementHandleAsync();
        await page.WatchDetachmentsAsync("usage-legend");
        foreach (var chart in charts)
        {
            await page.WatchDetachmentsAsync(chart);
        }

        // A little more for blue: red's figures do not move, blue stays second.
        await server.Http.UsageAsync("blue-1", 10, 0, 0m);
        await Expect(total).ToHaveAttributeAsync("data-value", "4130");
        await Expect(legend).ToHaveTextAsync(["red", "blue"]);
        (await page.DetachedAsync("usage-legend")).ShouldBeEmpty("the groups did not change");
        foreach (var chart in charts)
        {
            (await page.DetachedAsync(chart)).ShouldBeEmpty($"{chart}'s axis and lines change in place");
        }

        (await redDot.EvaluateAsync<bool>("el => el.isConnected")).ShouldBeTrue("red's dot (its tooltip under the pointer) stays");
        (await yLabel.EvaluateAsync<bool>("el => el.isConnected")).ShouldBeTrue("the axis labels stay");
        (await page.SelectedTextAsync()).ShouldBe("red");
        page.ShouldHaveNoScriptErrors();
    }
}
