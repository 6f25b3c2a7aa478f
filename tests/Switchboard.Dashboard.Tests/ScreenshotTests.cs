using Microsoft.Playwright;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>
/// Renders the dashboard with a demo fleet in light and dark mode and on a phone, checks that nothing overflows, and saves
/// the screenshots. With <c>SWITCHBOARD_UPDATE_SCREENSHOTS=1</c> they also replace the ones in <c>docs/</c>.
/// </summary>
public sealed class ScreenshotTests(Chromium chromium)
{
    [Theory]
    [InlineData(ColorScheme.Light, "dashboard-light.png")]
    [InlineData(ColorScheme.Dark, "dashboard-dark.png")]
    public async Task DashboardWithAMixedFleetRendersCleanly(ColorScheme scheme, string file)
    {
        await using var server = await SwitchboardServer.StartAsync();
        await DemoFleet.CreateAsync(server.Http);
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, scheme: scheme);
        await Expect(page.Rows).ToHaveCountAsync(DemoFleet.ActiveCount);

        await DemoFleet.LiveActivityAsync(server.Http);
        await Expect(page.Toasts).ToHaveCountAsync(2);
        await Expect(page.Row("hotfix-checkout")).ToBeVisibleAsync();
        await Expect(page.Badge("changelog-bot")).ToHaveTextAsync("Terminated");
        await ShouldNotOverflowAsync(page);

        // The scheme really switched: the page background follows prefers-color-scheme.
        var background = await page.Page.EvaluateAsync<string>("getComputedStyle(document.body).backgroundColor");
        background.ShouldBe(scheme == ColorScheme.Dark ? "rgb(13, 16, 21)" : "rgb(245, 246, 248)");

        await SaveAsync(page.Page, file);
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task OnAPhoneTheDashboardRendersCleanly()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await DemoFleet.CreateAsync(server.Http);
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, width: 390, height: 844);
        await Expect(page.Rows).ToHaveCountAsync(DemoFleet.ActiveCount);
        await DemoFleet.LiveActivityAsync(server.Http);
        await Expect(page.Toasts).ToHaveCountAsync(2);
        await Expect(page.Row("hotfix-checkout")).ToBeVisibleAsync();
        await ShouldNotOverflowAsync(page);
        await SaveAsync(page.Page, "dashboard-phone.png");
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task DetailPanelRendersCleanly()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await DemoFleet.CreateAsync(server.Http);
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        await page.Row("migrate-billing").GetByTestId("session-open").ClickAsync();
        await Expect(page.Detail).ToHaveAttributeAsync("data-channel", "joined");
        await Expect(page.Page.GetByTestId("detail-timeline").Locator("li")).Not.ToHaveCountAsync(0);
        await ShouldNotOverflowAsync(page);
        await SaveAsync(page.Page, "dashboard-detail.png");
        page.ShouldHaveNoScriptErrors();
    }

    /// <summary>No horizontal scrolling anywhere, and no clipped summary values.</summary>
    private static async Task ShouldNotOverflowAsync(DashboardPage page)
    {
        await page.ShouldNotScrollSidewaysAsync();
        var overflowing = await page.Page.EvaluateAsync<string[]>("""
            () => [document.documentElement, ...document.querySelectorAll('.table-wrap, .stat-value, .panel, .detail, .topbar')]
              .filter(el => el.scrollWidth > el.clientWidth + 1)
              .map(el => el.className || el.tagName)
            """);
        overflowing.ShouldBeEmpty();
    }

    private static async Task SaveAsync(IPage page, string file)
    {
        // Let the entrance animations settle so the picture shows the resting state.
        await page.WaitForTimeoutAsync(400);
        var output = Path.Combine(AppContext.BaseDirectory, "screenshots", file);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = output, Animations = ScreenshotAnimations.Disabled });
        new FileInfo(output).Length.ShouldBeGreaterThan(10_000);
        if (Environment.GetEnvironmentVariable("SWITCHBOARD_UPDATE_SCREENSHOTS") == "1")
        {
            File.Copy(output, Path.Combine(RepoPaths.Root, "docs", file), overwrite: true);
        }
    }
}
