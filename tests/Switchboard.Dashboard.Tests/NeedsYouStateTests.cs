using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>
/// "Needs you" shows a pending approval whatever its session's state (docs/approvals.md, "The session waits"): a producer
/// or an agent's hook may move the session on while the approval still waits, and it stays answerable.
/// </summary>
public sealed class NeedsYouStateTests(Chromium chromium)
{
    [Fact]
    public async Task APendingApprovalStaysInTheStripAfterItsSessionMovesOutOfWaiting()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("drifter", "Drifting agent", state: "working");
        await server.Http.SendAsync(HttpMethod.Post, "/api/sessions/drifter/approvals", new { summary = "kubectl delete ns prod", tool = "Bash" });
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        var item = page.Page.Locator("[data-testid=needs-you-item][data-session-id=drifter]");
        await Expect(item.GetByTestId("approval-summary")).ToHaveTextAsync("kubectl delete ns prod");

        await server.Http.PatchAsync("drifter", new { state = "working" });
        await Expect(page.Badge("drifter")).ToHaveAttributeAsync("data-state", "working");

        await Expect(item.GetByTestId("approval-summary")).ToHaveTextAsync("kubectl delete ns prod");
        await item.GetByTestId("approval-deny").ClickAsync();
        await Expect(item).ToHaveCountAsync(0);
        (await server.Http.SendAsync(HttpMethod.Get, "/api/sessions/drifter/approvals")).GetProperty("approvals")[0].GetProperty("state").GetString()
            .ShouldBe("denied");
        page.ShouldHaveNoScriptErrors();
    }
}
