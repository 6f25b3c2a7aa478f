using System.Text;
using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.Security;
using Switchboard.FunctionalTests.Streaming;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Trees;

/// <summary>
/// A subtree subscription over every transport (long-poll and SSE as well as WebSocket), resumed by <c>seq</c> like any
/// topic, and under a label-scoped token: only the descendants its labels allow, in the snapshot, live and in replay.
/// </summary>
public sealed class SubtreeTransportTests
{

    [Fact]
    public async Task LongPollDeliversTheSnapshotThenEveryDescendantsEvents()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("r");
        await server.Http.CreateAsync("a", new { parent_id = "r" });
        var token = (await server.Http.LongPollAsync(HttpMethod.Get)).Str("token");
        await server.Http.LongPollAsync(HttpMethod.Post, token, """["1","1","session:r","phx_join",{"subtree":true}]""");
        await server.Http.CreateAsync("a1", new { parent_id = "a" });
        await server.Http.CreateAsync("elsewhere");
        await server.Http.PostAsync("/api/sessions/a1/usage", new { cost_usd = 0.5 });

        var frames = new List<PhoenixFrame>();
        await TestTimeouts.Eventually(async () =>
        {
            var poll = await server.Http.LongPollAsync(HttpMethod.Get, token);
            if (poll.TryGetProperty("messages", out var messages))
            {
                frames.AddRange(messages.EnumerateArray().Select(m => PhoenixFrame.Parse(m.GetString()!)));
            }

            return frames.Count(f => f.Seq is not null) >= 2;
        }, "the descendants' events over long-poll");

        var reply = frames.First(f => f.Event == "phx_reply");
        reply.Response.GetProperty("descendants").EnumerateArray().Select(s => s.Str("id")).ShouldBe(["a"]);
        var events = frames.Where(f => f.Seq is not null).ToList();
        events.Select(f => (f.Topic, f.Event, f.Payload.Str("session_id"))).ShouldBe(
            [("session:r", "session_created", "a1"), ("session:r", "session_updated", "a1")]);
        events[1].Payload.GetProperty("data").GetProperty("ancestors").EnumerateArray().Select(a => a.GetString()).ShouldBe(["r", "a"]);
    }

    [Fact]
    public async Task SseFollowsASubtreeAndResumesFromLastEventId()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("r");
        await server.Http.CreateAsync("a", new { parent_id = "r" });
        string last;
        await using (var sse = await SseReader.OpenAsync(server.Http, "/api/stream?topics=session:r&subtree=true"))
        {
            var joined = await sse.NextEventAsync(r => r.Event == "joined");
            using (var reply = JsonDocument.Parse(joined.Data!))
            {
                reply.RootElement.GetProperty("descendants").EnumerateArray().Select(s => s.Str("id")).ShouldBe(["a"]);
            }

            await server.Http.PostAsync("/api/sessions/a/usage", new { input_tokens = 3 });
            var usage = await sse.NextEventAsync(r => r.Event == "session_updated");
            last = usage.Id!;
        }

        await server.Http.CreateAsync("a2", new { parent_id = "a" });
        await server.Http.CreateAsync("elsewhere");
        await server.Http.PostAsync("/api/sessions/a2/terminate");
        await using var resumed = await SseReader.OpenAsync(server.Http, "/api/stream?topics=session:r&subtree=true", lastEventId: last);
        var rejoined = await resumed.NextEventAsync(r => r.Event == "joined");
        JsonDocument.Parse(rejoined.Data!).RootElement.GetProperty("resumed").GetBoolean().ShouldBeTrue();
        var created = await resumed.NextEventAsync(r => r.Event is "session_created" or "session_terminated");
        var ended = await resumed.NextEventAsync(r => r.Event is "session_created" or "session_terminated");
        (created.Event, ended.Event).ShouldBe(("session_created", "session_terminated"), "only a2's two events, 'elsewhere' is another tree");
        (await server.Http.GetJsonAsync("/api/stream?topics=sessions&subtree=maybe")).Status.ShouldBe(400);
    }

    [Fact]
    public async Task ALabelScopedTokenSeesOnlyTheDescendantsItsLabelsAllowLiveAndReplayed()
    {
        await using var secured = await Secured.StartAsync();
        await secured.Writer.CreateAsync("run", new { labels = new { team = "core" } });
        await secured.Writer.CreateAsync("core-a", new { parent_id = "run", labels = new { team = "core" } });
        await secured.Writer.CreateAsync("ml-a", new { parent_id = "run", labels = new { team = "ml" } });
        var token = await secured.MintAsync(["session:*"], new { team = "core" });

        await using var client = await PhoenixClient.ConnectAsync(secured.SocketUri(token));
        var join = await client.JoinAsync("session:run", new { subtree = true });
        join.Status.ShouldBe("ok", join.Raw);
        join.Response.GetProperty("descendants").EnumerateArray().Select(s => s.Str("id")).ShouldBe(["core-a"]);
        var since = join.Response.Long("seq");
        var epoch = join.Response.Str("epoch");

        await secured.Writer.PostAsync("/api/sessions/ml-a/usage", new { input_tokens = 1 });
        await secured.Writer.CreateAsync("ml-b", new { parent_id = "core-a", labels = new { team = "ml" } });
        await secured.Writer.PostAsync("/api/sessions/core-a/usage", new { input_tokens = 2 });
        var live = await client.WaitForAsync(f => f.Seq is not null);
        live.Payload.Str("session_id").ShouldBe("core-a");
        (await client.DrainAsync(TimeSpan.FromMilliseconds(300))).Where(f => f.Seq is not null).ShouldBeEmpty("nothing of team ml");

        await using var again = await PhoenixClient.ConnectAsync(secured.SocketUri(token));
        var resumed = await again.JoinAsync("session:run", new { subtree = true, since, epoch });
        (resumed.Response.GetProperty("resumed").GetBoolean(), resumed.Response.Long("replayed")).ShouldBe((true, 1L));
        (await again.WaitForAsync(f => f.Seq is not null)).Payload.Str("session_id").ShouldBe("core-a");

        var outside = await client.JoinAsync("session:ml-a", new { subtree = true });
        outside.Status.ShouldBe("error", "the followed session itself must be within the scope");
        var missing = await client.JoinAsync("session:nobody-a", new { subtree = true });
        missing.Status.ShouldBe("error", "a scoped connection cannot tell a session outside its scope from one that does not exist");
        missing.Response.ToString().ShouldBe(outside.Response.ToString());
    }
}
