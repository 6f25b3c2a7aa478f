using System.Text;
using Switchboard.Server.Live.Fanout;
using Switchboard.Server.Outbound;

namespace Switchboard.Server.Tests;

public sealed class OutboundFrameTests
{
    private static OutboundFrame WithPayloadLength(int textLength)
    {
        // [null,null,"t","e",<envelope>] is 20 bytes around the envelope.
        var envelope = Encoding.UTF8.GetBytes("\"" + new string('x', textLength - 22) + "\"");
        var frame = FrameEncoder.Broadcast("t", "e", envelope, 1);
        frame.TextLength.ShouldBe(textLength);
        return frame;
    }

    [Theory]
    [InlineData(125, 2)]
    [InlineData(126, 4)]
    [InlineData(65535, 4)]
    [InlineData(65536, 10)]
    public void TheWebSocketHeaderUsesTheShortestLengthEncoding(int length, int headerLength)
    {
        var frame = WithPayloadLength(length);
        var ws = frame.WebSocketFrame.Span;
        ws.Length.ShouldBe(length + headerLength);
        ws[0].ShouldBe((byte)0x81); // FIN + text
        (ws[1] & 0x80).ShouldBe(0); // servers never mask
        var declared = headerLength switch
        {
            2 => ws[1],
            4 => (ws[2] << 8) | ws[3],
            _ => (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(ws[2..]),
        };
        declared.ShouldBe(length);
        ws[headerLength..].SequenceEqual(frame.Text.Span).ShouldBeTrue();
    }

    [Fact]
    public void TheSseFormCarriesIdEventAndTheEnvelope()
    {
        var frame = FrameEncoder.Broadcast("sessions", "session_created", """{"seq":42,"x":"é"}"""u8.ToArray(), 42);
        Encoding.UTF8.GetString(frame.Sse.Span).ShouldBe("id: 42\nevent: session_created\ndata: {\"seq\":42,\"x\":\"é\"}\n\n");
        var summary = FrameEncoder.Broadcast("summary", "summary", """{"seq":null}"""u8.ToArray(), 0);
        Encoding.UTF8.GetString(summary.Sse.Span).ShouldBe("event: summary\ndata: {\"seq\":null}\n\n");
    }

    [Fact]
    public void RepliesEchoRefsAsGiven()
    {
        // Refs are raw JSON, as the client sent them: a string keeps its quotes, a number stays a number.
        var reply = FrameEncoder.Reply("\"jr-λ\"", "7", "session:a", "ok", null);
        Encoding.UTF8.GetString(reply.Text.Span).ShouldBe("""["jr-λ",7,"session:a","phx_reply",{"status":"ok","response":{}}]""");
    }

    [Fact]
    public void TheV1FormIsAnObjectWithoutTheJoinRefBuiltOnceAndFramedOnItsOwn()
    {
        var reply = FrameEncoder.Reply("\"1\"", "\"2\"", "sessions", "ok", null);
        var v1 = reply.AsV1;
        Encoding.UTF8.GetString(v1.Text.Span).ShouldBe("""{"topic":"sessions","event":"phx_reply","payload":{"status":"ok","response":{}},"ref":"2"}""");
        reply.AsV1.ShouldBeSameAs(v1, "built once, shared by every V1 connection");
        v1.WebSocketFrame.Span[1].ShouldBe((byte)v1.TextLength, "its own WebSocket header");
        FrameEncoder.Close(1000, "bye").AsV1.Text.Span.SequenceEqual(FrameEncoder.Close(1000, "bye").Text.Span).ShouldBeTrue();
    }

    [Fact]
    public void CloseFramesCarryTheCodeAndReason()
    {
        var close = FrameEncoder.Close(1001, "bye").WebSocketFrame.Span.ToArray();
        close.ShouldBe(new byte[] { 0x88, 5, 0x03, 0xE9, (byte)'b', (byte)'y', (byte)'e' });
    }
}
