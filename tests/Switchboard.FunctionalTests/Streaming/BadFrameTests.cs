using System.Text;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Streaming;

/// <summary>
/// Each kind of bad frame gets its documented answer — an error reply, or a close with the proper code — and the
/// server keeps serving: a well-behaved client on the same server sees every event, with no gap.
/// </summary>
public sealed class BadFrameTests : IAsyncLifetime
{
    private SwitchboardServer _server = null!;
    private PhoenixClient _bystander = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await SwitchboardServer.StartAsync();
        _bystander = await PhoenixClient.ConnectAsync(_server.WebSocketUri);
        (await _bystander.JoinAsync("sessions")).Status.ShouldBe("ok");
    }

    public async ValueTask DisposeAsync()
    {
        // The bystander saw every event written during the test, in order and without a gap.
        await _server.Http.CreateAsync("final-" + Guid.NewGuid().ToString("N")[..8]);
        var head = (await _server.Http.GetJsonAsync("/api/events?since=0")).Body.Long("head_seq");
        await _bystander.WaitForAsync(f => f.Seq == head);
        var seqs = (await _bystander.DrainAsync(TimeSpan.FromMilliseconds(100))).Where(f => f.Seq is not null).Select(f => f.Seq!.Value).ToList();
        seqs.Add(head);
        seqs.ShouldBe(Enumerable.Range(1, (int)head).Select(i => (long)i));
        await _bystander.DisposeAsync();
        await _server.DisposeAsync();
    }

    private async Task<ushort?> CloseCodeAfter(Func<RawWebSocket, Task> send)
    {
        await using var raw = await RawWebSocket.ConnectAsync(_server.BaseAddress);
        await send(raw);
        var (code, _) = await raw.ReadUntilCloseAsync();
        await _server.Http.CreateAsync("after-" + Guid.NewGuid().ToString("N")[..8]); // the server still serves
        return code;
    }

    [Theory]
    [InlineData("{not json", "malformed JSON")]
    [InlineData("""{"topic":"sessions"}""", "not an array")]
    [InlineData("""["1","1","sessions","phx_join"]""", "wrong arity")]
    [InlineData("""[{},"2","sessions","phx_join",{}]""", "an object as join_ref")]
    [InlineData("""[null,["2"],"sessions","phx_join",{}]""", "an array as ref")]
    [InlineData("""[null,"1",5,"phx_join",{}]""", "non-string topic")]
    [InlineData("""[null,"1","sessions","phx_join",[]]""", "array payload")]
    public async Task InvalidV2MessagesCloseWith1003(string text, string what)
    {
        (await CloseCodeAfter(raw => raw.SendTextAsync(text))).ShouldBe((ushort)1003, what);
    }

    [Fact]
    public async Task InvalidUtf8ClosesWith1007() =>
        (await CloseCodeAfter(raw => raw.SendFrameAsync(0x1, new byte[] { 0x5B, 0xC3, 0x28, 0x5D }))).ShouldBe((ushort)1007);

    private static byte[] ClosePayload(ushort code, byte[] reason)
    {
        var payload = new byte[2 + reason.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(payload, code);
        reason.CopyTo(payload, 2);
        return payload;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(999)]
    [InlineData(1004)]
    [InlineData(1005)]
    [InlineData(1006)]
    [InlineData(1015)]
    [InlineData(1016)]
    [InlineData(1100)]
    [InlineData(2000)]
    [InlineData(2999)]
    [InlineData(5000)]
    [InlineData(65535)]
    public async Task ACloseWithACodeAPeerMayNotSendIsAnsweredWith1002(int code) =>
        (await CloseCodeAfter(raw => raw.SendFrameAsync(0x8, ClosePayload((ushort)code, "bye"u8.ToArray())))).ShouldBe((ushort)1002);

    [Theory]
    [InlineData(1000)]
    [InlineData(1001)]
    [InlineData(1011)]
    [InlineData(3000)]
    [InlineData(4999)]
    public async Task ACloseWithAValidCodeIsEchoed(int code) =>
        (await CloseCodeAfter(raw => raw.SendFrameAsync(0x8, ClosePayload((ushort)code, "bye"u8.ToArray())))).ShouldBe((ushort)code);

    [Fact]
    public async Task ACloseReasonThatIsNotUtf8IsAnsweredWith1007() =>
        (await CloseCodeAfter(raw => raw.SendFrameAsync(0x8, ClosePayload(1000, [0xC3, 0x28])))).ShouldBe((ushort)1007);

    [Theory]
    [InlineData("""[null,"1","\ud800","phx_join",{}]""")]
    [InlineData("""[null,"1","sessions","phx_\udc00",{}]""")]
    public async Task ALoneSurrogateInTheEnvelopeClosesWith1007(string text) =>
        (await CloseCodeAfter(raw => raw.SendTextAsync(text))).ShouldBe((ushort)1007);

    [Fact]
    public async Task ALoneSurrogateInJoinParamsIsAnInvalidJoinParamsError()
    {
        await using var client = await PhoenixClient.ConnectAsync(_server.WebSocketUri);
        await client.SendRawAsync("""["9","9","sessions","phx_join",{"labels":{"team":"\ud800"}}]""");
        var reply = await client.WaitForAsync(f => f.Ref == "9");
        reply.Status.ShouldBe("error");
        reply.Response.GetProperty("reason").GetString().ShouldBe("invalid join params");
        (await client.HeartbeatAsync()).Status.ShouldBe("ok", "the connection stays");
    }

    [Theory]
    [InlineData(0xA, true)] // unsolicited pongs
    [InlineData(0x1, false)] // empty non-final fragments of one text message (then continuations)
    public async Task FloodsOfPongsOrEmptyFragmentsCountAgainstTheMessageRate(int opcode, bool fin) =>
        (await CloseCodeAfter(async raw =>
        {
            try
            {
                for (var i = 0; i < 1000; i++)
                {
                    await raw.SendFrameAsync((byte)(i == 0 || fin ? opcode : 0x0), ReadOnlyMemory<byte>.Empty, fin);
                }
            }
            catch (IOException)
            {
                // closed mid-flood; the close frame is still there to read
            }
        })).ShouldBe((ushort)1008);

    [Fact]
    public async Task AMessageOverTheFrameLimitClosesWith1009()
    {
        var big = Encoding.UTF8.GetBytes("[null,\"1\",\"phoenix\",\"heartbeat\",{\"pad\":\"" + new string('x', 70 * 1024) + "\"}]");
        (await CloseCodeAfter(raw => raw.SendFrameAsync(0x1, big))).ShouldBe((ushort)1009);
    }

    [Fact]
    public async Task FragmentsAddingUpPastTheLimitCloseWith1009() =>
        (await CloseCodeAfter(async raw =>
        {
            var part = new byte[40 * 1024];
            await raw.SendFrameAsync(0x1, part, fin: false);
            await raw.SendFrameAsync(0x0, part, fin: true);
        })).ShouldBe((ushort)1009);

    [Fact]
    public async Task UnmaskedFramesCloseWith1002() =>
        (await CloseCodeAfter(raw => raw.SendFrameAsync(0x1, Encoding.UTF8.GetBytes("[]"), masked: false))).ShouldBe((ushort)1002);

    [Fact]
    public async Task ReservedBitsCloseWith1002() =>
        (await CloseCodeAfter(raw => raw.SendFrameAsync(0x1, Encoding.UTF8.GetBytes("[]"), rsv: 4))).ShouldBe((ushort)1002);

    [Fact]
    public async Task UnknownOpcodesCloseWith1002() =>
        (await CloseCodeAfter(raw => raw.SendFrameAsync(0x3, Encoding.UTF8.GetBytes("x")))).ShouldBe((ushort)1002);

    [Fact]
    public async Task UndecodableBinaryFramesCloseWith1003() =>
        (await CloseCodeAfter(raw => raw.SendFrameAsync(0x2, new byte[] { 7, 1, 2, 3 }))).ShouldBe((ushort)1003);

    [Fact]
    public async Task ABinaryPushGetsAnErrorReplyAndTheConnectionStays()
    {
        await using var raw = await RawWebSocket.ConnectAsync(_server.BaseAddress);
        await raw.SendTextAsync("""["1","1","summary","phx_join",{}]""");
        (await raw.ReadTextAsync()).ShouldContain("\"ok\"");
        // V2 binary push: kind 0, lengths of join_ref, ref, topic, event, then the fields and the payload.
        var fields = "1" + "2" + "summary" + "blob";
        var frame = new byte[] { 0, 1, 1, 7, 4 }.Concat(Encoding.UTF8.GetBytes(fields)).Concat(new byte[] { 1, 2, 3 }).ToArray();
        await raw.SendFrameAsync(0x2, frame);
        string reply;
        do
        {
            reply = await raw.ReadTextAsync();
        }
        while (!reply.Contains("phx_reply", StringComparison.Ordinal));
        reply.ShouldBe("""["1","2","summary","phx_reply",{"status":"error","response":{"reason":"binary payloads are not supported"}}]""");
        await raw.SendTextAsync("""[null,"3","phoenix","heartbeat",{}]""");
        (await raw.ReadTextAsync()).ShouldBe("""[null,"3","phoenix","phx_reply",{"status":"ok","response":{}}]""");
    }

    [Fact]
    public async Task AnUnknownEventOnAJoinedChannelGetsAnErrorReply()
    {
        await using var client = await PhoenixClient.ConnectAsync(_server.WebSocketUri);
        await client.JoinAsync("summary");
        await client.SendRawAsync("""["1","7","summary","shout",{"x":1}]""");
        (await client.WaitForAsync(f => f.Ref == "7")).Raw
            .ShouldBe("""["1","7","summary","phx_reply",{"status":"error","response":{"reason":"unknown event 'shout'"}}]""");
    }

    [Fact]
    public async Task PingsAreAnsweredWithPongs()
    {
        await using var raw = await RawWebSocket.ConnectAsync(_server.BaseAddress);
        await raw.SendFrameAsync(0x9, Encoding.UTF8.GetBytes("are-you-there"));
        await raw.SendTextAsync("""[null,"1","phoenix","heartbeat",{}]""");
        (await raw.ReadTextAsync()).ShouldContain("phx_reply");
    }
}
