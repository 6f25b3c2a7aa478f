using System.Net;
using System.Net.WebSockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Core.Diagnostics;
using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Live;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.LiveCore;

/// <summary>
/// The live loop is supervised: a fault in its fan-out is logged once with its event id and turns <c>/readyz</c> to
/// 503 with the reason; the loop then rebuilds its state from the store, every subscriber is told to reconnect, and a
/// resume by <c>seq</c> gets the event that faulted and everything after it. Faults that keep coming stop the node.
/// </summary>
public sealed class LiveLoopFaultTests
{
    [Fact]
    public async Task AFaultInTheFanOutIsLoggedReportedAndRecoveredFromWithoutAGap()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var live = server.Get<LiveHub>();
        await using var before = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var joined = await before.JoinAsync("sessions");
        var epoch = joined.Response.Str("epoch");
        await server.Http.CreateAsync("a");
        var seenA = (await before.WaitForAsync(f => f.Event == "session_created")).Seq!.Value;

        var hold = new TaskCompletionSource();
        var fired = live.InjectFault("test", hold.Task);
        await server.Http.CreateAsync("b"); // durable, though its fan-out faults
        await fired.WaitAsync(TestTimeouts.Default);

        var ready = await WaitForReadyzAsync(server, HttpStatusCode.ServiceUnavailable);
        ready.Str("status").ShouldContain("injected fault (test)");
        ready.GetProperty("live").Str("status").ShouldBe("recovering");
        var fault = server.Logs.Entries.Where(e => e.EventId == LogEventIds.Live + 3).ShouldHaveSingleItem();
        fault.Level.ShouldBe(LogLevel.Error);
        fault.Exception.ShouldNotBeNull();

        hold.SetResult();
        (await WaitForReadyzAsync(server, HttpStatusCode.OK)).Str("status").ShouldBe("ready");
        var (status, _) = await before.Closed.WaitAsync(TestTimeouts.Default);
        status.ShouldBe(WebSocketCloseStatus.InternalServerError, "subscribers are told to reconnect and resume");

        await using var after = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var resumed = await after.JoinAsync("sessions", new { since = seenA, epoch });
        resumed.Response.GetProperty("resumed").GetBoolean().ShouldBeTrue();
        (await after.WaitForAsync(f => f.Event == "session_created")).Payload.Str("session_id").ShouldBe("b");
        await server.Http.CreateAsync("c");
        (await after.WaitForAsync(f => f.Event == "session_created")).Payload.Str("session_id").ShouldBe("c");
        server.Logs.Entries.Where(e => e.EventId == LogEventIds.Live + 4).ShouldHaveSingleItem().Level.ShouldBe(LogLevel.Information);
    }

    [Fact]
    public async Task FaultsThatKeepComingStopTheNodeWithOneClearLine()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var live = server.Get<LiveHub>();
        var stopping = new TaskCompletionSource();
        server.Get<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult());
        for (var i = 0; i < 3; i++)
        {
            // Each injected fault claims one event of its own: one injected before the last has fired is queued, not lost.
            var fired = live.InjectFault($"fault {i}", Task.CompletedTask);
            await server.Http.CreateAsync($"s{i}");
            await fired.WaitAsync(TestTimeouts.Default);
            if (i < 2)
            {
                await WaitForReadyzAsync(server, HttpStatusCode.OK);
            }
        }

        await stopping.Task.WaitAsync(TestTimeouts.Default);
        var critical = server.Logs.Entries.Where(e => e.Level == LogLevel.Critical).ShouldHaveSingleItem();
        critical.EventId.ShouldBe(LogEventIds.Live + 5);
        live.Health.Status.ShouldBe(LiveStatus.Failed);
    }

    private static async Task<System.Text.Json.JsonElement> WaitForReadyzAsync(SwitchboardServer server, HttpStatusCode expected)
    {
        System.Text.Json.JsonElement body = default;
        await TestTimeouts.Eventually(async () =>
        {
            var (status, json, _) = await server.Http.GetJsonAsync("/readyz");
            body = json;
            return status == (int)expected;
        }, $"/readyz to answer {(int)expected}");
        return body;
    }
}
