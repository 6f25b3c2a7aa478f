using System.Text.Json;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>The page's Phoenix client heartbeats every 30 s and treats an unanswered heartbeat as a dead connection.</summary>
public sealed class HeartbeatTests(Chromium chromium)
{
    [Fact]
    public async Task HeartbeatGoesOutEveryThirtySecondsAndAnUnansweredOneReconnects()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var socket = new SocketSwitch();
        // The page's clock is the test's: 30 s pass in an instant.
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, prepare: async context =>
        {
            await context.Clock.InstallAsync();
            await socket.AttachAsync(context);
        });
        socket.Heartbeats.ShouldBeEmpty();

        await page.Page.Clock.FastForwardAsync("00:29");
        await page.Page.WaitForTimeoutAsync(200);
        socket.Heartbeats.ShouldBeEmpty("the first heartbeat goes out one interval after open");
        await page.Page.Clock.FastForwardAsync("00:02");
        await TestTimeouts.Eventually(() => socket.Heartbeats.Count == 1, "the first heartbeat");
        var first = socket.Heartbeats[0];
        first[0].ValueKind.ShouldBe(JsonValueKind.Null);
        first[1].ValueKind.ShouldBe(JsonValueKind.String, "refs are strings, echoed back as such");
        await TestTimeouts.Eventually(() => socket.ReplyTo(first[1].GetString()!) is not null, "the heartbeat reply");

        await page.Page.Clock.FastForwardAsync("00:30");
        await TestTimeouts.Eventually(() => socket.Heartbeats.Count == 2, "the second heartbeat");
        await page.ExpectConnectionAsync("connected");

        // From now on replies are lost: one interval later the page gives up on the connection and reconnects.
        socket.DropHeartbeatReplies = true;
        await page.Page.Clock.FastForwardAsync("00:30");
        await TestTimeouts.Eventually(() => socket.Heartbeats.Count == 3, "the unanswered heartbeat");
        (await page.ReconnectCountAsync()).ShouldBe(0);
        socket.DropHeartbeatReplies = false;
        await page.Page.Clock.FastForwardAsync("00:30");
        await TestTimeouts.Eventually(async () => await page.ReconnectCountAsync() == 1, "a reconnect after the heartbeat timeout");
        await page.ExpectConnectionAsync("connected");
        page.ShouldHaveNoScriptErrors();
    }
}
