using System.Buffers.Binary;
using System.Text.Json;

namespace Switchboard.Server.Outbound;

/// <summary>
/// One encoded message, shared by every subscriber it goes to. The buffer holds the Phoenix V2 JSON text
/// with room in front for the WebSocket header, so WebSocket, long-poll and SSE all read the same bytes
/// and nothing is encoded per subscriber. Its SSE record and its V1 form are built from it on first use, once, and
/// shared the same way.
/// </summary>
internal sealed class OutboundFrame
{
    /// <summary>Room for the longest server-to-client WebSocket header (no mask).</summary>
    public const int HeaderReserve = 10;

    private readonly byte[] _buffer;
    private readonly int _headerStart;
    private readonly int _envelopeStart;
    private readonly int _envelopeLength;
    private readonly byte _opcode;
    private byte[]? _sse;
    private OutboundFrame? _v1;

    public OutboundFrame(byte[] buffer, int textLength, FrameKind kind, long seq, string? type, int envelopeStart, int envelopeLength,
        string? conflationKey = null, byte opcode = 0x1)
    {
        _buffer = buffer;
        TextLength = textLength;
        Kind = kind;
        Seq = seq;
        Type = type;
        _envelopeStart = envelopeStart;
        _envelopeLength = envelopeLength;
        ConflationKey = conflationKey;
        _opcode = opcode;
        _headerStart = WriteHeader(buffer, textLength, opcode);
    }

    /// <summary>A frame that only SSE writes: a comment, or a record with no V2 equivalent (<see cref="SseRecord"/>).</summary>
    public static OutboundFrame SseOnly(byte[] record) =>
        new(new byte[HeaderReserve], 0, FrameKind.Reply, 0, null, 0, 0) { _sse = record };

    public FrameKind Kind { get; }

    /// <summary>The event's <c>seq</c>; 0 for summaries, replies and control frames.</summary>
    public long Seq { get; }

    /// <summary>The event type, for SSE's <c>event:</c> line.</summary>
    public string? Type { get; }

    /// <summary>Summaries with the same key replace each other while pending.</summary>
    public string? ConflationKey { get; }

    public int TextLength { get; }

    /// <summary>The Phoenix V2 JSON text.</summary>
    public ReadOnlyMemory<byte> Text => _buffer.AsMemory(HeaderReserve, TextLength);

    /// <summary>The complete WebSocket frame: header and payload.</summary>
    public ReadOnlyMemory<byte> WebSocketFrame => _buffer.AsMemory(_headerStart, HeaderReserve - _headerStart + TextLength);

    /// <summary>The bytes a send queue charges for this frame.</summary>
    public int Size => HeaderReserve - _headerStart + TextLength;

    /// <summary>This frame as the Phoenix V1 serializer writes it; a frame that is not JSON text (close, pong) is itself.</summary>
    public OutboundFrame AsV1 => _opcode != 0x1 ? this : _v1 ??= BuildV1();

    /// <summary>The SSE record: <c>id:</c> (events only), <c>event:</c> and <c>data:</c> with the envelope. Built on first use.</summary>
    public ReadOnlyMemory<byte> Sse => _sse ??= BuildSse();

    private byte[] BuildSse() => SseRecord.Event(Type ?? "", _buffer.AsSpan(_envelopeStart, _envelopeLength), Seq);

    /// <summary>
    /// <c>[jr, r, topic, event, payload]</c> rewritten as V1's <c>{"topic", "event", "payload", "ref"}</c> (V1 frames carry no
    /// join ref): the elements are copied as raw JSON, nothing is decoded.
    /// </summary>
    private OutboundFrame BuildV1()
    {
        var text = Text.Span;
        var reader = new Utf8JsonReader(text);
        reader.Read(); // [
        Span<Range> elements = stackalloc Range[5];
        for (var i = 0; i < 5; i++)
        {
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            reader.Skip(); // a container's end; a scalar stays where it is
            elements[i] = start..(int)reader.BytesConsumed;
        }

        ReadOnlySpan<byte> topic = text[elements[2]], @event = text[elements[3]], payload = text[elements[4]], @ref = text[elements[1]];
        ReadOnlySpan<byte> open = "{\"topic\":"u8, eventKey = ",\"event\":"u8, payloadKey = ",\"payload\":"u8, refKey = ",\"ref\":"u8;
        var length = open.Length + topic.Length + eventKey.Length + @event.Length + payloadKey.Length + payload.Length + refKey.Length + @ref.Length + 1;
        var buffer = new byte[HeaderReserve + length];
        var at = Put(buffer, Put(buffer, HeaderReserve, open), topic);
        at = Put(buffer, Put(buffer, at, eventKey), @event);
        var envelopeStart = Put(buffer, at, payloadKey);
        at = Put(buffer, Put(buffer, envelopeStart, payload), refKey);
        Put(buffer, Put(buffer, at, @ref), "}"u8);
        return new OutboundFrame(buffer, length, Kind, Seq, Type, envelopeStart, payload.Length, ConflationKey);
    }

    private static int Put(byte[] buffer, int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(buffer.AsSpan(at));
        return at + bytes.Length;
    }

    private static int WriteHeader(byte[] buffer, int length, byte opcode)
    {
        int start;
        if (length <= 125)
        {
            start = HeaderReserve - 2;
            buffer[start + 1] = (byte)length;
        }
        else if (length <= ushort.MaxValue)
        {
            start = HeaderReserve - 4;
            buffer[start + 1] = 126;
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(start + 2), (ushort)length);
        }
        else
        {
            start = 0;
            buffer[1] = 127;
            BinaryPrimitives.WriteUInt64BigEndian(buffer.AsSpan(2), (ulong)length);
        }

        buffer[start] = (byte)(0x80 | opcode); // FIN + opcode
        return start;
    }
}
