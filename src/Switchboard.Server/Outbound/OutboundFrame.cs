using System.Buffers.Binary;
using System.Text;

namespace Switchboard.Outbound;

/// <summary>
/// One encoded message, shared by every subscriber it goes to. The buffer holds the Phoenix V2 JSON text
/// with room in front for the WebSocket header, so WebSocket, long-poll and SSE all read the same bytes
/// and nothing is encoded per subscriber.
/// </summary>
internal sealed class OutboundFrame
{
    /// <summary>Room for the longest server-to-client WebSocket header (no mask).</summary>
    public const int HeaderReserve = 10;

    private readonly byte[] _buffer;
    private readonly int _headerStart;
    private readonly int _envelopeStart;
    private readonly int _envelopeLength;
    private byte[]? _sse;

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
        _headerStart = WriteHeader(buffer, textLength, opcode);
    }

    /// <summary>A frame that only SSE writes: a comment, or a record with no V2 equivalent.</summary>
    public static OutboundFrame SseOnly(string record) =>
        new(new byte[HeaderReserve], 0, FrameKind.Reply, 0, null, 0, 0) { _sse = Encoding.UTF8.GetBytes(record) };

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

    /// <summary>The SSE record: <c>id:</c> (events only), <c>event:</c> and <c>data:</c> with the envelope. Built on first use.</summary>
    public ReadOnlyMemory<byte> Sse => _sse ??= BuildSse();

    private byte[] BuildSse()
    {
        var head = Seq > 0 ? $"id: {Seq}\nevent: {Type}\ndata: " : $"event: {Type}\ndata: ";
        var headBytes = Encoding.UTF8.GetByteCount(head);
        var sse = new byte[headBytes + _envelopeLength + 2];
        Encoding.UTF8.GetBytes(head, sse);
        _buffer.AsSpan(_envelopeStart, _envelopeLength).CopyTo(sse.AsSpan(headBytes));
        sse[^2] = (byte)'\n';
        sse[^1] = (byte)'\n';
        return sse;
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
