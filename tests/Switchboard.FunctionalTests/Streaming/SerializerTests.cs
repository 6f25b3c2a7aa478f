using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Streaming;

/// <summary>
/// Every Phoenix client, not only phoenix.js 2.x: the V1 serializer (no vsn, or 1.0.0) on WebSocket and long-poll, refs
/// that are any JSON scalar echoed exactly as sent, null payloads, and the last vsn winning.
/// </summary>
public sealed class SerializerTests : IAsyncLifetime
{
    private SwitchboardServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await SwitchboardServer.StartAsync();

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private Task<RawWebSocket> ConnectAsync(string query) => RawWebSocket.ConnectAsync(_server.BaseAddress, "/socket/websocket" + query);

    /// <summary>Reads text frames until one satisfies <paramref name="match"/>.</summary>
    private static async Task<JsonElement> ReadUntilAsync(RawWebSocket socket, Func<JsonElement, bool> match)
    {
        while (true)
        {
            var text = await socket.ReadTextAsync();
            var frame = JsonDocument.Parse(text).RootElement.Clone();
            if (match(frame))
            {
                return frame;
            }
        }
    }

    [Fact]
    public async Task NumericAndOtherScalarRefsAreEchoedExactlyAsSent()
    {
        await using var socket = await ConnectAsync("?vsn=2.0.0");
        await socket.SendTextAsync("""[1,1,"summary","phx_join",{}]""");
        (await socket.ReadTextAsync()).ShouldStartWith("""[1,1,"summary","phx_reply",{"status":"ok",""");

        await socket.SendTextAsync("""[null,2.50,"phoenix","heartbeat",null]""");
        (await ReadUntilAsync(socket, f => f[1].ValueKind != JsonValueKind.Null)).GetRawText().ShouldStartWith("""[null,2.50,"phoenix","phx_reply",{"status":"ok",""");

        await socket.SendTextAsync("""[1,true,"summary","shout",{}]""");
        var pushReply = await ReadUntilAsync(socket, f => f[1].ValueKind == JsonValueKind.True);
        pushReply.GetRawText().ShouldStartWith("""[1,true,"summary","phx_reply",""");

        await socket.SendTextAsync("""[1,"a\"b\u00e9",  "summary","phx_leave",null]""");
        (await ReadUntilAsync(socket, f => f[1].ValueKind == JsonValueKind.String)).GetRawText()
            .ShouldStartWith("""[1,"a\"b\u00e9","summary","phx_reply",{"status":"ok",""", customMessage: "the ref's own escapes come back");
        (await ReadUntilAsync(socket, f => f[3].GetString() == "phx_close")).GetRawText().ShouldBe("""[1,1,"summary","phx_close",{}]""");
    }

    [Fact]
    public async Task AClientWithNumericRefsJoinsPushesHeartbeatsAndLeavesWithEachReplyEchoingItsNumber()
    {
        // What phoenix_gen_socket_client sends: integers for join_ref and ref, a null payload on heartbeat and leave.
        await using var socket = await ConnectAsync("?vsn=2.0.0");
        await socket.SendTextAsync("""[10,10,"summary","phx_join",{}]""");
        (await socket.ReadTextAsync()).ShouldStartWith("""[10,10,"summary","phx_reply",{"status":"ok",""");

        await socket.SendTextAsync("""[10,11,"summary","ping",{}]""");
        (await ReadUntilAsync(socket, f => f[1].ValueKind == JsonValueKind.Number && f[1].GetRawText() == "11")).GetRawText()
            .ShouldStartWith("""[10,11,"summary","phx_reply",{"status":"ok",""");

        await socket.SendTextAsync("""[null,12,"phoenix","heartbeat",null]""");
        (await ReadUntilAsync(socket, f => f[1].GetRawText() == "12")).GetRawText()
            .ShouldBe("""[null,12,"phoenix","phx_reply",{"status":"ok","response":{}}]""");

        await socket.SendTextAsync("""[10,13,"summary","phx_leave",null]""");
        (await ReadUntilAsync(socket, f => f[1].GetRawText() == "13")).GetRawText()
            .ShouldStartWith("""[10,13,"summary","phx_reply",{"status":"ok",""");
        (await ReadUntilAsync(socket, f => f[3].GetString() == "phx_close")).GetRawText().ShouldBe("""[10,10,"summary","phx_close",{}]""");

        // The connection is still open and the topic can be joined again with the next number.
        await socket.SendTextAsync("""[14,14,"summary","phx_join",{}]""");
        (await ReadUntilAsync(socket, f => f[1].GetRawText() == "14")).GetRawText().ShouldStartWith("""[14,14,"summary","phx_reply",{"status":"ok",""");
    }

    [Fact]
    public async Task AV1ClientWithNumericRefsGetsEachNumberBack()
    {
        await using var socket = await ConnectAsync("?vsn=1.0.0");
        async Task<JsonElement> SendAsync(string frame, int reply)
        {
            await socket.SendTextAsync(frame);
            return await ReadUntilAsync(socket, f => f.GetProperty("ref").ValueKind == JsonValueKind.Number && f.GetProperty("ref").GetInt32() == reply);
        }

        foreach (var (frame, reply, topic) in new[]
                 {
                     ("""{"topic":"summary","event":"phx_join","payload":{},"ref":1,"join_ref":1}""", 1, "summary"),
                     ("""{"topic":"summary","event":"ping","payload":{},"ref":2,"join_ref":1}""", 2, "summary"),
                     ("""{"topic":"phoenix","event":"heartbeat","payload":null,"ref":3}""", 3, "phoenix"),
                     ("""{"topic":"summary","event":"phx_leave","payload":null,"ref":4,"join_ref":1}""", 4, "summary"),
                 })
        {
            var answer = await SendAsync(frame, reply);
            answer.GetProperty("topic").GetString().ShouldBe(topic);
            answer.GetProperty("event").GetString().ShouldBe("phx_reply");
            answer.GetProperty("payload").GetProperty("status").GetString().ShouldBe("ok", frame);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("?vsn=1.0.0")]
    [InlineData("?vsn=2.0.0&vsn=1.0.0")]
    public async Task V1ClientsJoinAndGetBroadcastsAsObjects(string query)
    {
        await using var socket = await ConnectAsync(query);
        await socket.SendTextAsync("""{"topic":"sessions","event":"phx_join","payload":{},"ref":"1","join_ref":"1"}""");
        var reply = await ReadUntilAsync(socket, f => f.GetProperty("event").GetString() == "phx_reply");
        reply.GetProperty("ref").GetString().ShouldBe("1");
        reply.GetProperty("payload").GetProperty("status").GetString().ShouldBe("ok");
        reply.TryGetProperty("join_ref", out _).ShouldBeFalse("V1 frames carry no join_ref");

        await _server.Http.CreateAsync("v1-" + query.Length, new { name = "from v1" });
        var created = await ReadUntilAsync(socket, f => f.GetProperty("event").GetString() == "session_created");
        created.GetProperty("topic").GetString().ShouldBe("sessions");
        created.GetProperty("ref").ValueKind.ShouldBe(JsonValueKind.Null);
        created.GetProperty("payload").GetProperty("data").GetProperty("session").GetProperty("name").GetString().ShouldBe("from v1");

        await socket.SendTextAsync("""{"topic":"phoenix","event":"heartbeat","payload":{},"ref":7}""");
        (await ReadUntilAsync(socket, f => f.GetProperty("ref").ValueKind == JsonValueKind.Number)).GetProperty("ref").GetInt32().ShouldBe(7);
    }

    [Fact]
    public async Task TheLastVsnWins()
    {
        await using var socket = await ConnectAsync("?vsn=1.0.0&vsn=2.0.0");
        await socket.SendTextAsync("""["1","1","summary","phx_join",{}]""");
        (await socket.ReadTextAsync()).ShouldStartWith("""["1","1","summary","phx_reply",""");
    }

    [Fact]
    public async Task AV1MessageOnAV2ConnectionAndTheReverseCloseWith1003()
    {
        await using (var v2 = await ConnectAsync("?vsn=2.0.0"))
        {
            await v2.SendTextAsync("""{"topic":"sessions","event":"phx_join","payload":{},"ref":"1"}""");
            (await v2.ReadUntilCloseAsync()).Code.ShouldBe((ushort)1003);
        }

        await using var v1 = await ConnectAsync("?vsn=1.0.0");
        await v1.SendTextAsync("""["1","1","sessions","phx_join",{}]""");
        (await v1.ReadUntilCloseAsync()).Code.ShouldBe((ushort)1003);
    }

    [Theory]
    [InlineData("""{"topic":"summary","event":"phx_join","payload":{},"ref":{"n":1}}""")]
    [InlineData("""{"topic":"summary","event":"phx_join","payload":{},"ref":"1","join_ref":[1]}""")]
    [InlineData("""{"topic":"summary","event":"phx_join","payload":[],"ref":"1"}""")]
    [InlineData("""{"topic":"summary","payload":{},"ref":"1"}""")]
    [InlineData("""{"topic":1,"event":"phx_join","payload":{},"ref":"1"}""")]
    public async Task AMalformedV1MessageClosesWith1003(string frame)
    {
        await using var socket = await ConnectAsync("?vsn=1.0.0");
        await socket.SendTextAsync(frame);
        (await socket.ReadUntilCloseAsync()).Code.ShouldBe((ushort)1003, frame);
    }

    [Fact]
    public async Task V1HasNoBinaryFramesAndClosesOnOneWith1003()
    {
        await using var socket = await ConnectAsync("?vsn=1.0.0");
        await socket.SendFrameAsync(0x2, new byte[] { 0, 1, 1, 7, (byte)'s', (byte)'u', (byte)'m', (byte)'m', (byte)'a', (byte)'r', (byte)'y', (byte)'x' });
        (await socket.ReadUntilCloseAsync()).Code.ShouldBe((ushort)1003);
    }

    [Fact]
    public async Task LongPollServesV1Too()
    {
        async Task<JsonElement> Lp(HttpMethod method, string query, string? body = null)
        {
            using var request = new HttpRequestMessage(method, "/socket/longpoll" + query);
            if (body is not null)
            {
                request.Content = new StringContent(body);
            }

            var response = await _server.Http.SendAsync(request);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        }

        var connect = await Lp(HttpMethod.Get, "");
        connect.Long("status").ShouldBe(410);
        var token = "?token=" + Uri.EscapeDataString(connect.Str("token"));
        (await Lp(HttpMethod.Post, token, "{\"topic\":\"summary\",\"event\":\"phx_join\",\"payload\":{},\"ref\":1}\n" +
                                          "{\"topic\":\"phoenix\",\"event\":\"heartbeat\",\"payload\":null,\"ref\":\"2\"}")).Long("status").ShouldBe(200);
        var messages = (await Lp(HttpMethod.Get, token)).GetProperty("messages").EnumerateArray()
            .Select(m => JsonDocument.Parse(m.GetString()!).RootElement.Clone()).ToList();
        messages.Select(m => (m.GetProperty("topic").GetString(), m.GetProperty("event").GetString(), m.GetProperty("ref").GetRawText()))
            .ShouldBe([("summary", "phx_reply", "1"), ("summary", "summary", "null"), ("phoenix", "phx_reply", "\"2\"")]);
    }
}
