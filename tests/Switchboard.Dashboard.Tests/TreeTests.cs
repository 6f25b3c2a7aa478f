using Microsoft.Playwright;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>
/// Agent trees on the dashboard, on a phone (390 px) and a laptop (1280 px): list rows show how many children they have
/// and the subtree's cost, and expand and collapse; the detail panel draws the tree, each node with its state and
/// rolled-up cost, live; nodes and the parent link navigate the tree.
/// </summary>
public sealed class TreeTests(Chromium chromium)
{
    [Theory]
    [InlineData(390, 844)]
    [InlineData(1280, 800)]
    public async Task ListRowsNestChildrenWithTheirSubtreeCostAndTheDetailPanelDrawsTheTreeLive(int width, int height)
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("run", "Release orchestrator", state: "working");
        await server.Http.SendAsync(HttpMethod.Post, "api/batch", new
        {
            operations = new object[]
            {
                new { op = "create", id = "plan", name = "Plan the release", parent_id = "run", state = "idle", cost_usd = 0.25 },
                new { op = "create", id = "build", name = "Build and test", parent_id = "run", state = "working", cost_usd = 0.5 },
                new { op = "create", id = "tests", name = "Run the test suite", parent_id = "build", state = "working", cost_usd = 1 },
            },
        });
        await server.Http.CreateAsync("solo", "A lone session", state: "idle");
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, width: width, height: height);

        // Collapsed: the roots only, each with its children count and subtree.
        await Expect(page.Rows).ToHaveCountAsync(2);
        var toggle = page.Row("run").GetByTestId("tree-toggle");
        await Expect(toggle).ToHaveAttributeAsync("data-children", "2");
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "false");
        await Expect(page.Row("run").GetByTestId("session-subtree")).ToHaveTextAsync("$1.75 · 4");
        await Expect(page.Row("solo").GetByTestId("tree-toggle")).ToBeHiddenAsync();

        await toggle.ClickAsync();
        await Expect(page.Rows).ToHaveCountAsync(4);
        await Expect(page.Row("build")).ToHaveAttributeAsync("data-depth", "1");
        await page.Row("build").GetByTestId("tree-toggle").ClickAsync();
        await Expect(page.Row("tests")).ToHaveAttributeAsync("data-depth", "2");
        await Expect(page.Rows).ToHaveCountAsync(5);
        await ShouldFitAsync(page.Page, width);

        // A grandchild's usage rolls up into every row above it, live (no list is fetched again).
        var before = page.Requests.Count(r => r.IsPoll);
        await server.Http.UsageAsync("tests", 1000, 200, 0.5m);
        await Expect(page.Row("run").GetByTestId("session-subtree")).ToHaveTextAsync("$2.25 · 4");
        await Expect(page.Row("build").GetByTestId("session-subtree")).ToHaveTextAsync("$2.00 · 2");
        page.Requests.Count(r => r.IsPoll).ShouldBe(before, "updates are applied in place");

        await toggle.ClickAsync();
        await Expect(page.Rows).ToHaveCountAsync(2);

        // The detail panel draws the tree with each node's state and rolled-up cost.
        await page.Row("run").GetByTestId("session-open").ClickAsync();
        var tree = page.Page.GetByTestId("detail-tree");
        var nodes = tree.GetByTestId("tree-node");
        await Expect(nodes).ToHaveCountAsync(4);
        await Expect(nodes.First).ToHaveAttributeAsync("data-session-id", "run");
        await Expect(Node(page, "run").GetByTestId("tree-node-cost")).ToHaveTextAsync("$2.25");
        await Expect(Node(page, "build").GetByTestId("tree-node-cost")).ToHaveTextAsync("$2.00");
        await Expect(Node(page, "tests")).ToHaveAttributeAsync("data-level", "2");
        await Expect(Node(page, "plan")).ToHaveAttributeAsync("data-state", "idle");
        await Expect(page.Page.GetByTestId("detail-subtree")).ToContainTextAsync("4 (4 active)");

        // A node's event redraws that node only: the others stay in place, so a click on one is not lost to it.
        await page.WatchDetachmentsAsync("detail-tree");
        await server.Http.PatchAsync("plan", new { name = "Plan the release again" });
        await Expect(Node(page, "plan")).ToContainTextAsync("Plan the release again");
        (await page.DetachedAsync("detail-tree")).ShouldBe(["plan"]);

        await server.Http.UsageAsync("tests", 0, 0, 0.25m);
        await server.Http.TerminateAsync("tests", "done");
        await Expect(Node(page, "tests")).ToHaveAttributeAsync("data-state", "terminated");
        await Expect(Node(page, "build").GetByTestId("tree-node-cost")).ToHaveTextAsync("$2.25");
        await Expect(Node(page, "run").GetByTestId("tree-node-cost")).ToHaveTextAsync("$2.50");
        await Expect(page.Page.GetByTestId("detail-subtree")).ToContainTextAsync("4 (3 active)");
        await server.Http.SendAsync(HttpMethod.Post, "api/sessions", new { id = "docs", name = "Write the notes", parent_id = "plan" });
        await Expect(Node(page, "docs")).ToHaveAttributeAsync("data-level", "2");
        await ShouldFitAsync(page.Page, width, within: ".detail");

        // Nodes and the parent link move the panel through the tree.
        await Node(page, "build").GetByTestId("tree-node-open").ClickAsync();
        await Expect(page.Page.GetByTestId("detail-title")).ToHaveTextAsync("Build and test");
        await Expect(nodes).ToHaveCountAsync(2);
        await page.Page.GetByTestId("detail-parent-open").ClickAsync();
        await Expect(page.Page.GetByTestId("detail-title")).ToHaveTextAsync("Release orchestrator");
        await Expect(nodes).ToHaveCountAsync(5);
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task TerminatingFromThePanelCanEndEverythingTheSessionStarted()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("run", "Orchestrator", state: "working");
        await server.Http.SendAsync(HttpMethod.Post, "api/sessions", new { id = "child", parent_id = "run", state = "working" });
        await server.Http.SendAsync(HttpMethod.Post, "api/sessions", new { id = "grandchild", parent_id = "child", state = "working" });
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, width: 1280, height: 800);
        await page.Row("run").GetByTestId("session-open").ClickAsync();
        await Expect(page.Page.GetByTestId("detail-tree").GetByTestId("tree-node")).ToHaveCountAsync(3);

        await page.Page.GetByTestId("action-terminate").ClickAsync();
        await Expect(page.Page.GetByTestId("action-cascade-text")).ToHaveTextAsync("Also end the 2 running sessions it started");
        await page.Page.GetByTestId("action-cascade").CheckAsync();
        await page.Page.GetByTestId("action-ok").ClickAsync();
        await Expect(page.Page.GetByTestId("action-result")).ToHaveTextAsync("Terminated");
        await Expect(Node(page, "grandchild")).ToHaveAttributeAsync("data-state", "terminated");
        await Expect(Node(page, "child")).ToHaveAttributeAsync("data-state", "terminated");
        (await server.Http.SendAsync(HttpMethod.Get, "api/sessions/count")).GetProperty("active_sessions").GetInt64().ShouldBe(0);
        page.ShouldHaveNoScriptErrors();
    }

    private static ILocator Node(DashboardPage page, string id) =>
        page.Page.Locator($"[data-testid=detail-tree] [data-testid=tree-node][data-session-id=\"{id}\"]");

    /// <summary>No sideways scrolling, and no text over text (within <paramref name="within"/>, e.g. the open detail panel over the list).</summary>
    private static async Task ShouldFitAsync(IPage page, int width, string within = "body")
    {
        (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth")).ShouldBeLessThanOrEqualTo(width, "no sideways scrolling");
        var check = PhoneTests.TextProblems.Replace("document.createTreeWalker(document.body", $"document.createTreeWalker(document.querySelector('{within}')",
            StringComparison.Ordinal);
        (await page.EvaluateAsync<string[]>(check)).ShouldBeEmpty();
    }
}
