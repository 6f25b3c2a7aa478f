using Microsoft.Playwright;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>
/// Operating the session list: sort, search by name or id, the view kept in the URL across a reload, the whole row
/// opening the detail panel, the Errors tile, error text in the row, every label shown or counted in "+N", and state
/// chip counts that follow the label filter.
/// </summary>
public sealed class ListOperationTests(Chromium chromium) : IAsyncLifetime
{
    private SwitchboardServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await SwitchboardServer.StartAsync();
        var http = _server.Http;
        await http.CreateAsync("agent-a1", "Alpha build", new Dictionary<string, string> { ["env"] = "prod", ["region"] = "eu", ["team"] = "core" }, "working");
        await http.CreateAsync("agent-b7", "Bravo index", new Dictionary<string, string> { ["env"] = "prod", ["region"] = "us", ["team"] = "web" }, "idle");
        await http.CreateAsync("agent-c3", "Charlie", new Dictionary<string, string> { ["env"] = "dev", ["region"] = "eu", ["team"] = "core" }, "idle");
        await http.CreateAsync("agent-d4", "Delta", new Dictionary<string, string> { ["team"] = "web" }, "idle");
        await http.UsageAsync("agent-a1", 400, 100, 0.5m);
        await http.UsageAsync("agent-b7", 2000, 1000, 3m);
        await http.UsageAsync("agent-c3", 50, 50, 0.1m);
        await http.PatchAsync("agent-b7", new { state = "error", error_message = "disk full" });
        await http.PatchAsync("agent-c3", new { state = "error", error_message = "timeout talking to the model" });
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private static async Task<string[]> OrderAsync(DashboardPage page) =>
        [.. (await page.Rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.sessionId)"))];

    /// <summary>Waits (up to 5 s) for the rows to show these sessions in this order; the first <paramref name="ignoreTiesOf"/> in any order.</summary>
    private static async Task ExpectOrderAsync(DashboardPage page, string[] expected, int ignoreTiesOf = 0)
    {
        static string Key(string[] ids, int ties) => string.Join(",", ids.Take(ties).Order()) + "|" + string.Join(",", ids.Skip(ties));
        var deadline = DateTime.UtcNow.AddSeconds(5);
        string[] order;
        while (Key(order = await OrderAsync(page), ignoreTiesOf) != Key(expected, ignoreTiesOf) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Key(order, ignoreTiesOf).ShouldBe(Key(expected, ignoreTiesOf));
    }

    [Fact]
    public async Task SortAndSearchAreKeptInTheUrlAcrossAReload()
    {
        await using var page = await DashboardPage.OpenAsync(chromium, _server.BaseAddress);
        await Expect(page.Rows).ToHaveCountAsync(4);

        await page.Page.GetByTestId("sort").SelectOptionAsync("tokens");
        await ExpectOrderAsync(page, ["agent-b7", "agent-a1", "agent-c3", "agent-d4"]);
        await page.Page.GetByTestId("sort").SelectOptionAsync("cost");
        await ExpectOrderAsync(page, ["agent-b7", "agent-a1", "agent-c3", "agent-d4"]);
        await page.Page.GetByTestId("sort").SelectOptionAsync("state");
        await ExpectOrderAsync(page, ["agent-b7", "agent-c3", "agent-a1", "agent-d4"], ignoreTiesOf: 2);
        await page.Page.GetByTestId("sort").SelectOptionAsync("name");
        await ExpectOrderAsync(page, ["agent-a1", "agent-b7", "agent-c3", "agent-d4"]);

        // Search by id, then by name (case-insensitive).
        await page.Page.GetByTestId("filter-search").FillAsync("b7");
        await ExpectOrderAsync(page, ["agent-b7"]);
        await page.Page.GetByTestId("filter-search").FillAsync("CHARL");
        await ExpectOrderAsync(page, ["agent-c3"]);
        await page.Page.GetByTestId("filter-search").FillAsync("");
        await Expect(page.Rows).ToHaveCountAsync(4);

        await page.Page.GetByTestId("filter-search").FillAsync("a");
        await page.Page.GetByTestId("filter-label").FillAsync("team=core");
        await page.Page.GetByTestId("filter-label").PressAsync("Enter");
        await page.Page.GetByTestId("filter-state-error").ClickAsync();
        await ExpectOrderAsync(page, ["agent-c3"]);
        var url = new Uri(page.Page.Url);
        url.Query.ShouldContain("state=error");
        url.Query.ShouldContain("sort=name");
        url.Query.ShouldContain("q=a");
        Uri.UnescapeDataString(url.Query).ShouldContain("label=team=core");

        await page.Page.ReloadAsync();
        await page.ExpectConnectionAsync("connected");
        await ExpectOrderAsync(page, ["agent-c3"]);
        await Expect(page.Page.GetByTestId("filter-state-error")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(page.Page.GetByTestId("sort")).ToHaveValueAsync("name");
        await Expect(page.Page.GetByTestId("filter-search")).ToHaveValueAsync("a");
        await Expect(page.Page.GetByTestId("filter-label")).ToHaveValueAsync("team=core");
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task TheWholeRowOpensTheDetailAndTheErrorsTileFiltersToErrorsWithTheirTextInTheRow()
    {
        await using var page = await DashboardPage.OpenAsync(chromium, _server.BaseAddress);
        await page.Row("agent-d4").GetByTestId("session-tokens").ClickAsync();
        await Expect(page.Detail).ToBeVisibleAsync();
        await Expect(page.Page.GetByTestId("detail-title")).ToHaveTextAsync("Delta");
        await page.Page.GetByTestId("detail-close").ClickAsync();

        await page.Page.GetByTestId("errors-tile").ClickAsync();
        await Expect(page.Page.GetByTestId("filter-state-error")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(page.Rows).ToHaveCountAsync(2);
        var error = page.Row("agent-b7").GetByTestId("session-error");
        await Expect(error).ToBeVisibleAsync();
        await Expect(error).ToHaveTextAsync("disk full");
        await Expect(page.Row("agent-c3").GetByTestId("session-error")).ToHaveTextAsync("timeout talking to the model");

        // Clicking a label chip filters; it does not open the row.
        await page.Row("agent-c3").GetByTestId("label-chip").First.ClickAsync();
        await Expect(page.Detail).ToBeHiddenAsync();
    }

    [Fact]
    public async Task EveryLabelIsVisibleOrCountedAndTheFilteredOneComesFirst()
    {
        await using var page = await DashboardPage.OpenAsync(chromium, _server.BaseAddress);
        var row = page.Row("agent-a1");
        var chips = row.GetByTestId("label-chip");
        await Expect(chips).ToHaveCountAsync(2);
        await Expect(row.GetByTestId("label-more")).ToHaveTextAsync("+1");
        await ExpectFullyShownAsync(row, chips);

        await page.Page.GetByTestId("filter-label").FillAsync("team=core");
        await page.Page.GetByTestId("filter-label").PressAsync("Enter");
        await Expect(page.Rows).ToHaveCountAsync(2);
        await Expect(chips.First).ToHaveTextAsync("team=core");
        await Expect(row.GetByTestId("label-more")).ToHaveTextAsync("+1");
        await ExpectFullyShownAsync(row, chips);
    }

    [Fact]
    public async Task StateChipCountsFollowTheLabelFilter()
    {
        await using var page = await DashboardPage.OpenAsync(chromium, _server.BaseAddress);
        await Expect(Count(page, "error")).ToHaveTextAsync("2");
        await Expect(Count(page, "active")).ToHaveTextAsync("4");

        await page.Page.GetByTestId("filter-label").FillAsync("team=core");
        await page.Page.GetByTestId("filter-label").PressAsync("Enter");
        await Expect(Count(page, "active")).ToHaveTextAsync("2");
        await Expect(Count(page, "error")).ToHaveTextAsync("1");
        await Expect(Count(page, "working")).ToHaveTextAsync("1");
        await Expect(Count(page, "idle")).ToHaveTextAsync("0");

        // Live: another core session in error counts at once.
        await _server.Http.PatchAsync("agent-a1", new { state = "error", error_message = "out of memory" });
        await Expect(Count(page, "error")).ToHaveTextAsync("2");
        await Expect(Count(page, "working")).ToHaveTextAsync("0");
    }

    private static ILocator Count(DashboardPage page, string state) =>
        page.Page.GetByTestId($"filter-state-{state}").Locator(".chip-count");

    /// <summary>Each chip lies wholly inside its row: none is clipped onto a hidden line.</summary>
    private static async Task ExpectFullyShownAsync(ILocator row, ILocator chips)
    {
        var rowBox = (await row.BoundingBoxAsync())!;
        for (var i = 0; i < await chips.CountAsync(); i++)
        {
            var box = (await chips.Nth(i).BoundingBoxAsync())!;
            box.Y.ShouldBeGreaterThanOrEqualTo(rowBox.Y);
            (box.Y + box.Height).ShouldBeLessThanOrEqualTo(rowBox.Y + rowBox.Height);
            var visible = await chips.Nth(i).EvaluateAsync<bool>(
                "el => { const m = el.closest('.session-meta').getBoundingClientRect(); const b = el.getBoundingClientRect(); return b.top >= m.top - 0.5 && b.bottom <= m.bottom + 0.5 && b.right <= m.right + 0.5; }");
            visible.ShouldBeTrue($"chip {i} is clipped");
        }
    }
}
