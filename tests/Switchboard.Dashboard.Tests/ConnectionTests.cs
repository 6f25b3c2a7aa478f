using System.Text.RegularExpressions;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>Losing the socket: the indicator says so, HTTP polling fills in, and the page resumes by seq.</summary>
public sealed partial class ConnectionTests(Chromium chromium)
{
    [GeneratedRegex("^(reconnecting|offline)$")]
    private static partial Regex Disconnected();

    [Fact]
    public async Task ServerRestartIsBridgedByPollingTenSecondsApartThenLiveUpdatesResume()
    {
        using var data = new TempDirectory();
        var urls = $"http://127.0.0.1:{FreePort.Next()}";
        var server = await SwitchboardServer.StartAsync(dataDirectory: data.Path, urls: urls);
        try
        {
            await server.Http.CreateAsync("steady-1", "Steady one", state: "working");
            await server.Http.CreateAsync("steady-2", "Steady two", state: "idle");
            // The default interval: this test observes the real 10 s spacing, timed in the page.
            await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress,
                prepare: context => context.AddInitScriptAsync(RecordSummaryFetches));
            await Expect(page.Rows).ToHaveCountAsync(2);

            var stoppedAt = DateTime.UtcNow;
            var stoppedInPage = await page.Page.EvaluateAsync<double>("() => performance.now()");
            await server.DisposeAsync();
            await Expect(page.Connection).ToHaveAttributeAsync("data-state", Disconnected());

            await TestTimeouts.Eventually(() => page.PollRequests(stoppedAt).Count(r => r.IsSummary) >= 2,
                "two summary polls while the server is down", TimeSpan.FromSeconds(30));
            var polls = await page.Page.EvaluateAsync<double[]>("since => window.__summaryFetches.filter(t => t >= since)", stoppedInPage);
            var spacing = TimeSpan.FromMilliseconds(polls[1] - polls[0]);
            // 10 s after the first poll failed (at once: nothing listens), plus whatever the page's timer runs late.
            spacing.TotalSeconds.ShouldBeInRange(9.9, 12.5, "polls are 10 s apart");
            await page.ExpectConnectionAsync("offline");
            // Offline and every poll failing: the list and the tiles are dimmed as stale (a 300 ms transition, so retried).
            await Expect(page.Page.Locator("body")).ToHaveAttributeAsync("data-stale", "true");
            await Expect(page.Page.Locator(".session-table")).Not.ToHaveCSSAsync("opacity", "1");

            // Same port, same data: the page comes back on its own and resumes from the last seq it saw.
            server = await SwitchboardServer.StartAsync(dataDirectory: data.Path, urls: urls);
            await server.Http.CreateAsync("after-restart", "Created after the restart", state: "working");
            await page.ExpectConnectionAsync("connected", TimeSpan.FromSeconds(20));
            var connectedAt = DateTime.UtcNow;
            (await page.ReconnectCountAsync()).ShouldBe(1);
            await Expect(page.Row("after-restart")).ToBeVisibleAsync();
            await Expect(page.Rows).ToHaveCountAsync(3);
            await Expect(page.Page.Locator("body")).Not.ToHaveAttributeAsync("data-stale", "true");

            await server.Http.PatchAsync("steady-2", new { state = "working" });
            await Expect(page.Badge("steady-2")).ToHaveTextAsync("Processing");
            page.PollRequests(connectedAt).ShouldBeEmpty("polling stops once the channel is back");
            page.ShouldHaveNoScriptErrors();
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>Wraps the page's fetch to record when (performance.now()) it asked for the summary.</summary>
    private const string RecordSummaryFetches = """
        (() => {
          const native = window.fetch;
          window.__summaryFetches = [];
          window.fetch = function (input, init) {
            const url = new URL(input instanceof Request ? input.url : String(input), location.href);
            if (url.pathname.endsWith("/api/summary")) window.__summaryFetches.push(performance.now());
            return native.call(this, input, init);
          };
        })();
        """;

    [Fact]
    public async Task CutSocketFallsBackToPollingThenResumesBySeqWithNothingMissing()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("alpha", "Alpha", state: "idle");
        await server.Http.CreateAsync("beta", "Beta", state: "idle");
        var socket = new SocketSwitch();
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, "?poll_ms=1000", prepare: socket.AttachAsync);
        await server.Http.PatchAsync("alpha", new { state = "working" });
        await Expect(page.Badge("alpha")).ToHaveTextAsync("Processing");
        var head = (await server.Http.SendAsync(HttpMethod.Get, "api/summary"));
        var lastSeq = head.GetProperty("as_of_seq").GetInt64();
        var epoch = head.GetProperty("epoch").GetString();

        var cutAt = DateTime.UtcNow;
        await socket.CutAsync();
        await Expect(page.Connection).ToHaveAttributeAsync("data-state", Disconnected());
        await Expect(page.Page.GetByTestId("connection-detail")).ToHaveTextAsync("polling every 1 s");

        // While the socket is down, polling still shows what happens.
        await server.Http.CreateAsync("gamma", "Gamma", state: "working");
        await server.Http.PatchAsync("beta", new { state = "error", error_message = "out of memory" });
        await Expect(page.Row("gamma")).ToBeVisibleAsync();
        await Expect(page.Badge("beta")).ToHaveAttributeAsync("title", "out of memory");
        await Expect(page.Connection).ToHaveAttributeAsync("data-state", Disconnected());
        await TestTimeouts.Eventually(() => page.PollRequests(cutAt).Count(r => r.IsSummary) >= 2, "polling to continue");

        var joinsBefore = socket.Joins("sessions").Count;
        socket.Restore();
        await page.ExpectConnectionAsync("connected", TimeSpan.FromSeconds(20));
        var connectedAt = DateTime.UtcNow;
        (await page.ReconnectCountAsync()).ShouldBe(1);

        // The rejoin asked to resume from the last seq the page had seen, and the server replayed the gap.
        var (reference, join) = socket.Joins("sessions").Skip(joinsBefore).Last();
        join.GetProperty("since").GetInt64().ShouldBe(lastSeq);
        join.GetProperty("epoch").GetString().ShouldBe(epoch);
        await TestTimeouts.Eventually(() => socket.ReplyTo(reference) is not null, "the resume reply");
        var reply = socket.ReplyTo(reference)!.Value;
        reply.GetProperty("resumed").GetBoolean().ShouldBeTrue();
        reply.GetProperty("replayed").GetInt32().ShouldBe(2);

        await server.Http.CreateAsync("delta", "Delta", state: "working");
        await Expect(page.Row("delta")).ToBeVisibleAsync();
        foreach (var id in new[] { "alpha", "beta", "gamma", "delta" })
        {
            await Expect(page.Row(id)).ToBeVisibleAsync();
        }

        await Expect(page.Badge("beta")).ToHaveTextAsync("Error");
        // Several poll intervals pass while connected: no polling at all.
        await page.Page.WaitForTimeoutAsync(2500);
        page.PollRequests(connectedAt).ShouldBeEmpty();
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task AnEventThatArrivesTwiceIsShownOnceInTheListTheFeedAndTheToasts()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var socket = new SocketSwitch { RepeatSessionEvents = true };
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, prepare: socket.AttachAsync);

        await server.Http.CreateAsync("alpha", "Alpha", state: "working");
        await server.Http.PatchAsync("alpha", new { state = "error", error_message = "disk full" });
        await server.Http.CreateAsync("beta", "Beta", state: "idle");
        await Expect(page.Badge("alpha")).ToHaveTextAsync("Error");
        await Expect(page.Row("beta")).ToBeVisibleAsync();

        // Three events, each delivered twice: three entries (newest first), and they stay three once every copy has had
        // time to render (the feed renders a few times a second).
        await Expect(page.EventItems.First).ToContainTextAsync("Beta");
        await Expect(page.EventItems).ToHaveCountAsync(3);
        await page.Page.WaitForTimeoutAsync(1500);
        (await page.EventItems.EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.category)"))
            .ShouldBe(["lifecycle", "error", "lifecycle"]);
        await Expect(page.Rows).ToHaveCountAsync(2);
        await Expect(page.Toasts.GetByTestId("toast-title")).ToHaveTextAsync(["Session failed", "2 sessions created"]);
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task AtLoadTheFirstPollWaitsForTheGraceGivenInTheQuery()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("early", "Early bird", state: "working");
        var socket = new SocketSwitch(startCut: true);
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, "?poll_ms=500&load_grace_ms=6000",
            waitConnected: false, prepare: socket.AttachAsync);

        // Filled by the first poll, 6 s after the script started: longer than Expect's default wait.
        await Expect(page.Badge("early")).ToHaveTextAsync("Processing", new() { Timeout = (float)TestTimeouts.Default.TotalMilliseconds });
        // Timed in the page: the grace starts when main.js runs, which is after main.js has arrived.
        var waited = await page.Page.EvaluateAsync<double>("""
            () => {
              const entry = part => performance.getEntriesByType("resource").find(e => new URL(e.name).pathname.endsWith(part));
              return entry("/api/summary").startTime - entry("/js/main.js").responseEnd;
            }
            """);
        waited.ShouldBeGreaterThanOrEqualTo(6000, "no poll before the 6 s grace (not the default 3 s) is over");
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task PageThatCannotConnectFillsItselfByPollingAndGoesLiveWhenItCan()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("early", "Early bird", state: "working");
        var socket = new SocketSwitch(startCut: true);
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, "?poll_ms=500",
            waitConnected: false, prepare: socket.AttachAsync);

        // Filled by the first poll, 3 s after the script started (the grace at load does not shrink with poll_ms): that
        // and the fetches would leave a loaded machine little of Expect's default 5 s.
        await Expect(page.Badge("early")).ToHaveTextAsync("Processing", new() { Timeout = (float)TestTimeouts.Default.TotalMilliseconds });
        await Expect(page.Stat("active")).ToHaveTextAsync("1");
        (await page.Connection.GetAttributeAsync("data-state")).ShouldNotBe("connected");

        socket.Restore();
        await page.ExpectConnectionAsync("connected", TimeSpan.FromSeconds(20));
        var connectedAt = DateTime.UtcNow;
        (await page.ReconnectCountAsync()).ShouldBe(0, "the first connection is not a reconnect");
        await server.Http.PatchAsync("early", new { state = "paused" });
        await Expect(page.Badge("early")).ToHaveTextAsync("Paused");
        page.PollRequests(connectedAt).ShouldBeEmpty("the change arrived live: polling stopped once connected");
        page.ShouldHaveNoScriptErrors();
    }
}
