using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Streaming;

/// <summary>
/// Resume as a property: under random interleavings of writes, disconnects (at any point, including mid-stream and
/// mid-join) and rejoins with <c>{since, epoch}</c>, every client's received seqs equal exactly the log's seqs for its
/// topic — no gap, no duplicate, in order.
/// </summary>
public sealed class ResumePropertyTests(ITestOutputHelper output)
{
    private static readonly string[] Teams = ["red", "blue"];

    [Theory]
    [InlineData(11)]
    [InlineData(23)]
    [InlineData(47)]
    public async Task ReceivedSeqsEqualTheLogForEveryTopic(int seed)
    {
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        await using var server = await SwitchboardServer.StartAsync();
        for (var i = 0; i < 6; i++)
        {
            await server.Http.CreateAsync($"s{i}", new { labels = new { team = Teams[i % 2] } });
        }

        var subscribers = new List<Subscriber>
        {
            new("sessions", null), new("sessions", "red"), new("sessions", "blue"),
            new("session:s1", null), new("session:s2", null), new("session:s9", null),
        };
        foreach (var s in subscribers)
        {
            await s.ConnectAsync(server, resume: false);
        }

        using var writing = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            using var http = new HttpClient { BaseAddress = server.BaseAddress };
            for (var i = 0; i < 1000; i++)
            {
                var roll = random.Next(100);
                var id = $"s{random.Next(10)}";
                if (roll < 5)
                {
                    await http.PostAsync("/api/sessions", new { id, labels = new { team = Teams[random.Next(2)] } });
                }
                else if (roll < 70)
                {
                    await http.PostAsync($"/api/sessions/{id}/usage", new { input_tokens = 1 + random.Next(5) });
                }
                else
                {
                    await http.PatchAsync($"/api/sessions/{id}", new { state = new[] { "idle", "working", "waiting", "paused", "error" }[random.Next(5)] });
                }

                if (random.Next(8) == 0)
                {
                    await Task.Delay(random.Next(1, 4)); // let disconnects land between, not only around, bursts
                }
            }
        });

        var chaos = 0;
        while (!writer.IsCompleted)
        {
            await Task.Delay(random.Next(2, 20));
            var victim = subscribers[random.Next(subscribers.Count)];
            await victim.DisconnectAsync();
            if (random.Next(3) == 0)
            {
                await Task.Delay(random.Next(1, 30)); // stay away while events are committed
            }

            await victim.ConnectAsync(server, resume: true);
            chaos++;
        }

        await writer;
        output.WriteLine($"{chaos} disconnects");
        var log = await server.Http.EventsAsync();
        var labels = new Dictionary<string, string>();
        foreach (var e in log.Where(e => e.Str("type") == "session_created"))
        {
            labels[e.Str("session_id")] = e.GetProperty("data").GetProperty("session").GetProperty("labels").Str("team");
        }

        foreach (var s in subscribers)
        {
            var expected = log.Where(e => e.Long("seq") > s.StartSeq && s.Belongs(e, labels)).Select(e => e.Long("seq")).ToList();
            await TestTimeouts.Eventually(() => s.Received.Count >= expected.Count, $"{s} to catch up");
            await Task.Delay(100);
            await s.DisconnectAsync();
            s.Received.ShouldBe(expected, $"{s}: received seqs must equal the log for its topic");
            s.Snapshots.ShouldBe(0, $"{s}: every rejoin within retention must resume, not snapshot");
        }
    }

    private sealed class Subscriber(string topic, string? team)
    {
        private PhoenixClient? _client;
        private Task? _pump;
        private string _epoch = "";

        public List<long> Received { get; } = [];

        public long StartSeq { get; private set; } = -1;

        public int Snapshots { get; private set; }

        private long Last => Received.Count > 0 ? Received[^1] : StartSeq;

        public bool Belongs(JsonElement e, Dictionary<string, string> labels) => topic switch
        {
            "sessions" => team is null || labels.GetValueOrDefault(e.Str("session_id")) == team,
            _ => e.Str("session_id") == topic["session:".Length..],
        };

        public async Task ConnectAsync(SwitchboardServer server, bool resume)
        {
            _client = await PhoenixClient.ConnectAsync(server.WebSocketUri);
            var payload = new Dictionary<string, object>();
            if (team is not null)
            {
                payload["labels"] = new { team };
            }

            if (resume)
            {
                payload["since"] = Last;
                payload["epoch"] = _epoch;
            }

            var reply = await _client.JoinAsync(topic, payload);
            reply.Status.ShouldBe("ok", reply.Raw);
            if (!resume)
            {
                StartSeq = reply.Response.Long("seq");
                _epoch = reply.Response.Str("epoch");
            }
            else if (!reply.Response.GetProperty("resumed").GetBoolean())
            {
                Snapshots++;
            }

            var client = _client;
            _pump = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        var frame = await client.WaitForAsync(f => f.Seq is not null && f.Topic == topic, TimeSpan.FromMinutes(5));
                        lock (Received)
                        {
                            Received.Add(frame.Seq!.Value);
                        }
                    }
                }
                catch (InvalidOperationException)
                {
                    // the socket closed: everything it delivered has been taken
                }
            });
        }

        public async Task DisconnectAsync()
        {
            if (_client is null)
            {
                return;
            }

            _client.Socket.Abort();
            await _pump!.Within();
            await _client.DisposeAsync();
            _client = null;
        }

        public override string ToString() => team is null ? topic : $"{topic}[team={team}]";
    }
}
