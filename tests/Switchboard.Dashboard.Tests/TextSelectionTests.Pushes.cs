using System.Text;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>
/// What draws again at every push or tick keeps the nodes of what it still shows: the Usage view's legend and charts, a
/// toast merging the next event, a session's output growing at its end.
/// </summary>
public sealed partial class TextSelectionTests
{
    [Fact]
    public async Task AUsagePushLeavesTheLegendAndTheChartsElementsInPlace()
    {
        await using var server = await TwoTeams.StartAsync();
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

    [Fact]
    public async Task AToastMergingTheNextCreationKeepsItsLinkWhichOpensTheLatestSession()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        await server.Http.CreateAsync("first", "First job");
        var link = page.Toasts.Locator(".toast-detail button");
        await Expect(link).ToHaveTextAsync("First job (first)");
        var shown = await link.ElementHandleAsync();

        await server.Http.CreateAsync("second", "Second job");
        await Expect(page.Toasts.GetByTestId("toast-title")).ToHaveTextAsync("2 sessions created");
        await Expect(link).ToHaveTextAsync("latest: Second job (second)");
        (await shown.EvaluateAsync<bool>("el => el.isConnected")).ShouldBeTrue("the link keeps its element: a click pressed on it as the merge lands is not lost");
        await link.ClickAsync();
        await Expect(page.Page.GetByTestId("detail-title")).ToHaveTextAsync("Second job");
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task NewOutputIsAddedAfterTheTextShownWhichKeepsItsSelection()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("writer", "Writer", state: "working");
        await StreamAsync(server, HttpMethod.Put, "");
        await StreamAsync(server, HttpMethod.Post, "compiling shop\n");
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, "?session=writer");
        var text = page.Page.GetByTestId("detail-output-text");
        await Expect(text).ToHaveTextAsync("compiling shop\n");
        // A person drags over the first word.
        await text.EvaluateAsync("""
            (el) => {
              const range = document.createRange();
              range.setStart(el.firstChild, 0);
              range.setEnd(el.firstChild, "compiling".length);
              getSelection().removeAllRanges();
              getSelection().addRange(range);
            }
            """);
        (await page.SelectedTextAsync()).ShouldBe("compiling");
        await page.WatchDetachmentsAsync("detail-output-text");

        await StreamAsync(server, HttpMethod.Post, "linking shop\n");
        await Expect(text).ToHaveTextAsync("compiling shop\nlinking shop\n");
        (await page.DetachedAsync("detail-output-text")).ShouldBeEmpty("the text already shown stays");
        (await page.SelectedTextAsync()).ShouldBe("compiling");
        page.ShouldHaveNoScriptErrors();
    }

    /// <summary>Creates (PUT) or appends to (POST) the session's text stream <c>output</c>, as a producer does.</summary>
    private static async Task StreamAsync(SwitchboardServer server, HttpMethod method, string text)
    {
        using var request = new HttpRequestMessage(method, "v1/stream/sessions/writer/output")
        {
            Content = new StringContent(text, Encoding.UTF8, "text/plain"),
        };
        using var response = await server.Http.SendAsync(request);
        response.IsSuccessStatusCode.ShouldBeTrue($"{method} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
