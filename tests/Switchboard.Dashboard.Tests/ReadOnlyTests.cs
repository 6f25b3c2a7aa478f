using System.Collections.Concurrent;
using Microsoft.Playwright;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>
/// A read key gets a live page: it mints a read-only subscriber token, the header says "Read-only", no control that
/// writes is offered, and the socket connects once and stays (no refused attempts, no polling badge).
/// </summary>
public sealed class ReadOnlyTests(Chromium chromium)
{
    private const string WriteKey = "dashboard-write-key-0123456789";
    private const string ReadKey = "dashboard-read-key-0123456789";

    [Fact]
    public async Task AReadKeyGetsALiveReadOnlyPageWithoutWriteControlsOrFailedSockets()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Security.AddApiKeys($"{WriteKey},{ReadKey}:read"));
        using var producer = server.HttpWithKey(WriteKey);
        await producer.CreateAsync("watched-1", "Watched one", state: "idle");

        var sockets = new ConcurrentQueue<IWebSocket>();
        var socketErrors = new ConcurrentQueue<string>();
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, waitConnected: false, prepare: context =>
        {
            context.Page += (_, p) => p.WebSocket += (_, ws) =>
            {
                sockets.Enqueue(ws);
                ws.SocketError += (_, error) => socketErrors.Enqueue(error);
            };
            return Task.CompletedTask;
        });

        await page.Page.GetByTestId("auth-key").FillAsync(ReadKey);
        await page.Page.GetByTestId("auth-submit").ClickAsync();
        await Expect(page.Page.GetByTestId("read-only")).ToBeVisibleAsync();
        await Expect(page.Page.GetByTestId("read-only")).ToHaveTextAsync("Read-only");
        await page.ExpectConnectionAsync("connected");
        await Expect(page.Row("watched-1")).ToBeVisibleAsync();
        await Expect(page.Page.GetByTestId("fleet-toggle")).ToBeHiddenAsync();
        (await page.Page.Locator("[data-write]:visible").CountAsync()).ShouldBe(0, "no control that writes is offered");

        // Over 20 s, changes arrive live and the one socket stays up: no refused or repeated attempts.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        var state = "idle";
        while (DateTime.UtcNow < deadline)
        {
            state = state == "idle" ? "working" : "idle";
            await producer.PatchAsync("watched-1", new { state });
            await Expect(page.Badge("watched-1")).ToHaveTextAsync(state == "working" ? "Processing" : "Idle");
            await Task.Delay(1500);
        }

        await page.ExpectConnectionAsync("connected");
        sockets.Count.ShouldBe(1, "one socket, never retried");
        socketErrors.ShouldBeEmpty();
        sockets.ShouldAllBe(ws => !ws.IsClosed);
        (await page.ReconnectCountAsync()).ShouldBe(0);
        await Expect(page.Page.GetByTestId("connection-label")).ToHaveTextAsync("Live");
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task AWriteKeyIsNotReadOnly()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Security.AddApiKeys($"{WriteKey},{ReadKey}:read"));
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, waitConnected: false);
        await page.Page.GetByTestId("auth-key").FillAsync(WriteKey);
        await page.Page.GetByTestId("auth-submit").ClickAsync();
        await page.ExpectConnectionAsync("connected");
        await Expect(page.Page.GetByTestId("fleet-toggle")).ToBeVisibleAsync();
        await Expect(page.Page.GetByTestId("read-only")).ToBeHiddenAsync();
    }
}
