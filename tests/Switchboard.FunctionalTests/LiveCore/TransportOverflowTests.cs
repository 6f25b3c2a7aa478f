using Microsoft.Extensions.Logging;
using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Transports;
using Switchboard.Server.Transports.Sse;
using Switchboard.Server.Transports.WebSockets;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.LiveCore;

/// <summary>
/// A client that stops reading, on each transport, costs only itself: it is cut off at its queue's cap while a control
/// subscriber on the same node keeps receiving every event in order and the node stays ready. (The long-poll case once
/// stopped all live delivery on the node: its overflow left a channel while the fan-out walked that very list.)
/// </summary>
public sealed class TransportOverflowTests
{
    private const int Events = 1500;

    [Fact]
    public async Task AStuckClientOnEachTransportIsCutOffWhileAControlSubscriberGetsEverything()
    {
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Sockets.SendQueueMaxFrames = 256;
            o.Sockets.SendQueueMaxBytes = 512 * 1024;
        });
        await server.Http.CreateAsync("flood");
        await using var control = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var start = (await control.JoinAsync("sessions")).Response.Long("seq");

        var longPoll = await StuckClients.LongPollAsync(server.Http, "sessions");
        using var sse = await StuckClients.SseAsync(server.BaseAddress, "sessions");
        await using var ws = await RawWebSocket.ConnectAsync(server.BaseAddress, receiveBuffer: 4096);
        await ws.SendTextAsync("""["1","1","sessions","phx_join",{}]""");
        (await ws.ReadTextAsync()).ShouldContain("\"status\":\"ok\"");
        var registry = server.Get<ConnectionRegistry>();
        registry.Snapshot().Length.ShouldBe(4);

        var received = new List<long>();
        for (var batch = 0; batch < Events / 50; batch++)
        {
            var ops = Enumerable.Range(0, 50).Select(i => new { op = "update", id = "flood", metadata = StuckClients.Bulky(batch * 50 + i) });
            (await server.Http.PostAsync("/api/batch", new { operations = ops })).Status.ShouldBe(200);
            while (received.Count < (batch + 1) * 50)
            {
                received.Add((await control.WaitForAsync(f => f.Seq is not null, TestTimeouts.Long)).Seq!.Value);
            }

            lock (control.Backlog)
            {
                control.Backlog.Clear();
            }

            (await server.Http.GetAsync("/readyz")).IsSuccessStatusCode.ShouldBeTrue("the node stays ready while clients are stuck");
        }

        received.ShouldBe(Enumerable.Range(1, Events).Select(i => start + i), "the control subscriber gets every event, in order");

        // Each stuck client was cut off by its own queue's cap.
        (await StuckClients.PollStatusAsync(server.Http, longPoll)).ShouldBe(410, "the long-poll session was ended");
        (await StuckClients.SseEndedAsync(sse)).ShouldBeTrue("the SSE stream was ended");
        var (_, _) = await ws.ReadUntilCloseAsync(TestTimeouts.Long);
        await TestTimeouts.Eventually(() => registry.Snapshot().OfType<WebSocketConnection>().Count() == 1 && !registry.Snapshot().OfType<SseConnection>().Any(),
            "only the control subscriber stays connected (the 410 poll above opened a new long-poll session, which is fine)");

        // Delivery goes on after the cuts, and nothing failed on the server.
        await server.Http.CreateAsync("after");
        (await control.WaitForAsync(f => f.Event == "session_created")).Seq.ShouldBe(start + Events + 1);
        server.Logs.Entries.Where(e => e.Level >= LogLevel.Error).ShouldBeEmpty(server.Logs.Dump());
    }

    [Fact]
    public async Task AFanOutToAHundredReadersReachesEachOfThemInOrder()
    {
        const int readers = 100;
        const int events = 200;
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("wide");
        var clients = new List<PhoenixClient>();
        try
        {
            long start = 0;
            for (var i = 0; i < readers; i++)
            {
                var client = await PhoenixClient.ConnectAsync(server.WebSocketUri);
                clients.Add(client);
                start = (await client.JoinAsync("sessions")).Response.Long("seq");
            }

            for (var batch = 0; batch < events / 50; batch++)
            {
                var ops = Enumerable.Range(0, 50).Select(i => new { op = "update", id = "wide", metadata = new { n = batch * 50 + i } });
                (await server.Http.PostAsync("/api/batch", new { operations = ops })).Status.ShouldBe(200);
            }

            foreach (var client in clients)
            {
                var received = new List<long>();
                while (received.Count < events)
                {
                    received.Add((await client.WaitForAsync(f => f.Seq is not null, TestTimeouts.Long)).Seq!.Value);
                }

                received.ShouldBe(Enumerable.Range(1, events).Select(i => start + i), "every reader gets every event, in order");
            }

            server.Logs.Entries.Where(e => e.Level >= LogLevel.Error).ShouldBeEmpty(server.Logs.Dump());
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}
