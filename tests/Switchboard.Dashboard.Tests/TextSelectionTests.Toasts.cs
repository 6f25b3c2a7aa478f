using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>A toast that merges the next event changes its text in place: its link is never taken out under a click.</summary>
public sealed partial class TextSelectionTests
{
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
}
