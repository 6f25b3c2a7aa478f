using Microsoft.Playwright;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>
/// The dashboard on a 390 × 844 phone: sessions as cards, filters folded into one control, a full-screen detail panel,
/// no sideways scrolling, no text over text, the first card above the fold, and every control reachable.
/// </summary>
public sealed class PhoneTests(Chromium chromium)
{
    private const int Width = 390;
    private const int Height = 844;

    /// <summary>
    /// Every visible piece of text as the boxes it paints (clipped by its scrolling or clipping ancestors); returns the
    /// pairs that overlap and the text that runs past either side of the screen.
    /// </summary>
    internal const string TextProblems = """
        () => {
          const clipOf = el => {
            let c = { l: -1e9, t: -1e9, r: 1e9, b: 1e9 };
            for (let e = el; e && e !== document.documentElement; e = e.parentElement) {
              const s = getComputedStyle(e);
              if (s.overflowX !== 'visible' || s.overflowY !== 'visible') {
                const b = e.getBoundingClientRect();
                c = { l: Math.max(c.l, b.left), t: Math.max(c.t, b.top), r: Math.min(c.r, b.right), b: Math.min(c.b, b.bottom) };
              }
            }
            return c;
          };
          const boxes = [];
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          for (let n; (n = walker.nextNode());) {
            const el = n.parentElement;
            if (!n.textContent.trim() || el.closest('.visually-hidden, .skip-link, .toasts, option, script, style')) continue;
            if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
            const clip = clipOf(el);
            const range = document.createRange();
            range.selectNodeContents(n);
            for (const r of range.getClientRects()) {
              const b = { l: Math.max(r.left, clip.l), t: Math.max(r.top, clip.t), r: Math.min(r.right, clip.r), b: Math.min(r.bottom, clip.b) };
              if (b.r - b.l > 1 && b.b - b.t > 1) boxes.push({ ...b, el, text: n.textContent.trim().slice(0, 40) });
            }
          }
          const problems = [];
          for (const b of boxes) {
            if (b.l < -0.5 || b.r > innerWidth + 0.5) problems.push(`off screen: "${b.text}" ${Math.round(b.l)}..${Math.round(b.r)}`);
          }
          for (let i = 0; i < boxes.length; i++) {
            for (let j = i + 1; j < boxes.length; j++) {
              const a = boxes[i], b = boxes[j];
              if (a.el === b.el) continue;
              const w = Math.min(a.r, b.r) - Math.max(a.l, b.l), h = Math.min(a.b, b.b) - Math.max(a.t, b.t);
              if (w > 1 && h > 1) problems.push(`"${a.text}" overlaps "${b.text}"`);
            }
          }
          return problems.slice(0, 20);
        }
        """;

    /// <summary>Scrolls every visible control inside <c>root</c> into view and returns those not hittable there.</summary>
    private const string UnreachableControls = """
        root => {
          const out = [];
          const controls = document.querySelector(root).querySelectorAll('button, select, input, a[href], [role=button]');
          for (const el of controls) {
            // The skip link is off screen until it has keyboard focus, by design.
            if (!el.checkVisibility({ visibilityProperty: true }) || el.matches('.skip-link')) continue;
            el.scrollIntoView({ block: 'center', inline: 'nearest' });
            const r = el.getBoundingClientRect();
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            if (r.width < 1 || r.left < -0.5 || r.right > innerWidth + 0.5 || !(hit === el || el.contains(hit))) {
              out.push(`${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute('aria-label') || el.placeholder || '').trim().slice(0, 30)}"`);
            }
          }
          window.scrollTo(0, 0);
          return out;
        }
        """;

    [Fact]
    public async Task OnAPhoneSessionsAreCardsNothingOverlapsOrScrollsSidewaysAndEveryActionIsReachable()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await DemoFleet.CreateAsync(server.Http);
        // A webhook too: its strip has to fit a phone as well (nothing listens on port 9, so it also has an error to show).
        await server.Http.SendAsync(HttpMethod.Post, "/api/webhooks", new { id = "ops-pager", url = "http://127.0.0.1:9/receivers/alerts-and-approvals" });
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, width: Width, height: Height);
        await Expect(page.Rows).ToHaveCountAsync(DemoFleet.ActiveCount);
        await Expect(page.Page.GetByTestId("webhook-row")).ToHaveCountAsync(1);

        // Cards, not table rows: name, state badge, error text, tokens, cost and labels, and the first one above the fold.
        (await page.Rows.First.EvaluateAsync<string>("tr => getComputedStyle(tr).display")).ShouldBe("flex");
        await Expect(page.Page.Locator(".session-table thead")).ToBeHiddenAsync();
        var card = page.Row("migrate-billing");
        await Expect(card.Locator(".session-name")).ToHaveTextAsync("Migrate billing to the v2 API");
        await Expect(card.GetByTestId("state-badge")).ToHaveTextAsync("Error");
        await Expect(card.GetByTestId("session-error")).ToBeVisibleAsync();
        await Expect(card.GetByTestId("session-tokens")).ToBeVisibleAsync();
        await Expect(card.GetByTestId("session-cost")).ToBeVisibleAsync();
        await Expect(card.GetByTestId("label-chip").First).ToBeVisibleAsync();
        var first = (await page.Rows.First.BoundingBoxAsync())!;
        (first.Y + first.Height).ShouldBeLessThanOrEqualTo(Height, "the first card is above the fold");

        await ShouldFitAsync(page);
        (await page.Page.EvaluateAsync<string[]>(UnreachableControls, "body")).ShouldBeEmpty();

        // The filters are one control; opened, they fit too, and work.
        var toggle = page.Page.GetByTestId("filters-toggle");
        await Expect(page.Page.GetByTestId("state-filters")).ToBeHiddenAsync();
        await Expect(page.Page.GetByTestId("filter-search")).ToBeHiddenAsync();
        await toggle.ClickAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");
        await Expect(page.Page.GetByTestId("filter-search")).ToBeVisibleAsync();
        await ShouldFitAsync(page);
        (await page.Page.EvaluateAsync<string[]>(UnreachableControls, "body")).ShouldBeEmpty();
        await page.Page.GetByTestId("filter-state-error").ClickAsync();
        await Expect(page.Rows).ToHaveCountAsync(2);
        await Expect(toggle).ToHaveTextAsync("Filters · Error");
        await toggle.ClickAsync();
        await Expect(page.Page.GetByTestId("state-filters")).ToBeHiddenAsync();

        // The detail panel takes the whole screen, and its actions are reachable there.
        await page.Badge("migrate-billing").ClickAsync();
        await Expect(page.Detail).ToHaveAttributeAsync("data-channel", "joined");
        await page.Detail.EvaluateAsync("el => Promise.all(el.getAnimations().map(a => a.finished))"); // the slide-in
        var detail = (await page.Detail.BoundingBoxAsync())!;
        (detail.X, detail.Y, detail.Width, detail.Height).ShouldBe((0f, 0f, (float)Width, (float)Height));
        await Expect(page.Page.GetByTestId("action-terminate")).ToBeVisibleAsync();
        (await page.Page.EvaluateAsync<string[]>(UnreachableControls, "[data-testid=detail]")).ShouldBeEmpty();
        await page.ShouldNotScrollSidewaysAsync();
        await page.Page.GetByTestId("detail-close").ClickAsync();
        await Expect(page.Detail).ToBeHiddenAsync();

        // Toasts: compact at the bottom, and out of the way while the events panel is on screen (so back to the long list).
        await toggle.ClickAsync();
        await page.Page.GetByTestId("filter-state-active").ClickAsync();
        await toggle.ClickAsync();
        await Expect(page.Rows).ToHaveCountAsync(DemoFleet.ActiveCount);
        await page.Page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await server.Http.CreateAsync("phone-new", "Started while on a phone");
        await Expect(page.Toasts).ToHaveCountAsync(1);
        await Expect(page.Toasts.First).ToBeVisibleAsync();
        ((await page.Page.GetByTestId("toasts").BoundingBoxAsync())!.Height).ShouldBeLessThan(Height / 10f);
        await page.Page.Locator(".events").ScrollIntoViewIfNeededAsync();
        await Expect(page.Toasts.First).ToBeHiddenAsync();
        page.ShouldHaveNoScriptErrors();
    }

    private static async Task ShouldFitAsync(DashboardPage page)
    {
        await page.ShouldNotScrollSidewaysAsync();
        (await page.Page.EvaluateAsync<string[]>(TextProblems)).ShouldBeEmpty();
    }
}
