using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Streaming;

/// <summary>
/// A resume with a long replay to a client that reads slowly: its heartbeats are still answered while the replay is
/// paced to it (phoenix.js reconnects after one unanswered heartbeat, and would then replay again, forever).
/// </summary>
public sealed class ReplayHeartbeatTests(ITestOutputHelper output)
{
    private const int Events = 3000;

    [Fact]
    public async Task AHeartbeatSentDuringALongReplayIsAnsweredBeforeTheReplayEnds()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Sockets.SendQueueMaxFrames = 256);
        await server.Http.CreateAsync("busy");
        var head = (await server.Http.GetJsonAsync("/api/summary")).Body;
        var (since, epoch) = (head.Long("as_of_seq"), head.Str("epoch"));
        // About 12 MB of events: more than the socket buffers hold, so the replay has to wait for the client.
        var blob = new string('r', 4000);
        for (var batch = 0; batch < Events / 100; batch++)
        {
            var ops = Enumerable.Range(0, 100).Select(i => new { op = "update", id = "busy", metadata = new { blob, n = batch * 100 + i } });
            (await server.Http.PostAsync("/api/batch", new { operations = ops })).Status.ShouldBe(200);
        }

        await using var client = await RawWebSocket.ConnectAsync(server.BaseAddress, receiveBuffer: 4096);
        await client.SendTextAsync($$"""["1","1","sessions","phx_join",{"since":{{since}},"epoch":"{{epoch}}"}]""");
        await client.SendTextAsync("""[null,"hb-1","phoenix","heartbeat",{}]""");
        await Task.Delay(500, TestContext.Current.CancellationToken); // not reading: the replay stalls on the paced queue

        var seqs = new List<long>();
        int? eventsBeforeHeartbeatReply = null;
        while (seqs.Count < Events || eventsBeforeHeartbeatReply is null)
        {
            var frame = JsonDocument.Parse(await client.ReadTextAsync(TestTimeouts.Long)).RootElement;
            if (frame[2].GetString() == "phoenix" && frame[1].GetString() == "hb-1")
            {
                frame[4].Str("status").ShouldBe("ok");
                eventsBeforeHeartbeatReply = seqs.Count;
            }
            else if (frame[4].TryGetProperty("seq", out var seq) && seq.ValueKind == JsonValueKind.Number && frame[3].GetString() != "phx_reply")
            {
                seqs.Add(seq.GetInt64());
            }
        }

        output.WriteLine($"the heartbeat reply came after {eventsBeforeHeartbeatReply} of {Events} replayed events");
        eventsBeforeHeartbeatReply!.Value.ShouldBeLessThan(Events, "answered while the replay was still going");
        seqs.ShouldBe(Enumerable.Range(1, Events).Select(i => since + i), "the replay itself is whole and in order");
    }
}
