using System.Text.Json;
using Microsoft.Playwright;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>Toasts with a policy: one per kind (errors first), merged, rate-limited, gone after five seconds, dismissible, mutable.</summary>
public sealed class ToastTests(Chromium chromium)
{
    [Fact]
    public async Task FiveRapidCreationsMergeIntoOneToastGoneAfterFiveSeconds()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        await page.Page.EvaluateAsync("""
            () => {
              const log = window.__toasts = { max: 0, added: null, removed: null };
              const root = document.querySelector('[data-testid=toasts]');
              new MutationObserver(records => {
                for (const r of records) {
                  if (r.addedNodes.length) log.added ??= performance.now();
                  if (r.removedNodes.length) log.removed = performance.now();
                }
                log.max = Math.max(log.max, root.querySelectorAll('[data-testid=toast]').length);
              }).observe(root, { childList: true });
            }
            """);

        await Task.WhenAll(Enumerable.Range(1, 5).Select(i => server.Http.CreateAsync($"burst-{i}", $"Burst job {i}")));
        await Expect(page.Rows).ToHaveCountAsync(5);
        await Expect(page.Toasts).ToHaveCountAsync(1);
        await Expect(page.Toasts.GetByTestId("toast-title")).ToHaveTextAsync("5 sessions created");
        await Expect(page.Toasts).ToContainTextAsync("latest: Burst job");
        await Expect(page.Page.GetByTestId("toasts")).ToHaveAttributeAsync("aria-live", "polite");

        // Gone about five seconds after it came.
        await Expect(page.Toasts).ToHaveCountAsync(0, new() { Timeout = 9000 });
        var log = JsonDocument.Parse(await page.Page.EvaluateAsync<string>("() => JSON.stringify(window.__toasts)")).RootElement;
        log.GetProperty("max").GetInt32().ShouldBe(1);
        var lifetime = log.GetProperty("removed").GetDouble() - log.GetProperty("added").GetDouble();
        // The observer sees each change when its callback runs, after the task that made it: on a loaded machine the
        // addition can be seen a frame or two late while the removal is seen at once (4981.6 ms was measured once).
        lifetime.ShouldBeInRange(4900, 6500);

        // The next one, while creations rest, waits and comes back merged with whatever else arrived meanwhile.
        await server.Http.CreateAsync("later-1", "Later one");
        await server.Http.CreateAsync("later-2", "Later two");
        await Expect(page.Toasts.GetByTestId("toast-title")).ToHaveTextAsync("2 sessions created", new() { Timeout = 9000 });
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task DismissButtonRemovesOneToastAndKindsAreColorCoded()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("old-job", "Old job");
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);

        await server.Http.CreateAsync("new-job", "New job");
        await server.Http.TerminateAsync("old-job");
        await Expect(page.Toasts).ToHaveCountAsync(2);
        var created = page.Toasts.Filter(new() { HasText = "New job" });
        var terminated = page.Toasts.Filter(new() { HasText = "Old job" });
        await Expect(created).ToHaveAttributeAsync("data-kind", "created");
        await Expect(terminated).ToHaveAttributeAsync("data-kind", "terminated");
        (await MarkColorAsync(created)).ShouldNotBe(await MarkColorAsync(terminated));

        await created.GetByTestId("toast-dismiss").ClickAsync();
        await Expect(page.Toasts).ToHaveCountAsync(1);
        await Expect(page.Toasts.First).ToContainTextAsync("Old job");
        page.ShouldHaveNoScriptErrors();
    }

    /// <summary>
    /// Samples the toasts inside the page every 200 ms for <c>ms</c>: the most on screen at once, whether an error toast
    /// was ever below another kind, any overlap with the events panel or an open detail panel, and the largest merge.
    /// </summary>
    private const string SampleToasts = """
        ms => new Promise(resolve => {
          const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
          const result = { samples: 0, max: 0, errorNotFirst: 0, overlaps: [], merged: 0, withDetail: 0 };
          const started = performance.now();
          const timer = setInterval(() => {
            const toasts = [...document.querySelectorAll('[data-testid=toast]')].filter(t => t.checkVisibility());
            result.samples++;
            result.max = Math.max(result.max, toasts.length);
            const kinds = toasts.map(t => t.dataset.kind);
            if (kinds.includes('error') && kinds[0] !== 'error') result.errorNotFirst++;
            const panels = [document.querySelector('.events'), document.querySelector('[data-testid=detail]')].filter(p => p.checkVisibility());
            if (panels.length === 2) result.withDetail++;
            for (const t of toasts) {
              result.merged = Math.max(result.merged, Number(t.dataset.count));
              for (const p of panels) {
                if (overlaps(t.getBoundingClientRect(), p.getBoundingClientRect())) result.overlaps.push(`${t.dataset.kind} over ${p.className}`);
              }
            }
            if (performance.now() - started >= ms) {
              clearInterval(timer);
              resolve(JSON.stringify(result));
            }
          }, 200);
        })
        """;

    [Fact]
    public async Task ABusyFleetGetsAtMostThreeMergedToastsErrorsFirstNeverOverAPanelAndMuteSilencesThem()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var fleet = new BusyFleet(server.Http);
        await fleet.CreateAsync();
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        using var stop = new CancellationTokenSource();
        var load = fleet.RunAsync(stop.Token);
        try
        {
            await Expect(page.Toasts.First).ToBeVisibleAsync();
            var closed = JsonDocument.Parse(await page.Page.EvaluateAsync<string>(SampleToasts, 6000)).RootElement;

            // With the detail panel open, the toasts move beside it.
            // Any row will do, and in a list this busy every row keeps moving: a pointer click, even a forced one, can
            // find the row gone from where it was looked up (under another row, or scrolled out of the viewport), so the
            // click event is sent to the row itself. Clicking a moving row with the pointer is LiveUpdateTests' subject.
            await page.Rows.First.DispatchEventAsync("click");
            await Expect(page.Detail).ToBeVisibleAsync();
            var open = JsonDocument.Parse(await page.Page.EvaluateAsync<string>(SampleToasts, 6000)).RootElement;
            open.GetProperty("withDetail").GetInt32().ShouldBe(open.GetProperty("samples").GetInt32());

            foreach (var run in new[] { closed, open })
            {
                run.GetProperty("max").GetInt32().ShouldBeInRange(1, 3);
                run.GetProperty("errorNotFirst").GetInt32().ShouldBe(0);
                run.GetProperty("overlaps").GetArrayLength().ShouldBe(0, run.GetProperty("overlaps").ToString());
            }

            Math.Max(closed.GetProperty("merged").GetInt32(), open.GetProperty("merged").GetInt32())
                .ShouldBeGreaterThan(1, "events of a kind merge into one toast (\"12 sessions created\")");

            // Muted from the header: they go, stay away under the same load, and it is remembered across a reload.
            var mute = page.Page.GetByTestId("toasts-mute");
            await mute.ClickAsync();
            await Expect(mute).ToHaveAttributeAsync("aria-pressed", "true");
            await Expect(page.Toasts).ToHaveCountAsync(0);
            await page.Page.ReloadAsync();
            await page.ExpectConnectionAsync("connected");
            await Expect(mute).ToHaveAttributeAsync("aria-pressed", "true");
            await Expect(page.EventItems.First).ToBeVisibleAsync();
            await page.Page.WaitForTimeoutAsync(1000);
            await Expect(page.Toasts).ToHaveCountAsync(0);

            await mute.ClickAsync();
            await Expect(mute).ToHaveAttributeAsync("aria-pressed", "false");
            await Expect(page.Toasts.First).ToBeVisibleAsync();
        }
        finally
        {
            await stop.CancelAsync();
            await load;
        }

        page.ShouldHaveNoScriptErrors();
    }

    private static Task<string> MarkColorAsync(ILocator toast) =>
        toast.Locator(".toast-mark").EvaluateAsync<string>("el => getComputedStyle(el).backgroundColor");
}
