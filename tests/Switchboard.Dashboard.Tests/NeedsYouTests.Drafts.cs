using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>A note typed into a card and not sent outlives the card: a card built again for the same approval has it.</summary>
public sealed partial class NeedsYouTests
{
    [Fact]
    public async Task ANoteTypedIntoACardSurvivesItsSessionLeavingThePageAndComingBackAndGoesWithTheDeny()
    {
        // A resume with anything to replay gets a fresh snapshot, and a snapshot holds the newest session or two: a
        // reconnect after newer sessions were created leaves the asker out of the page, one after they ended brings it back.
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Sockets.MaxReplayEvents = 0;
            o.Sockets.MaxSnapshotBytes = 1024;
        });
        await server.Http.CreateAsync("asker", "Asker", state: "working");
        var denied = AskAsync(server, "asker", "Bash", "make release");
        var socket = new SocketSwitch();
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, prepare: socket.AttachAsync);
        var item = page.Page.Locator("[data-testid=needs-you-item][data-session-id=asker]");
        await Expect(item.GetByTestId("approval-summary")).ToHaveTextAsync("make release");
        await item.GetByTestId("approval-note").FillAsync("only after the freeze");

        string[] newer = ["newer-1", "newer-2", "newer-3", "newer-4"];
        await ReconnectAsync(page, socket, async () =>
        {
            foreach (var id in newer)
            {
                await server.Http.CreateAsync(id, $"Newer session {id}", state: "working");
            }
        });
        await Expect(item).ToHaveCountAsync(0);

        await ReconnectAsync(page, socket, async () =>
        {
            foreach (var id in newer)
            {
                await server.Http.TerminateAsync(id);
            }
        });
        await Expect(item.GetByTestId("approval-note")).ToHaveValueAsync("only after the freeze");
        await item.GetByTestId("approval-deny").ClickAsync();
        var answer = await denied;
        answer.GetProperty("state").GetString().ShouldBe("denied");
        answer.GetProperty("note").GetString().ShouldBe("only after the freeze");
        page.ShouldHaveNoScriptErrors();
    }

    /// <summary>Cuts the page's socket, writes while it is cut, and waits until the page is connected again.</summary>
    private static async Task ReconnectAsync(DashboardPage page, SocketSwitch socket, Func<Task> meanwhile)
    {
        await socket.CutAsync();
        await Expect(page.Connection).Not.ToHaveAttributeAsync("data-state", "connected");
        await meanwhile();
        socket.Restore();
        await page.ExpectConnectionAsync("connected", TimeSpan.FromSeconds(20));
    }
}
