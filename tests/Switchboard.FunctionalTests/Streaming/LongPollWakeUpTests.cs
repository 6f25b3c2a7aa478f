using System.Text;
using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Streaming;

/// <summary>
/// Issue 30: a long-poll client went deaf for 8.2 s while its queue filled (a wake-up lost between a drain and the
/// waiter). Here real long-poll clients over HTTP poll in tight loops while producers write, with a poll window far
/// longer than the test: a poll that waited while its queue held frames would sit out that window, and its client would
/// miss the deadline. Every client gets every event, in order. The window of the race is microseconds wide, so this
/// stress rarely hits it (with the old ordering it passed three runs of three); the interleaving itself is pinned by
/// <c>Switchboard.Server.Tests.LongPollWaiterTests</c>, whose seam runs a frame's offer inside it and failed before the fix.
/// </summary>
public sealed class LongPollWakeUpTests
{
    private const int Clients = 8;
    private const int Writers = 4;
    private const int WritesEach = 150;

    [Fact]
    public async Task LongPollClientsPollingInTightLoopsWhileWritesRunNeverWaitWithFramesQueued()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Sockets.LongPollWindow = TimeSpan.FromMinutes(10));
        var total = Writers * (WritesEach + 1); // each writer creates its session, then updates it
        var keys = new string[Clients];
        for (var i = 0; i < Clients; i++)
        {
            keys[i] = (await server.Http.LongPollAsync(HttpMethod.Get)).Str("token");
            var joined = await server.Http.LongPollAsync(HttpMethod.Post, keys[i], """["1","1","sessions","phx_join",{}]""");
            joined.Long("status").ShouldBe(200);
        }

        var received = new long[Clients];
        using var stop = new CancellationTokenSource();
        var pollers = Enumerable.Range(0, Clients).Select(i => Task.Run(async () =>
        {
            // Its own connection: a poll of one client never queues behind another's.
            using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(11) };
            long last = 0;
            while (Volatile.Read(ref received[i]) < total)
            {
                var poll = await http.LongPollAsync(HttpMethod.Get, keys[i], cancellation: stop.Token);
                poll.Long("status").ShouldBeOneOf(200L, 204L);
                foreach (var message in poll.GetProperty("messages").EnumerateArray())
                {
                    var frame = PhoenixFrame.Parse(message.GetString()!);
                    if (frame.Seq is { } seq)
                    {
                        seq.ShouldBe(last + 1, $"client {i} got every event in order");
                        last = seq;
                        Volatile.Write(ref received[i], seq);
                    }
                }
            }
        })).ToArray();

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            await server.Http.CreateAsync($"w{w}");
            for (var n = 0; n < WritesEach; n++)
            {
                (await server.Http.PostAsync($"/api/sessions/w{w}/usage", new { input_tokens = 1 })).Status.ShouldBe(200);
            }
        }))).Within(TestTimeouts.Long);

        var all = Task.WhenAll(pollers);
        if (await Task.WhenAny(all, Task.Delay(TestTimeouts.Long)) != all)
        {
            await stop.CancelAsync();
            var deaf = Enumerable.Range(0, Clients).Where(i => Volatile.Read(ref received[i]) < total)
                .Select(i => $"client {i} at seq {Volatile.Read(ref received[i])} of {total}");
            throw new ShouldAssertException("a poll waited while its queue held frames: " + string.Join("; ", deaf));
        }

        await all;
    }

}
