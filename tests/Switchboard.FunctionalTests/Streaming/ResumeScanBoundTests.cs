using System.Text.Json;
using Switchboard.FunctionalTests.Commands;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Streaming;

/// <summary>
/// A resume costs the node at most <c>Stream:MaxReplayEvents</c> events read from the log, whatever its filter matches
/// (docs/protocol.md, "Resume"): a label filter that matches nothing in a longer range gets the protocol's fresh snapshot
/// (<c>resumed: false</c>), never a read of the whole log nor a silent gap; within the bound it replays exactly. The
/// WebSocket and SSE share the join coordinator, so both are held to it.
/// </summary>
public sealed class ResumeScanBoundTests
{
    private const int Bound = 50;

    /// <summary>A server whose log holds red-1 and then more than <see cref="Bound"/> events of blue's session; returns the seq before blue's.</summary>
    private static async Task<(SwitchboardServer Server, long Before)> StartWithBlueTrafficAsync()
    {
        var server = await SwitchboardServer.StartAsync(o => o.Sockets.MaxReplayEvents = Bound);
        await server.Http.CreateAsync("red-1", new { labels = new { team = "red" } });
        var before = await server.Http.HeadAsync();
        await server.Http.CreateAsync("blue-1", new { labels = new { team = "blue" } });
        for (var i = 0; i < Bound + 10; i++)
        {
            (await server.Http.PostAsync("/api/sessions/blue-1/usage", new { input_tokens = 1 })).Status.ShouldBe(200);
        }

        return (server, before);
    }

    [Fact]
    public async Task AFilteredSocketResumeOverMoreEventsThanTheBoundGetsASnapshotAndOneWithinItReplaysExactly()
    {
        var (server, before) = await StartWithBlueTrafficAsync();
        await using var _ = server;
        var red = new Dictionary<string, string> { ["team"] = "red" };
        await using var client = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var fresh = await client.JoinAsync("sessions", new { labels = red });
        var epoch = fresh.Response.Str("epoch");

        await using var behind = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var far = await behind.JoinAsync("sessions", new { labels = red, since = before, epoch });
        far.Status.ShouldBe("ok");
        far.Response.GetProperty("resumed").GetBoolean().ShouldBeFalse("the range holds more events than the bound, though none is red's");
        far.Response.GetProperty("sessions").EnumerateArray().Select(s => s.Str("id")).ShouldBe(["red-1"]);

        // Within the bound: exactly red's events of the range, in order, and nothing of blue's.
        var since = await server.Http.HeadAsync();
        var redSeqs = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            (await server.Http.PostAsync("/api/sessions/blue-1/usage", new { input_tokens = 1 })).Status.ShouldBe(200);
            (await server.Http.PostAsync("/api/sessions/red-1/usage", new { input_tokens = 1 })).Status.ShouldBe(200);
            redSeqs.Add(await server.Http.HeadAsync());
        }

        await using var resumer = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var near = await resumer.JoinAsync("sessions", new { labels = red, since, epoch });
        near.Response.GetProperty("resumed").GetBoolean().ShouldBeTrue();
        near.Response.GetProperty("replayed").GetInt32().ShouldBe(3);
        var replayed = new List<long>();
        while (replayed.Count < 3)
        {
            var frame = await resumer.WaitForAsync(f => f.Seq is not null);
            frame.Payload.Str("session_id").ShouldBe("red-1");
            replayed.Add(frame.Seq!.Value);
        }

        replayed.ShouldBe(redSeqs);
    }

    [Fact]
    public async Task AFilteredSseResumeOverMoreEventsThanTheBoundGetsASnapshot()
    {
        var (server, before) = await StartWithBlueTrafficAsync();
        await using var _ = server;
        await using var sse = await SseReader.OpenAsync(server.Http, "/api/stream?topics=sessions&label=team=red", lastEventId: before.ToString());
        var joined = JsonDocument.Parse((await sse.NextEventAsync(r => r.Event == "joined")).Data!).RootElement;
        joined.GetProperty("resumed").GetBoolean().ShouldBeFalse();
        joined.GetProperty("sessions").EnumerateArray().Select(s => s.Str("id")).ShouldBe(["red-1"]);
    }
}
