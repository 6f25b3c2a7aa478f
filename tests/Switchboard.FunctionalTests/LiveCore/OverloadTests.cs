using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Ingest;
using Switchboard.Server.Live;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.LiveCore;

/// <summary>
/// Tests that load the whole machine, or measure the whole test process (its managed heap), run alone, so they neither
/// disturb nor are disturbed by the rest.
/// </summary>
[CollectionDefinition(nameof(MachineLoad), DisableParallelization = true)]
public sealed class MachineLoad;

/// <summary>
/// Overload slows the producers, not the subscribers: with open-loop producers (64 requests in flight, never waiting
/// for delivery) writing far faster than the node can fan out to subscribers that do read, no subscriber is cut off,
/// every logged event reaches every subscriber in order, and the writes are slowed (admission) or refused with 503 and
/// <c>Retry-After</c>, never half-applied.
/// </summary>
[Collection(nameof(MachineLoad))]
public sealed class OverloadTests(ITestOutputHelper output)
{
    private const int Subscribers = 100;
    private const int InFlight = 64;
    private const int OpsPerWrite = 50;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task OpenLoopProducersFarAboveFanOutCapacityDisconnectNoReadingSubscriber()
    {
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Http.WriteRateLimit = 0; // the limit under test is the fan-out's, not the per-key rate
            o.Sockets.WriteWaitTimeout = TimeSpan.FromSeconds(2);
        });
        for (var i = 0; i < InFlight; i++)
        {
            await server.Http.CreateAsync($"load-{i}");
        }

        var clients = new List<(PhoenixClient Client, long Start, List<long> Seqs, Task Reader)>();
        using var stop = new CancellationTokenSource();
        for (var i = 0; i < Subscribers; i++)
        {
            var client = await PhoenixClient.ConnectAsync(server.WebSocketUri);
            var start = (await client.JoinAsync("sessions")).Response.Long("seq");
            var seqs = new List<long>();
            clients.Add((client, start, seqs, Task.Run(() => ReadAsync(client, seqs, stop.Token))));
        }

        // Open loop: each producer writes again as soon as its last write was answered, whatever the subscribers got.
        var statuses = new ConcurrentDictionary<int, int>();
        var missingRetryAfter = 0;
        var clock = Stopwatch.StartNew();
        var producers = Enumerable.Range(0, InFlight).Select(p => Task.Run(async () =>
        {
            using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };
            while (clock.Elapsed < Duration)
            {
                // 50 usage updates per request: each producer alone can outwrite what 100 subscribers read.
                var ops = Enumerable.Range(0, OpsPerWrite).Select(_ => new { op = "usage", id = $"load-{p}", input_tokens = 1 });
                var (status, _, response) = await http.PostAsync("/api/batch", new { operations = ops });
                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                if (status == 503 && response.Headers.RetryAfter is null)
                {
                    Interlocked.Increment(ref missingRetryAfter);
                }
            }
        })).ToList();
        await Task.WhenAll(producers);

        var log = await server.Http.EventsAsync();
        var head = log[^1].Long("seq");
        output.WriteLine($"writes by status: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"))}; head {head}; " +
                         $"fan-out pauses {server.Get<LiveHub>().Stats.FanoutPauses}, refused {server.Get<GroupCommit>().Refused}");
        statuses.Keys.ShouldBeSubsetOf([200, 503]);
        missingRetryAfter.ShouldBe(0, "every 503 says when to retry");
        (statuses.GetValueOrDefault(200) * OpsPerWrite).ShouldBe(log.Count(e => e.Str("type") == "session_updated"), "exactly the acknowledged writes are logged");

        // Every subscriber is still connected and gets every logged event after its join, in order, exactly once.
        try
        {
            await TestTimeouts.Eventually(() => clients.All(c => Count(c.Seqs) == head - c.Start), "every subscriber to catch up", TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            // Say which subscribers fell short and whether the server had closed them, so a failure names its cause.
            var behind = clients.Select((c, i) => (i, c, got: Count(c.Seqs))).Where(x => x.got != head - x.c.Start)
                .Select(x => $"#{x.i}: {x.got} of {head - x.c.Start}, socket {x.c.Client.Socket.State}" +
                             (x.c.Client.Closed.IsCompleted ? $" closed {x.c.Client.Closed.Result.Status} '{x.c.Client.Closed.Result.Description}'" : ""));
            // Which seqs are missing (a gap in the middle is a dropped frame, the last ones a fan-out that stopped) and
            // whether the node still holds events it has not fanned out.
            var first = clients.First(c => Count(c.Seqs) != head - c.Start);
            List<long> missing;
            lock (first.Seqs)
            {
                missing = [.. log.Select(e => e.Long("seq")).Where(s => s > first.Start).Except(first.Seqs).Take(5)];
            }

            var pending = (await server.Http.GetStringAsync("/metrics")).Split('\n')
                .FirstOrDefault(l => l.StartsWith("switchboard_fanout_pending ", StringComparison.Ordinal));
            throw new ShouldAssertException($"{clients.Count(c => Count(c.Seqs) != head - c.Start)} subscribers did not catch up in 60 s " +
                                            $"(the first misses seqs {string.Join(", ", missing)} of a head of {head}; {pending}): " +
                                            string.Join("; ", behind.Take(10)));
        }

        await stop.CancelAsync();
        foreach (var (client, start, seqs, reader) in clients)
        {
            await reader;
            client.Socket.State.ShouldBe(WebSocketState.Open, "no reading subscriber is disconnected");
            lock (seqs)
            {
                seqs.ShouldBe(log.Select(e => e.Long("seq")).Where(s => s > start));
            }

            await client.DisposeAsync();
        }

        var live = server.Get<LiveHub>();
        (live.Stats.FanoutPauses + server.Get<GroupCommit>().Refused).ShouldBeGreaterThan(0, "the producers were held back");
        (await server.Http.GetAsync("/readyz")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static int Count(List<long> seqs)
    {
        lock (seqs)
        {
            return seqs.Count;
        }
    }

    private static async Task ReadAsync(PhoenixClient client, List<long> seqs, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            PhoenixFrame frame;
            try
            {
                frame = await client.WaitForAsync(f => f.Seq is not null, TimeSpan.FromMilliseconds(250));
            }
            catch (TimeoutException)
            {
                lock (client.Backlog)
                {
                    client.Backlog.Clear(); // summaries
                }

                continue;
            }

            lock (seqs)
            {
                seqs.Add(frame.Seq!.Value);
            }
        }
    }
}
