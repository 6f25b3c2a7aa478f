using System.Net.WebSockets;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Streaming;

/// <summary>The reserved-event table of the Phoenix spec, byte for byte, with a raw client.</summary>
public sealed class PhoenixProtocolTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private Task<PhoenixClient> ConnectAsync() => PhoenixClient.ConnectAsync(fixture.Server.WebSocketUri);

    [Fact]
    public async Task HeartbeatIsAnsweredWithTheSameRef()
    {
        await using var client = await ConnectAsync();
        await client.SendRawAsync("""[null,"hb-Ω-7","phoenix","heartbeat",{}]""");
        var reply = await client.WaitForAsync(f => f.Topic == "phoenix");
        reply.Raw.ShouldBe("""[null,"hb-Ω-7","phoenix","phx_reply",{"status":"ok","response":{}}]""");
    }

    [Fact]
    public async Task ElementsAfterThePayloadAreIgnored()
    {
        await using var client = await ConnectAsync();
        await client.SendRawAsync("""[null,"x6","phoenix","heartbeat",{},"trailing",7]""");
        (await client.WaitForAsync(f => f.Ref == "x6")).Status.ShouldBe("ok");
    }

    [Fact]
    public async Task JoinReplyEchoesBothRefsAndCarriesTheSnapshot()
    {
        await using var client = await ConnectAsync();
        await client.SendRawAsync("""["j1","r9","summary","phx_join",{}]""");
        var reply = await client.WaitForAsync(f => f.Event == "phx_reply");
        reply.JoinRef.ShouldBe("j1");
        reply.Ref.ShouldBe("r9");
        reply.Status.ShouldBe("ok");
        reply.Response.GetProperty("epoch").GetString().ShouldNotBeNullOrEmpty();
        reply.Response.GetProperty("summary").GetProperty("active_count").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Number);
        var summary = await client.WaitForAsync(f => f.Event == "summary");
        summary.JoinRef.ShouldBeNull();
    }

    [Fact]
    public async Task JoinOfAnUnroutedTopicIsUnmatchedWithANullJoinRef()
    {
        await using var client = await ConnectAsync();
        await client.SendRawAsync("""["1","1","rooms:lobby","phx_join",{}]""");
        (await client.WaitForAsync(f => f.Ref == "1")).Raw
            .ShouldBe("""[null,"1","rooms:lobby","phx_reply",{"status":"error","response":{"reason":"unmatched topic"}}]""");
    }

    [Fact]
    public async Task AnEventForATopicNotJoinedIsUnmatched()
    {
        await using var client = await ConnectAsync();
        await client.SendRawAsync("""["5","6","sessions","ping",{}]""");
        (await client.WaitForAsync(f => f.Ref == "6")).Raw
            .ShouldBe("""[null,"6","sessions","phx_reply",{"status":"error","response":{"reason":"unmatched topic"}}]""");
    }

    [Fact]
    public async Task ADuplicateJoinClosesTheOldChannelBeforeTheNewReply()
    {
        await using var client = await ConnectAsync();
        (await client.JoinAsync("summary")).Status.ShouldBe("ok");
        await client.SendRawAsync("""["9","9","summary","phx_join",{}]""");
        var frames = new List<PhoenixFrame>
        {
            await client.WaitForAsync(f => f.Event == "phx_close"),
            await client.WaitForAsync(f => f.Event == "phx_reply" && f.Ref == "9"),
        };
        frames[0].Raw.ShouldBe("""["1","1","summary","phx_close",{}]""");
        frames[1].JoinRef.ShouldBe("9");
        frames[1].Status.ShouldBe("ok");
    }

    [Fact]
    public async Task LeaveRepliesOkThenClosesAndLeavingAnUnjoinedTopicIsOk()
    {
        await using var client = await ConnectAsync();
        await client.JoinAsync("summary");
        await client.SendRawAsync("""["1","2","summary","phx_leave",{}]""");
        (await client.WaitForAsync(f => f.Ref == "2")).Raw.ShouldBe("""["1","2","summary","phx_reply",{"status":"ok","response":{}}]""");
        (await client.WaitForAsync(f => f.Event == "phx_close")).Raw.ShouldBe("""["1","1","summary","phx_close",{}]""");
        await client.SendRawAsync("""[null,"3","session:x","phx_leave",{}]""");
        (await client.WaitForAsync(f => f.Ref == "3")).Status.ShouldBe("ok");
    }

    [Fact]
    public async Task MessagesWithAStaleJoinRefAreIgnored()
    {
        await using var client = await ConnectAsync();
        await client.JoinAsync("summary");
        await client.SendRawAsync("""["old","4","summary","phx_leave",{}]""");
        await client.SendRawAsync("""["old","5","summary","ping",{}]""");
        await client.SendRawAsync("""["1","6","summary","shout",{}]""");
        var answered = await client.WaitForAsync(f => f.Ref == "6");
        answered.Raw.ShouldBe("""["1","6","summary","phx_reply",{"status":"error","response":{"reason":"unknown event 'shout'"}}]""");
        (await client.DrainAsync(TimeSpan.FromMilliseconds(200))).ShouldNotContain(f => f.Ref == "4" || f.Ref == "5" || f.Event == "phx_close");
    }

    [Fact]
    public async Task PingOnAJoinedChannelRepliesWithTheLogPosition()
    {
        await using var client = await ConnectAsync();
        await client.JoinAsync("summary");
        await fixture.Server.Http.CreateAsync("ping-" + Guid.NewGuid().ToString("N")[..6]);
        var head = (await fixture.Server.Http.GetJsonAsync("/api/events?since=0")).Body.Long("head_seq");
        await TestTimeouts.Eventually(async () =>
        {
            await client.SendRawAsync("""["1","p","summary","ping",{}]""");
            var reply = await client.WaitForAsync(f => f.Ref == "p");
            return reply.Response.Long("seq") == head;
        }, "ping reports the head");
    }

    [Fact]
    public async Task TheHundredAndFirstChannelIsRefused()
    {
        await using var client = await ConnectAsync();
        for (var i = 0; i < 100; i++)
        {
            (await client.JoinAsync($"session:c{i}")).Status.ShouldBe("ok");
        }

        var refused = await client.JoinAsync("session:one-too-many");
        refused.Status.ShouldBe("error");
        refused.Response.GetProperty("reason").GetString().ShouldBe("too many channels joined");
        (await client.HeartbeatAsync()).Status.ShouldBe("ok");
    }

    [Fact]
    public async Task InvalidJoinParamsAreRefusedWithAReason()
    {
        await using var client = await ConnectAsync();
        var reply = await client.JoinAsync("sessions", new { since = -4 });
        reply.Status.ShouldBe("error");
        reply.Response.GetProperty("reason").GetString().ShouldBe("invalid join params");
        reply.Response.GetProperty("detail").GetString()!.ShouldContain("since");
        (await client.JoinAsync("session:x", new { labels = new { a = "b" } })).Status.ShouldBe("error");
    }

    [Fact]
    public async Task AnUnservedVsnIsRefusedBeforeTheUpgrade()
    {
        foreach (var vsn in new[] { "3.0.0", "2.1.0", "2.0", "2.0.0&vsn=9.0.0" })
        {
            var uri = new Uri(fixture.Server.WebSocketUri.ToString().Replace("vsn=2.0.0", "vsn=" + vsn, StringComparison.Ordinal));
            (await Should.ThrowAsync<WebSocketException>(() => PhoenixClient.ConnectAsync(uri))).Message.ShouldContain("403", customMessage: vsn);
        }
    }

    [Fact]
    public async Task ThePhoenixSubprotocolIsAnsweredWhenOffered()
    {
        await using var client = await PhoenixClient.ConnectAsync(fixture.Server.WebSocketUri, o => o.AddSubProtocol("phoenix"));
        client.Socket.SubProtocol.ShouldBe("phoenix");
        (await client.HeartbeatAsync()).Status.ShouldBe("ok");
    }

    [Fact]
    public async Task APlainHttpRequestToTheSocketGetsAProblem()
    {
        var r = await fixture.Server.Http.GetJsonAsync("/socket/websocket?vsn=2.0.0");
        r.ShouldBeProblem(400);
    }

    [Fact]
    public async Task ShutdownClosesWith1001()
    {
        var server = await SwitchboardServer.StartAsync();
        await using var client = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        await client.JoinAsync("sessions");
        await server.DisposeAsync();
        var (status, _) = await client.Closed.Within();
        ((int?)status).ShouldBe(1001);
    }
}
