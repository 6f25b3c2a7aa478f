using System.Text.Json;
using Microsoft.Playwright;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>Toasts for created and terminated sessions: at most three, gone after five seconds, dismissible.</summary>
public sealed class ToastTests(Chromium chromium)
{
    /// <summary>Records, inside the page, when each toast was added and removed (performance.now(), ms).</summary>
    private const string RecordToasts = """
        () => {
          const log = window.__toasts = { max: 0, added: {}, removed: {} };
          const root = document.querySelector('[data-testid=toasts]');
          new MutationObserver(records => {
            for (const r of records) {
              for (const n of r.addedNodes) log.added[n.textContent] = Math.round(performance.now());
              for (const n of r.removedNodes) log.removed[n.textContent] = Math.round(performance.now());
            }
            log.max = Math.max(log.max, root.querySelectorAll('[data-testid=toast]').length);
          }).observe(root, { childList: true });
        }
        """;

    [Fact]
    public async Task FiveRapidCreationsShowAtMostThreeToastsEachGoneAfterFiveSeconds()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        await page.Page.EvaluateAsync(RecordToasts);

        await Task.WhenAll(Enumerable.Range(1, 5).Select(i => server.Http.CreateAsync($"burst-{i}", $"Burst job {i}")));
        await Expect(page.Rows).ToHaveCountAsync(5);
        await Expect(page.Toasts).ToHaveCountAsync(3);
        await Expect(page.Page.GetByTestId("toasts")).ToHaveAttributeAsync("aria-live", "polite");

        // All gone within a little more than five seconds.
        await Expect(page.Toasts).ToHaveCountAsync(0, new() { Timeout = 9000 });
        var log = JsonDocument.Parse(await page.Page.EvaluateAsync<string>("() => JSON.stringify(window.__toasts)")).RootElement;
        log.GetProperty("max").GetInt32().ShouldBe(3);
        var added = log.GetProperty("added").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        var removed = log.GetProperty("removed").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        added.Count.ShouldBe(5);
        // The two oldest gave way early; the three that stayed lived about five seconds each.
        var lifetimes = added.Keys.Select(k => removed[k] - added[k]).OrderBy(ms => ms).ToList();
        lifetimes.Take(2).ShouldAllBe(ms => ms < 4000);
        lifetimes.Skip(2).ShouldAllBe(ms => ms >= 4990 && ms < 6500, string.Join(", ", lifetimes));
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

    [Fact]
    public async Task ToastsNeverCoverTheOpenDetailPanelAndCanBeMutedFromTheHeader()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("watched", "Watched job");
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        await page.Row("watched").ClickAsync();
        await Expect(page.Detail).ToBeVisibleAsync();

        await server.Http.CreateAsync("beside-1", "Beside one");
        await server.Http.CreateAsync("beside-2", "Beside two");
        await Expect(page.Toasts).ToHaveCountAsync(2);
        var panel = (await page.Detail.BoundingBoxAsync())!;
        for (var i = 0; i < 2; i++)
        {
            var toast = (await page.Toasts.Nth(i).BoundingBoxAsync())!;
            (toast.X + toast.Width).ShouldBeLessThanOrEqualTo(panel.X, "the toast lies beside the panel, not over it");
        }

        // Muted: existing toasts go, new ones never come, and it is remembered across a reload.
        var mute = page.Page.GetByTestId("toasts-mute");
        await mute.ClickAsync();
        await Expect(mute).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(page.Toasts).ToHaveCountAsync(0);
        await page.Page.ReloadAsync();
        await page.ExpectConnectionAsync("connected");
        await Expect(mute).ToHaveAttributeAsync("aria-pressed", "true");
        await server.Http.CreateAsync("quiet-1", "Quiet one");
        await Expect(page.Row("quiet-1")).ToBeVisibleAsync();
        await page.Page.WaitForTimeoutAsync(300);
        await Expect(page.Toasts).ToHaveCountAsync(0);

        await mute.ClickAsync();
        await Expect(mute).ToHaveAttributeAsync("aria-pressed", "false");
        await server.Http.CreateAsync("loud-1", "Loud one");
        await Expect(page.Toasts).ToHaveCountAsync(1);
        page.ShouldHaveNoScriptErrors();
    }

    private static Task<string> MarkColorAsync(ILocator toast) =>
        toast.Locator(".toast-mark").EvaluateAsync<string>("el => getComputedStyle(el).backgroundColor");
}
