using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.Streaming;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Security;

/// <summary>
/// A key scoped by labels opening a stream itself (<c>Authorization: Bearer</c>) gets what a token with its labels gets,
/// on every transport: only its sessions in snapshots, live events and replays, another team's session topic joined as
/// one of a session that does not exist (nothing of it ever arrives), and no fleet-wide topic.
/// </summary>
public sealed class ScopedKeyStreamTests : IAsyncLifetime
{
    private ScopedKeys _keys = null!;

    public async ValueTask InitializeAsync() => _keys = await ScopedKeys.StartAsync();

    public async ValueTask DisposeAsync() => await _keys.DisposeAsync();

    private static List<string?> SessionIds(IEnumerable<PhoenixFrame> frames) =>
        [.. frames.Where(f => f.Seq is not null && f.Event != "fleet_updated").Select(f => f.Payload.GetProperty("session_id").GetString())];

    /// <summary>Writes to both teams' sessions, red's last, so a client that has seen "red-last" has been sent everything before it.</summary>
    private async Task WriteBothTeamsAsync()
    {
        await _keys.Admin.PatchAsync("/api/sessions/blue-1", new { state = "working" });
        await _keys.Admin.PatchAsync("/api/sessions/red-1", new { state = "working" });
        await _keys.Admin.CreateAsync("blue-2", new { labels = new { team = "blue" } });
        await _keys.Admin.CreateAsync("red-last", new { labels = new { team = "red" } });
    }

    [Fact]
    public async Task AWebSocketOpenedWithTheKeySeesOnlyItsSessions()
    {
        await using var client = await PhoenixClient.ConnectAsync(_keys.Server.WebSocketUri,
            o => o.SetRequestHeader("Authorization", "Bearer " + ScopedKeys.RedKey));
        var join = await client.JoinAsync("sessions");
        join.Status.ShouldBe("ok");
        join.Response.GetProperty("sessions").EnumerateArray().Select(s => s.Str("id")).ShouldBe(["red-2", "red-1"]);
        join.Response.TryGetProperty("summary", out _).ShouldBeFalse("summaries are fleet-wide totals");
        var seq = join.Response.GetProperty("seq").GetInt64();
        var epoch = join.Response.GetProperty("epoch").GetString();

        var blueJoin = await client.JoinAsync("session:blue-1");
        var nobodyJoin = await client.JoinAsync("session:nobody-1");
        blueJoin.Status.ShouldBe("ok", "another team's session is joined as one that does not exist yet");
        blueJoin.Response.ToString().Replace("blue-1", "X").ShouldBe(nobodyJoin.Response.ToString().Replace("nobody-1", "X"), "nothing tells them apart");
        foreach (var topic in new[] { "summary", "usage", "alerts", "commands", "approvals", "webhooks" })
        {
            var refused = await client.JoinAsync(topic);
            refused.Status.ShouldBe("error", topic);
            refused.Response.GetProperty("reason").GetString().ShouldBe("unauthorized");
        }

        (await client.JoinAsync("session:red-1")).Response.GetProperty("session").Str("id").ShouldBe("red-1");
        await WriteBothTeamsAsync();
        var last = await client.WaitForAsync(f => f.Topic == "sessions" && f.Event == "session_created" && f.Payload.GetProperty("session_id").GetString() == "red-last");
        var frames = (await client.DrainAsync(TimeSpan.FromMilliseconds(300))).Prepend(last).ToList();
        SessionIds(frames).ShouldAllBe(id => id == "red-1" || id == "red-last");
        SessionIds(frames).ShouldContain("red-1");
        frames.ShouldNotContain(f => f.Event == "summary");
        last.Payload.GetProperty("data").TryGetProperty("active_count", out _).ShouldBeFalse();

        // A resume replays the same: nothing of blue's.
        await using var resumed = await PhoenixClient.ConnectAsync(_keys.Server.WebSocketUri,
            o => o.SetRequestHeader("Authorization", "Bearer " + ScopedKeys.RedKey));
        (await resumed.JoinAsync("sessions", new { since = seq, epoch })).Response.GetProperty("resumed").GetBoolean().ShouldBeTrue();
        await resumed.WaitForAsync(f => f.Event == "session_created" && f.Payload.GetProperty("session_id").GetString() == "red-last");
        SessionIds(await resumed.DrainAsync(TimeSpan.FromMilliseconds(300))).ShouldBe(["red-1"], "the replay before red's last event");
    }

    [Fact]
    public async Task ALongPollOpenedWithTheKeySeesOnlyItsSessions()
    {
        var http = _keys.Red;
        var token = (await http.LongPollAsync(HttpMethod.Get)).Str("token");
        var joined = await http.LongPollAsync(HttpMethod.Post, token,
            "[\"1\",\"1\",\"sessions\",\"phx_join\",{}]\n[\"2\",\"2\",\"session:blue-1\",\"phx_join\",{}]\n[\"3\",\"3\",\"summary\",\"phx_join\",{}]");
        joined.Long("status").ShouldBe(200);

        var frames = new List<PhoenixFrame>();
        async Task PollUntilAsync(Func<List<PhoenixFrame>, bool> done, string what) => await TestTimeouts.Eventually(async () =>
        {
            frames.AddRange((await http.LongPollAsync(HttpMethod.Get, token)).GetProperty("messages").EnumerateArray()
                .Select(m => PhoenixFrame.Parse(m.GetString()!)));
            return done(frames);
        }, what);

        await PollUntilAsync(f => f.Count(x => x.Event == "phx_reply") == 3, "the three join replies");
        var replies = frames.Where(f => f.Event == "phx_reply").ToDictionary(f => f.Topic);
        replies["sessions"].Response.GetProperty("sessions").EnumerateArray().Select(s => s.Str("id")).ShouldBe(["red-2", "red-1"]);
        replies["session:blue-1"].Response.TryGetProperty("session", out var blueSession).ShouldBeTrue();
        blueSession.ValueKind.ShouldBe(JsonValueKind.Null, "joined as a session that does not exist");
        replies["summary"].Response.GetProperty("reason").GetString().ShouldBe("unauthorized");

        await WriteBothTeamsAsync();
        await PollUntilAsync(f => SessionIds(f).Contains("red-last"), "red's last write, live");
        SessionIds(frames).ShouldBe(["red-1", "red-last"]);
    }

    [Fact]
    public async Task SseOpenedWithTheKeySeesOnlyItsSessions()
    {
        (await _keys.Red.GetJsonAsync("/api/stream?topics=summary")).ShouldBeProblem(403, "topics");
        foreach (var (id, other) in new[] { ("blue-1", "nobody-1"), ("nobody-1", "blue-1") })
        {
            // Another team's session topic is joined as one of a session that does not exist.
            await using var one = await SseReader.OpenAsync(_keys.Red, $"/api/stream?topics=session:{id}");
            var reply = (await one.NextEventAsync(r => r.Event == "joined")).Data!;
            reply.ShouldContain("\"session\":null");
            reply.ShouldNotContain(other);
        }

        await using var sse = await SseReader.OpenAsync(_keys.Red, "/api/stream?topics=sessions");
        var joined = await sse.NextEventAsync(r => r.Event == "joined");
        using (var reply = JsonDocument.Parse(joined.Data!))
        {
            reply.RootElement.ToString().ShouldNotContain("blue-1");
            reply.RootElement.ToString().ShouldContain("red-1");
        }

        await WriteBothTeamsAsync();
        var records = new List<SseRecord>();
        do
        {
            records.Add(await sse.NextEventAsync());
        }
        while (records[^1] is not { Event: "session_created" } last || last.Data?.Contains("\"red-last\"", StringComparison.Ordinal) != true);

        records.AddRange(await sse.DrainAsync(TimeSpan.FromMilliseconds(300)));
        records.ShouldContain(r => r.Event == "session_updated" && r.Data!.Contains("\"red-1\"", StringComparison.Ordinal));
        var all = string.Join("\n", records.Select(r => r.Data));
        all.ShouldNotContain("blue-");
        all.ShouldNotContain("\"active_count\"");
    }

    [Fact]
    public async Task AScopedSessionSubscriberGetsNoAlertEventsLiveReplayedOrAsAStream()
    {
        await using var keys = await ScopedKeys.StartAsync(o => o.Alerts.Rules.Add(Alerts.AlertKit.Rule("err", "session_error")));
        await using var red = await PhoenixClient.ConnectAsync(keys.Server.WebSocketUri, o => o.SetRequestHeader("Authorization", "Bearer " + ScopedKeys.RedKey));
        await using var admin = await PhoenixClient.ConnectAsync(keys.Server.WebSocketUri, o => o.SetRequestHeader("Authorization", "Bearer " + ScopedKeys.AdminKey));
        var joined = await red.JoinAsync("session:red-1");
        (await admin.JoinAsync("session:red-1")).Status.ShouldBe("ok");

        (await keys.Admin.PatchAsync("/api/sessions/red-1", new { state = "error", error_message = "boom" })).Status.ShouldBe(200);
        await admin.WaitForAsync(f => f.Topic == "session:red-1" && f.Event == "alert_raised");
        (await keys.Admin.PatchAsync("/api/sessions/red-1", new { name = "after the alert" })).Status.ShouldBe(200);
        await red.WaitForAsync(f => f.Event == "session_updated" && f.Payload.GetProperty("data").GetProperty("changes").TryGetProperty("name", out _));
        (await red.DrainAsync(TimeSpan.FromMilliseconds(200))).Concat(red.Backlog).ShouldNotContain(f => f.Event.StartsWith("alert_"),
            "alerting is fleet-wide: GET /api/events leaves alert events out for this key, and so does its socket");

        await using var resumed = await PhoenixClient.ConnectAsync(keys.Server.WebSocketUri, o => o.SetRequestHeader("Authorization", "Bearer " + ScopedKeys.RedKey));
        var replay = await resumed.JoinAsync("session:red-1", new { since = joined.Response.Long("seq"), epoch = joined.Response.Str("epoch") });
        replay.Response.GetProperty("resumed").GetBoolean().ShouldBeTrue();
        await resumed.WaitForAsync(f => f.Event == "session_updated" && f.Payload.GetProperty("data").GetProperty("changes").TryGetProperty("name", out _));
        resumed.Backlog.Concat(await resumed.DrainAsync(TimeSpan.FromMilliseconds(200))).ShouldNotContain(f => f.Event.StartsWith("alert_"));

        using var stream = await keys.Red.GetAsync("/v1/stream/topics/session:red-1?offset=-1");
        var body = await stream.Content.ReadAsStringAsync();
        body.ShouldContain("after the alert");
        body.ShouldNotContain("alert_raised");
        (await keys.Admin.GetStringAsync("/v1/stream/topics/session:red-1?offset=-1")).ShouldContain("alert_raised", Case.Sensitive, "an unscoped key still sees it");
    }

    [Fact]
    public async Task AnUnscopedKeyStillStreamsTheWholeFleet()
    {
        await using var client = await PhoenixClient.ConnectAsync(_keys.Server.WebSocketUri,
            o => o.SetRequestHeader("Authorization", "Bearer " + ScopedKeys.AdminKey));
        var join = await client.JoinAsync("sessions");
        join.Response.GetProperty("sessions").EnumerateArray().Select(s => s.Str("id")).ShouldBe(["blue-1", "red-2", "red-1"]);
        join.Response.TryGetProperty("summary", out _).ShouldBeTrue();
        (await client.JoinAsync("session:blue-1")).Status.ShouldBe("ok");
        (await client.JoinAsync("commands")).Status.ShouldBe("ok");
    }
}
