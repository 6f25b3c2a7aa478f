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
            // After AttachAsync: the recorder wraps the WebSocket the page gets, the one routed through the test.
            await context.AddInitScriptAsync(RecordHeartbeatReplies);
        });
        socket.Heartbeats.ShouldBeEmpty();

        // The page's clock also runs in real time, so the quiet stretch checked here stays well short of 30 s.
        await page.Page.Clock.FastForwardAsync("00:20");
        await page.Page.WaitForTimeoutAsync(200);
        socket.Heartbeats.ShouldBeEmpty("the first heartbeat goes out one interval after open");
        await page.Page.Clock.FastForwardAsync("00:11");
        await TestTimeouts.Eventually(() => socket.Heartbeats.Count == 1, "the first heartbeat");
        var first = socket.Heartbeats[0];
        first[0].ValueKind.ShouldBe(JsonValueKind.Null);
        first[1].ValueKind.ShouldBe(JsonValueKind.String, "refs are strings, echoed back as such");
        await ReplyReachesPageAsync(page, socket, first[1].GetString()!);

        await page.Page.Clock.FastForwardAsync("00:30");
        await TestTimeouts.Eventually(() => socket.Heartbeats.Count == 2, "the second heartbeat");
        await ReplyReachesPageAsync(page, socket, socket.Heartbeats[1][1].GetString()!);
        await page.ExpectConnectionAsync("connected");

        // From now on heartbeat replies are lost (join replies still pass): one interval after an unanswered
        // heartbeat the page gives up on the connection and reconnects.
        socket.DropHeartbeatReplies = true;
        await page.Page.Clock.FastForwardAsync("00:30");
        await TestTimeouts.Eventually(() => socket.Heartbeats.Count == 3, "the unanswered heartbeat");
        (await page.ReconnectCountAsync()).ShouldBe(0);
        await page.Page.Clock.FastForwardAsync("00:30");
        await TestTimeouts.Eventually(async () => await page.ReconnectCountAsync() == 1, "a reconnect after the heartbeat timeout");
        await page.ExpectConnectionAsync("connected");
        page.ShouldHaveNoScriptErrors();
    }

    /// <summary>
    /// Waits until the page itself has received the server's reply to heartbeat <paramref name="reference"/>: only then has
    /// phoenix.js cleared its heartbeat timeout, so the clock may jump another interval. (The test's <see cref="SocketSwitch"/>
    /// logs a frame before it forwards it, so its log alone does not say the page has it.)
    /// </summary>
    private static async Task ReplyReachesPageAsync(DashboardPage page, SocketSwitch socket, string reference)
    {
        await TestTimeouts.Eventually(() => socket.ReplyTo(reference) is not null, $"the server's reply to heartbeat {reference}");
        await TestTimeouts.Eventually(
            async () => await page.Page.EvaluateAsync<bool>("ref => window.__heartbeatReplies.includes(ref)", reference),
            $"the reply to heartbeat {reference} to reach the page");
    }

    /// <summary>
    /// Wraps the page's WebSocket to record the refs of the replies on topic "phoenix" (heartbeat replies) each socket
    /// delivers to the page. The listener is added in the constructor, before phoenix.js sets <c>onmessage</c>, and runs in
    /// the same dispatch: once a ref is recorded, phoenix.js has handled that reply too.
    /// </summary>
    private const string RecordHeartbeatReplies = """
        (() => {
          const Base = window.WebSocket;
          window.__heartbeatReplies = [];
          window.WebSocket = class extends Base {
            constructor(url, protocols) {
              super(url, protocols);
              this.addEventListener("message", (event) => {
                if (typeof event.data !== "string") return;
                const [, ref, topic, type] = JSON.parse(event.data);
                if (topic === "phoenix" && type === "phx_reply") window.__heartbeatReplies.push(ref);
              });
            }
          };
        })();
        """;
}
