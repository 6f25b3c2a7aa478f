using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.LiveCore;

/// <summary>
/// One membership rule for label-filtered topics: a subscriber that stays connected and one that keeps dropping and
/// resuming by <c>seq</c> receive the same events, exactly the ones the log says belong to the filter (the session
/// matched it after the event, or before an event that changed its labels), while sessions move between teams.
/// </summary>
public sealed class LabelFilterPropertyTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string> Red = new() { ["team"] = "red" };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task AResumedSubscriberAndAConnectedOneReceiveTheSameFilteredSequence(int run)
    {
        var seed = Environment.TickCount + run;
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        await using var server = await SwitchboardServer.StartAsync();
        await using var live = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var joined = await live.JoinAsync("sessions", new { labels = Red });
        var epoch = joined.Response.Str("epoch");
        var start = joined.Response.Long("seq");
        var liveSeqs = new List<long>();
        var resumedSeqs = new List<long>();

        var writer = Task.Run(() => WriteRandomlyAsync(server.Http, new Random(seed + 1)));
        var resumer = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        (await resumer.JoinAsync("sessions", new { labels = Red, since = start, epoch })).Response.GetProperty("resumed").GetBoolean().ShouldBeTrue();
        var reconnects = 0;
        while (!writer.IsCompleted)
        {
            // Read for a while, then drop the connection with whatever is in flight, and resume from the last seq seen.
            var until = DateTime.UtcNow.AddMilliseconds(random.Next(20, 150));
            await ReadUntilAsync(resumer, resumedSeqs, until);
            await resumer.DisposeAsync();
            resumer = await PhoenixClient.ConnectAsync(server.WebSocketUri);
            var since = resumedSeqs.Count > 0 ? resumedSeqs[^1] : start;
            var reply = await resumer.JoinAsync("sessions", new { labels = Red, since, epoch });
            reply.Response.GetProperty("resumed").GetBoolean().ShouldBeTrue($"resume from {since} (seed {seed})");
            reconnects++;
        }

        await writer;
        var expected = Expected(await server.Http.EventsAsync(start));
        output.WriteLine($"{expected.Count} red events of {reconnects} reconnects");
        expected.Count.ShouldBeGreaterThan(50);
        await ReadUntilCountAsync(live, liveSeqs, expected.Count);
        await ReadUntilCountAsync(resumer, resumedSeqs, expected.Count);
        await resumer.DisposeAsync();

        liveSeqs.ShouldBe(expected, $"the connected subscriber (seed {seed})");
        resumedSeqs.ShouldBe(expected, $"the resumed subscriber (seed {seed})");
    }

    /// <summary>Creates, moves between teams, updates and terminates sessions.</summary>
    private static async Task WriteRandomlyAsync(HttpClient http, Random random)
    {
        var alive = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            var team = random.Next(2) == 0 ? "red" : "blue";
            switch (alive.Count < 3 ? 0 : random.Next(6))
            {
                case 0:
                    var id = $"p{i}";
                    await http.CreateAsync(id, new { labels = new { team, other = "x" } });
                    alive.Add(id);
                    break;
                case 1:
                case 2:
                    (await http.PatchAsync($"/api/sessions/{alive[random.Next(alive.Count)]}", new { labels = new { team } })).Status.ShouldBe(200);
                    break;
                case 3:
                    (await http.PostAsync($"/api/sessions/{alive[random.Next(alive.Count)]}/usage", new { input_tokens = 5 })).Status.ShouldBe(200);
                    break;
                case 4:
                    (await http.PatchAsync($"/api/sessions/{alive[random.Next(alive.Count)]}", new { state = random.Next(2) == 0 ? "working" : "idle" })).Status.ShouldBe(200);
                    break;
                default:
                    var gone = alive[random.Next(alive.Count)];
                    alive.Remove(gone);
                    (await http.PostAsync($"/api/sessions/{gone}/terminate", new { })).Status.ShouldBe(200);
                    break;
            }
        }
    }

    /// <summary>The red events of the log, by the rule computed here from the events themselves.</summary>
    private static List<long> Expected(List<JsonElement> log)
    {
        var labels = new Dictionary<string, string?>();
        var red = new List<long>();
        foreach (var e in log)
        {
            var id = e.Str("session_id");
            var before = labels.GetValueOrDefault(id);
            var data = e.GetProperty("data");
            var after = e.Str("type") switch
            {
                "session_created" => data.GetProperty("session").GetProperty("labels").Str("team"),
                "session_updated" when data.GetProperty("changes").TryGetProperty("labels", out var changed) => changed.Str("team"),
                _ => before,
            };
            labels[id] = after;
            if (after == "red" || before == "red")
            {
                red.Add(e.Long("seq"));
            }
        }

        return red;
    }

    private static async Task ReadUntilAsync(PhoenixClient client, List<long> seqs, DateTime until)
    {
        while (until - DateTime.UtcNow is var left && left > TimeSpan.Zero)
        {
            try
            {
                // The time left is read once: read again here it could already be negative.
                var frame = await client.WaitForAsync(f => f.Topic == "sessions" && f.Seq is not null, left);
                seqs.Add(frame.Seq!.Value);
            }
            catch (TimeoutException)
            {
                return;
            }
        }
    }

    private static async Task ReadUntilCountAsync(PhoenixClient client, List<long> seqs, int count)
    {
        while (seqs.Count < count)
        {
            seqs.Add((await client.WaitForAsync(f => f.Topic == "sessions" && f.Seq is not null, TestTimeouts.Long)).Seq!.Value);
        }
    }
}
