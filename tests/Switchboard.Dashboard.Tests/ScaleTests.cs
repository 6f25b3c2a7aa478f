using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>250 sessions: filters by state and label and pagination, locally and through the API.</summary>
public sealed class ScaleTests(Chromium chromium)
{
    private const int SessionCount = 250;
    private const int PageSize = 25;
    private static readonly string[] States = ["idle", "working", "paused", "error", "initializing"];

    private static string Id(int i) => $"s-{i:000}";

    private static string Team(int i) => $"t{i % 7}";

    private static string State(int i) => States[i % States.Length];

    private static bool Terminated(int i) => i % 6 == 5;

    [Fact]
    public async Task FilteringAndPaginationWorkWithTwoHundredFiftySessions()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var operations = new List<object>();
        for (var i = 0; i < SessionCount; i++)
        {
            operations.Add(new Dictionary<string, object>
            {
                ["op"] = "create", ["id"] = Id(i), ["name"] = $"Job {i}", ["state"] = State(i),
                ["labels"] = new Dictionary<string, string> { ["team"] = Team(i) },
            });
        }

        operations.AddRange(Enumerable.Range(0, SessionCount).Where(Terminated).Select(i => new { op = "terminate", id = Id(i) }));
        await server.Http.BatchAsync(operations);

        // Newest first, as the server orders them.
        var active = Enumerable.Range(0, SessionCount).Reverse().Where(i => !Terminated(i)).ToList();
        var terminated = Enumerable.Range(0, SessionCount).Reverse().Where(Terminated).ToList();
        // A long grace at load: the page fetches only what the user asks for, even when its join is slow.
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, $"?{DashboardPage.LongLoadGrace}");
        var next = page.Page.GetByTestId("page-next");
        var prev = page.Page.GetByTestId("page-prev");

        // All active sessions came with the join snapshot: paging is local.
        await Expect(page.PageInfo).ToHaveTextAsync($"1–25 of {active.Count}");
        await Expect(page.Rows).ToHaveCountAsync(PageSize);
        await Expect(page.Rows.First).ToHaveAttributeAsync("data-session-id", Id(active[0]));
        await next.ClickAsync();
        await Expect(page.PageInfo).ToHaveTextAsync($"26–50 of {active.Count}");
        await Expect(page.Rows.First).ToHaveAttributeAsync("data-session-id", Id(active[PageSize]));
        var lastPage = (active.Count - 1) / PageSize;
        for (var p = 1; p < lastPage; p++)
        {
            await next.ClickAsync();
        }

        await Expect(page.PageInfo).ToHaveTextAsync($"{lastPage * PageSize + 1}–{active.Count} of {active.Count}");
        await Expect(page.Rows).ToHaveCountAsync(active.Count - lastPage * PageSize);
        await Expect(next).ToBeDisabledAsync();

        // State filter: only errors, starting again from page 1.
        var errors = active.Where(i => State(i) == "error").ToList();
        await page.Page.GetByTestId("filter-state-error").ClickAsync();
        await Expect(page.PageInfo).ToHaveTextAsync($"1–{Math.Min(PageSize, errors.Count)} of {errors.Count}");
        await Expect(page.Page.Locator("[data-testid=session-row]:not([data-state=error])")).ToHaveCountAsync(0);

        // Label filter on top: errors of team t3.
        var t3Errors = errors.Where(i => Team(i) == "t3").ToList();
        await page.Page.GetByTestId("filter-label").FillAsync("team=t3");
        await page.Page.GetByTestId("filter-label").PressAsync("Enter");
        await Expect(page.Rows).ToHaveCountAsync(t3Errors.Count);
        await Expect(page.PageInfo).ToHaveTextAsync($"1–{t3Errors.Count} of {t3Errors.Count}");

        // A change lands in place in the filtered view: another session of team t3 turns into an error.
        var newest = active.First(i => Team(i) == "t3" && State(i) != "error");
        var fetchesBefore = page.PollRequests().Count;
        await server.Http.PatchAsync(Id(newest), new { state = "error", error_message = "boom" });
        await Expect(page.Row(Id(newest))).ToBeVisibleAsync();
        page.PollRequests().Count.ShouldBe(fetchesBefore, "the row arrived live, not by a refetch");
        var expected = t3Errors.Append(newest).OrderDescending().Select(Id).ToArray();
        (await page.Rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.sessionId)")).ShouldBe(expected);

        // Terminated sessions are not in the live snapshot: that view pages through GET /api/sessions.
        await page.Page.GetByTestId("filter-label").FillAsync("");
        await page.Page.GetByTestId("filter-label").PressAsync("Enter");
        var listRequestsBefore = page.PollRequests().Count;
        await page.Page.GetByTestId("filter-state-terminated").ClickAsync();
        await Expect(page.PageInfo).ToHaveTextAsync($"1–25 of {terminated.Count}");
        await Expect(page.Rows.First).ToHaveAttributeAsync("data-session-id", Id(terminated[0]));
        await next.ClickAsync();
        await Expect(page.PageInfo).ToHaveTextAsync($"26–{terminated.Count} of {terminated.Count}");
        await Expect(page.Rows).ToHaveCountAsync(terminated.Count - PageSize);
        await Expect(page.Rows.First).ToHaveAttributeAsync("data-session-id", Id(terminated[PageSize]));
        await Expect(next).ToBeDisabledAsync();
        await prev.ClickAsync();
        await Expect(page.Rows.First).ToHaveAttributeAsync("data-session-id", Id(terminated[0]));

        // A new termination is counted, not pushed into the page; the user chooses to show it.
        await server.Http.TerminateAsync(Id(active[0]));
        var pill = page.Page.GetByTestId("new-sessions");
        await Expect(pill).ToHaveTextAsync("1 new session — show");
        await pill.ClickAsync();
        await Expect(page.Rows.First).ToHaveAttributeAsync("data-session-id", Id(active[0]));
        await Expect(pill).ToBeHiddenAsync();

        // Only user actions fetched, and only the terminated view: none of the local filtering and paging did.
        var fetched = page.PollRequests().Skip(listRequestsBefore).ToList();
        fetched.ShouldAllBe(r => !r.IsSummary && r.Url.Query.Contains("state=terminated"));
        fetched.Count.ShouldBe(4, string.Join("\n", fetched.Select(r => r.Url)));
        page.PollRequests().Take(listRequestsBefore).ShouldBeEmpty();
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task FleetLargerThanTheJoinSnapshotIsPagedThroughTheApi()
    {
        // 1,005 active sessions: more than the largest join snapshot (1,000), so even the active view needs the API.
        const int count = 1005;
        await using var server = await SwitchboardServer.StartAsync();
        foreach (var chunk in Enumerable.Range(0, count).Chunk(500))
        {
            await server.Http.BatchAsync(chunk.Select(i => new { op = "create", id = $"big-{i:0000}", state = "idle" }));
        }

        // A long grace at load: building and reading a join reply of 1,000 sessions can take a loaded machine over 3 s.
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, $"?{DashboardPage.LongLoadGrace}");
        await Expect(page.PageInfo).ToHaveTextAsync("1–25 of 1,005");
        await Expect(page.Rows.First).ToHaveAttributeAsync("data-session-id", "big-1004");
        await page.Page.GetByTestId("page-next").ClickAsync();
        await Expect(page.PageInfo).ToHaveTextAsync("26–50 of 1,005");
        await Expect(page.Rows.First).ToHaveAttributeAsync("data-session-id", "big-0979");
        page.PollRequests().ShouldAllBe(r => r.Url.Query.Contains("active=true"));

        // Rows fetched from the API are still live: a change lands in place without another fetch.
        var fetches = page.PollRequests().Count;
        await server.Http.PatchAsync("big-0970", new { state = "working" });
        await Expect(page.Badge("big-0970")).ToHaveTextAsync("Processing");
        await Expect(page.PageInfo).ToHaveTextAsync("26–50 of 1,005");
        page.PollRequests().Count.ShouldBe(fetches);
        page.ShouldHaveNoScriptErrors();
    }
}
