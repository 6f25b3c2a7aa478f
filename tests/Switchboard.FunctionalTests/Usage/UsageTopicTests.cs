using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Usage;

/// <summary>
/// The live <c>usage</c> topic on a real server through a real Phoenix client: the join reply carries the series from
/// <c>since</c> with its <c>as_of_seq</c>, updates add what came after, at most once a second, and the two together
/// equal what <c>GET /api/usage</c> reads from the store.
/// </summary>
public sealed class UsageTopicTests
{
    private static readonly object ByTeamPerMinute = new { bucket = "1m", group_by = "label:team", since = "1h" };

    [Fact]
    public async Task JoinsInTheMiddleOfWritesGetTheSeriesAndUpdatesThatAddUpToTheStoredRollups()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Usage.GroupBy.AddRange(["team", "model"]));
        var http = server.Http;
        await http.CreateAsync("red-1", new { labels = new { team = "red" } });
        await http.CreateAsync("blue-1", new { labels = new { team = "blue", model = "m1" } });
        (await http.PostAsync("/api/sessions/red-1/usage", new { input_tokens = 500, output_tokens = 50, cost_usd = 0.1 })).Status.ShouldBe(200);

        // Two writers keep going while clients join one after another, so events commit before, during and after each
        // join's read of the store; they stop 20 writes after the last join.
        var joined = new TaskCompletionSource();
        var created = 0;
        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
        {
            var after = 0;
            for (var i = 0; after < 20; i++)
            {
                var id = (i + w) % 2 == 0 ? "red-1" : "blue-1";
                (await http.PostAsync($"/api/sessions/{id}/usage", new { input_tokens = i + 1, output_tokens = 1, cost_usd = 0.01 })).Status.ShouldBe(200);
                if (i % 4 == 0)
                {
                    await http.CreateAsync($"w{w}-{i}", new { labels = new { team = i % 8 == 0 ? "red" : "green" } });
                    Interlocked.Increment(ref created);
                    (await http.PatchAsync($"/api/sessions/w{w}-{i}", new { state = "working" })).Status.ShouldBe(200);
                }

                if (i % 4 == 2)
                {
                    (await http.PostAsync($"/api/sessions/w{w}-{i - 2}/terminate", new { reason = "done" })).Status.ShouldBe(200);
                }

                after += joined.Task.IsCompleted ? 1 : 0;
            }
        })).ToArray();

        var clients = new List<(PhoenixClient Client, UsageSeries Series)>();
        try
        {
            for (var c = 0; c < 4; c++)
            {
                await TestTimeouts.Eventually(() => Task.FromResult(Volatile.Read(ref created) > c), "the writers moved on");
                var client = await PhoenixClient.ConnectAsync(server.WebSocketUri);
                var reply = await client.JoinAsync("usage", ByTeamPerMinute);
                reply.Status.ShouldBe("ok", reply.Raw);
                reply.Response.GetProperty("bucket").GetString().ShouldBe("1m");
                reply.Response.GetProperty("group_by").GetString().ShouldBe("label:team");
                reply.Response.GetProperty("group_by_keys").EnumerateArray().Select(k => k.GetString()).ShouldBe(["team", "model"]);
                var series = UsageSeries.From(reply.Response);
                series.Sum("input_tokens").ShouldBeGreaterThanOrEqualTo(500);
                clients.Add((client, series));
            }

            joined.SetResult();
            await Task.WhenAll(writers).Within(TestTimeouts.Long);
            var head = (await http.GetJsonAsync("/api/events?since=0&limit=1")).Body.Long("head_seq");
            var stored = UsageSeries.From((await http.GetJsonAsync("/api/usage?bucket=1m&group_by=label:team&since=1h")).Body);
            stored.Seq.ShouldBe(head);
            stored.Sum("sessions_created").ShouldBe(2 + created);
            foreach (var (client, series) in clients)
            {
                await series.FollowUntilAsync(client, head);
                series.Updates.ShouldBeGreaterThan(0);
                series.Values.ShouldBe(stored.Values, "history from the reply plus the live increments equal the stored rollups");
            }
        }
        finally
        {
            foreach (var (client, _) in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task UpdatesGoOutAtMostOnceASecondAndCarryEverythingInBetween()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await SwitchboardServer.StartAsync(time: time);
        var http = server.Http;
        await http.CreateAsync("s1");
        await using var client = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var reply = await client.JoinAsync("usage", new { bucket = "1h" });
        reply.Status.ShouldBe("ok", reply.Raw);
        var series = UsageSeries.From(reply.Response);
        series.Sum("sessions_created").ShouldBe(1);

        // The first change after a quiet second goes out at once.
        (await http.PostAsync("/api/sessions/s1/usage", new { input_tokens = 10 })).Status.ShouldBe(200);
        series.Apply((await client.WaitForAsync(f => f.Topic == "usage" && f.Event == "usage")).Payload);
        series.Sum("input_tokens").ShouldBe(10);

        // Within the same second nothing more goes out, however many writes come.
        (await http.PostAsync("/api/sessions/s1/usage", new { input_tokens = 20 })).Status.ShouldBe(200);
        (await http.PostAsync("/api/sessions/s1/usage", new { input_tokens = 30 })).Status.ShouldBe(200);
        var head = (await http.GetJsonAsync("/api/events?since=0&limit=1")).Body.Long("head_seq");
        (await client.DrainAsync(TimeSpan.FromMilliseconds(400))).Where(f => f.Event == "usage").ShouldBeEmpty();

        // A second later one update carries both.
        time.Advance(TimeSpan.FromSeconds(1));
        var update = (await client.WaitForAsync(f => f.Topic == "usage" && f.Event == "usage")).Payload;
        series.Apply(update);
        update.GetProperty("seq").GetInt64().ShouldBe(head);
        update.GetProperty("series")[0].GetProperty("points")[0].GetProperty("input_tokens").GetInt64().ShouldBe(50);
        series.Sum("input_tokens").ShouldBe(60);
    }

    [Theory]
    [InlineData("""{"bucket": "2h"}""", "'bucket' must be 1m, 1h or 1d")]
    [InlineData("""{"since": 5}""", "'since' must be a string")]
    [InlineData("""{"until": "1h"}""", "'until' does not apply")]
    [InlineData("""{"group_by": "label:project"}""", "'group_by' must be 'all' or label:KEY")]
    [InlineData("""{"bucket": "1m", "since": "30d"}""", "at most 10000 are allowed")]
    public async Task BadJoinParamsAreRefusedWithWhatToFix(string payload, string detail)
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Usage.GroupBy.Add("team"));
        await using var client = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var reply = await client.JoinAsync("usage", JsonDocument.Parse(payload).RootElement);
        reply.Status.ShouldBe("error", reply.Raw);
        reply.Response.GetProperty("reason").GetString().ShouldBe("invalid join params");
        reply.Response.GetProperty("detail").GetString()!.ShouldContain(detail);
    }

    [Fact]
    public async Task ASinceTooFarBackIsAnErrorReplyAndTheConnectionGoesOn()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await using var client = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var reply = await client.JoinAsync("usage", new { since = "3000000000h" });
        reply.Status.ShouldBe("error", reply.Raw);
        reply.Response.GetProperty("reason").GetString().ShouldBe("invalid join params");
        reply.Response.GetProperty("detail").GetString()!.ShouldContain("'since' goes back more than 100 years");

        (await client.JoinAsync("usage", new { since = "1h" })).Status.ShouldBe("ok");
        server.Logs.Entries.ShouldNotContain(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    [Fact]
    public async Task WithRollupsTurnedOffTheTopicSaysSo()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Usage.Enabled = false);
        await using var client = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var reply = await client.JoinAsync("usage");
        reply.Status.ShouldBe("error", reply.Raw);
        reply.Response.GetProperty("detail").GetString()!.ShouldContain("Switchboard:Usage:Enabled=false");
    }

    [Fact]
    public async Task ServerSentEventsPointToTheSocketOrTheHttpApi()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var (status, body, _) = await server.Http.GetJsonAsync("/api/stream?topics=usage");
        status.ShouldBe(400, body.ToString());
        body.GetProperty("detail").GetString()!.ShouldContain("GET /api/usage");
    }
}
