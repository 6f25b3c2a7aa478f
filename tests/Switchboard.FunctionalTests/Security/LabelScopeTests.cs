using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Security;

/// <summary>
/// A token scoped by labels sees only sessions carrying them — in join snapshots, live events, replays and SSE — and no
/// fleet-wide summaries. Sessions of another team never leak, not even one event.
/// </summary>
public sealed class LabelScopeTests : IAsyncLifetime
{
    private Secured _secured = null!;
    private string _token = "";

    public async ValueTask InitializeAsync()
    {
        _secured = await Secured.StartAsync();
        await _secured.Writer.CreateAsync("core-1", new { labels = new { team = "core", env = "prod" } });
        await _secured.Writer.CreateAsync("ml-1", new { labels = new { team = "ml" } });
        await _secured.Writer.CreateAsync("core-2", new { labels = new { team = "core" } });
        _token = await _secured.MintAsync(["sessions", "session:*"], new { team = "core" });
    }

    public async ValueTask DisposeAsync() => await _secured.DisposeAsync();

    private Task<PhoenixClient> ConnectAsync() => PhoenixClient.ConnectAsync(_secured.SocketUri(_token));

    private static List<string?> SessionIds(IEnumerable<PhoenixFrame> frames) =>
        [.. frames.Where(f => f.Seq is not null).Select(f => f.Payload.GetProperty("session_id").GetString())];

    [Fact]
    public async Task TheSessionsSnapshotAndLiveEventsHoldOnlyScopedSessions()
    {
        await using var client = await ConnectAsync();
        var join = await client.JoinAsync("sessions");
        join.Status.ShouldBe("ok");
        join.Response.GetProperty("sessions").EnumerateArray().Select(s => s.Str("id")).ShouldBe(["core-2", "core-1"]);
        join.Response.TryGetProperty("summary", out _).ShouldBeFalse("summaries are fleet-wide totals");

        await _secured.Writer.PatchAsync("/api/sessions/ml-1", new { state = "working" });
        await _secured.Writer.PatchAsync("/api/sessions/core-1", new { state = "working" });
        await _secured.Writer.CreateAsync("ml-2", new { labels = new { team = "ml" } });
        await _secured.Writer.CreateAsync("core-3", new { labels = new { team = "core" } });
        var last = await client.WaitForAsync(f => f.Event == "session_created" && f.Payload.GetProperty("session_id").GetString() == "core-3");
        var frames = (await client.DrainAsync(TimeSpan.FromMilliseconds(300))).Append(last).ToList();
        SessionIds(frames).ShouldBe(["core-1", "core-3"], ignoreOrder: true);
        frames.ShouldNotContain(f => f.Event == "summary", "no fleet-wide summary is pushed to a scoped channel");
    }

    [Fact]
    public async Task AScopedChannelGetsNoFleetWideActiveCountLiveOrReplayed()
    {
        await using var scoped = await ConnectAsync();
        var join = await scoped.JoinAsync("sessions");
        var since = join.Response.GetProperty("seq").GetInt64();
        var epoch = join.Response.GetProperty("epoch").GetString();
        await using var fleet = await PhoenixClient.ConnectAsync(_secured.SocketUri(await _secured.MintAsync(["sessions"])));
        (await fleet.JoinAsync("sessions")).Status.ShouldBe("ok");

        await _secured.Writer.CreateAsync("core-4", new { labels = new { team = "core" } });
        await _secured.Writer.PostAsync("/api/sessions/core-4/terminate", new { reason = "done" });
        bool Core4(PhoenixFrame f) => f.Payload.GetProperty("session_id").GetString() == "core-4";
        var created = await scoped.WaitForAsync(f => f.Event == "session_created" && Core4(f));
        var terminated = await scoped.WaitForAsync(f => f.Event == "session_terminated" && Core4(f));
        foreach (var frame in new[] { created, terminated })
        {
            var data = frame.Payload.GetProperty("data");
            data.TryGetProperty("active_count", out _).ShouldBeFalse("a count of the whole fleet would leak its size");
            data.GetProperty("session").GetProperty("id").GetString().ShouldBe("core-4");
        }

        (await fleet.WaitForAsync(f => f.Event == "session_created" && Core4(f))).Payload.GetProperty("data").GetProperty("active_count").GetInt64()
            .ShouldBe(4, "an unscoped channel keeps the fleet count");

        await using var resumed = await ConnectAsync();
        (await resumed.JoinAsync("sessions", new { since, epoch })).Response.GetProperty("resumed").GetBoolean().ShouldBeTrue();
        var replayed = await resumed.WaitForAsync(f => f.Event == "session_created" && Core4(f));
        replayed.Payload.GetProperty("data").TryGetProperty("active_count", out _).ShouldBeFalse("nor in a replay");
    }

    [Fact]
    public async Task AJoinFilterIsNarrowedByTheScopeAndCannotWidenIt()
    {
        await using var client = await ConnectAsync();
        var narrowed = await client.JoinAsync("sessions", new { labels = new { env = "prod" } });
        narrowed.Response.GetProperty("sessions").EnumerateArray().Select(s => s.Str("id")).ShouldBe(["core-1"]);

        var widened = await client.JoinAsync("sessions", new { labels = new { team = "ml" } });
        widened.Status.ShouldBe("error");
        widened.Response.GetProperty("reason").GetString().ShouldBe("unauthorized");
    }

    [Fact]
    public async Task ASessionTopicOutsideTheScopeIsJoinedAsOneThatDoesNotExistAndOneInsideIsServed()
    {
        await using var client = await ConnectAsync();
        var outside = await client.JoinAsync("session:ml-1");
        var missing = await client.JoinAsync("session:nobody-1");
        outside.Status.ShouldBe("ok");
        outside.Response.GetProperty("session").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        outside.Response.ToString().Replace("ml-1", "X").ShouldBe(missing.Response.ToString().Replace("nobody-1", "X"), "nothing tells them apart");

        var inside = await client.JoinAsync("session:core-1");
        inside.Response.GetProperty("session").Str("id").ShouldBe("core-1");
        (await client.JoinAsync("summary")).Response.GetProperty("reason").GetString().ShouldBe("unauthorized");
        var usage = await client.JoinAsync("usage");
        usage.Response.GetProperty("reason").GetString().ShouldBe("unauthorized");
        usage.Response.GetProperty("detail").GetString()!.ShouldContain("fleet-wide");
    }

    [Fact]
    public async Task ASessionJoinedBeforeItExistsOnlyShowsItIfItComesInScope()
    {
        await using var client = await ConnectAsync();
        (await client.JoinAsync("session:later-ml")).Response.GetProperty("session").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        (await client.JoinAsync("session:later-core")).Status.ShouldBe("ok");
        await _secured.Writer.CreateAsync("later-ml", new { labels = new { team = "ml" } });
        await _secured.Writer.PatchAsync("/api/sessions/later-ml", new { state = "working" });
        await _secured.Writer.CreateAsync("later-core", new { labels = new { team = "core" } });

        await client.WaitForAsync(f => f.Topic == "session:later-core" && f.Event == "session_created");
        var frames = await client.DrainAsync(TimeSpan.FromMilliseconds(300));
        frames.ShouldNotContain(f => f.Topic == "session:later-ml" && f.Seq != null, "the session was created outside the scope");
    }

    [Fact]
    public async Task ASessionThatLeavesTheScopeIsSeenLeavingThenNeverAgain()
    {
        await using var client = await ConnectAsync();
        await client.JoinAsync("sessions");
        await client.JoinAsync("session:core-2");
        await _secured.Writer.PatchAsync("/api/sessions/core-2", new { labels = new { team = "ml" } });
        await _secured.Writer.PatchAsync("/api/sessions/core-2", new { state = "working" });
        await _secured.Writer.CreateAsync("marker", new { labels = new { team = "core" } });
        await client.WaitForAsync(f => f.Topic == "sessions" && f.Event == "session_created");

        var frames = (await client.DrainAsync(TimeSpan.FromMilliseconds(300))).Where(f => f.Seq is not null).ToList();
        // The move out is shown (so a view can drop the session); the work done afterwards is not.
        frames.Count(f => f.Topic == "sessions" && f.Event == "session_updated").ShouldBe(1);
        frames.Count(f => f.Topic == "session:core-2" && f.Event == "session_updated").ShouldBe(1);
    }

    [Fact]
    public async Task AResumeReplaysOnlyScopedEvents()
    {
        var first = await ConnectAsync();
        var join = await first.JoinAsync("sessions");
        var since = join.Response.Long("seq");
        var epoch = join.Response.Str("epoch");
        await first.DisposeAsync();

        await _secured.Writer.PatchAsync("/api/sessions/ml-1", new { state = "idle" });
        await _secured.Writer.PatchAsync("/api/sessions/core-2", new { state = "idle" });
        await _secured.Writer.CreateAsync("ml-3", new { labels = new { team = "ml" } });
        await _secured.Writer.CaughtUpAsync(since + 3); // so core-2's update is replayed, not live

        await using var resumed = await ConnectAsync();
        var reply = await resumed.JoinAsync("sessions", new { since, epoch });
        reply.Response.GetProperty("resumed").GetBoolean().ShouldBeTrue();
        reply.Response.GetProperty("replayed").GetInt32().ShouldBe(1);
        await resumed.WaitForAsync(f => f.Seq is not null);
        var frames = await resumed.DrainAsync(TimeSpan.FromMilliseconds(300));
        frames.ShouldNotContain(f => f.Seq != null);
    }

    [Fact]
    public async Task SseWithAScopedTokenStreamsOnlyScopedSessions()
    {
        await using var sse = await SseReader.OpenAsync(_secured.Server.Http, "/api/stream?topics=sessions&token=" + _token);
        ((int)sse.Response.StatusCode).ShouldBe(200);
        var joined = await sse.NextEventAsync(e => e.Event == "joined");
        joined.Data!.ShouldContain("core-1");
        joined.Data!.ShouldNotContain("ml-1");
        await _secured.Writer.CreateAsync("ml-sse", new { labels = new { team = "ml" } });
        await _secured.Writer.CreateAsync("core-sse", new { labels = new { team = "core" } });
        var next = await sse.NextEventAsync(e => e.Id is not null);
        next.Data!.ShouldContain("core-sse");
    }
}
