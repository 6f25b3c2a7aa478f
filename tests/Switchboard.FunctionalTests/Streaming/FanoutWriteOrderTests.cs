using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Transports;
using Switchboard.Server.Transports.WebSockets;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Streaming;

/// <summary>
/// A WebSocket connection's writes start either on the live loop (when it has nothing else to do) or in the thread pool
/// (a busy loop, a reply from the connection's own read loop); whichever starts one, frames leave in the order queued.
/// </summary>
public sealed class FanoutWriteOrderTests
{
    private const int Rounds = 10;
    private const int BatchSize = 300; // more than the 256 events of one pass: the loop has more to fan out and wakes the pool

    [Fact]
    public async Task EventsAndRepliesKeepTheirOrderWhileWritesAlternateBetweenTheLoopAndThePool()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("order");
        await using var client = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var start = (await client.JoinAsync("sessions")).Response.Long("seq");
        var connection = server.Get<ConnectionRegistry>().Snapshot().Cast<WebSocketConnection>().Single();

        var expected = 0;
        for (var round = 0; round < Rounds; round++)
        {
            // One change, one pass, then an idle loop: written from the loop.
            (await server.Http.PatchAsync("/api/sessions/order", new { metadata = new { round } })).Status.ShouldBe(200);
            // One commit of 300: the first pass leaves events to fan out, so its writes go to the pool.
            var first = expected;
            var ops = Enumerable.Range(0, BatchSize).Select(i => new { op = "update", id = "order", metadata = new { n = first + i } });
            (await server.Http.PostAsync("/api/batch", new { operations = ops })).Status.ShouldBe(200);
            expected += 1 + BatchSize;
            // A reply queued by the connection's read loop, between the events.
            await client.SendAsync(null, $"hb{round}", "phoenix", "heartbeat");
        }

        var seqs = new List<long>();
        var replies = new List<string>();
        while (seqs.Count < expected || replies.Count < Rounds)
        {
            var frame = await client.WaitForAsync(f => f.Seq is not null || f.Topic == "phoenix", TestTimeouts.Long);
            if (frame.Seq is { } seq)
            {
                seqs.Add(seq);
            }
            else
            {
                replies.Add(frame.Ref!);
            }
        }

        seqs.ShouldBe(Enumerable.Range(1, expected).Select(i => start + i), "every event once, in order");
        replies.ShouldBe(Enumerable.Range(0, Rounds).Select(r => $"hb{r}"), "every reply, in order");
        connection.InlineDrains.ShouldBeGreaterThan(0, "some writes started on the idle loop");
        connection.QueuedDrains.ShouldBeGreaterThan(0, "and some in the pool");
    }
}
