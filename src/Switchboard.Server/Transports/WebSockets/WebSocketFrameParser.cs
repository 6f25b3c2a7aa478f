using System.Buffers;
using System.Buffers.Binary;

namespace Switchboard.Server.Transports.WebSockets;

/// <summary>A parsed client frame header.</summary>
internal readonly record struct FrameHeader(bool Fin, byte Opcode, long PayloadLength, uint Mask, int HeaderLength)
{
    public const byte Continuation = 0x0;
    public const byte Text = 0x1;
    public const byte Binary = 0x2;
    public const byte Close = 0x8;
    public const byte Ping = 0x9;
    public const byte Pong = 0xA;

    public bool IsControl => Opcode >= Close;
}

/// <summary>Parses client-to-server frames (RFC 6455 §5.2) straight from the connection's pipe.</summary>
internal static class WebSocketFrameParser
{
    /// <summary>
    /// Reads a frame header. Returns false when more bytes are needed. <paramref name="error"/> is set (and
    /// <paramref name="closeCode"/>) when the header itself breaks the protocol.
    /// </summary>
    public static bool TryReadHeader(in ReadOnlySequence<byte> buffer, out FrameHeader header, out ushort closeCode, out string? error)
    {
        header = default;
        closeCode = 0;
        error = null;
        if (buffer.Length < 2)
        {
            return false;
        }

        Span<byte> head = stackalloc byte[14];
        var available = (int)Math.Min(buffer.Length, 14);
        buffer.Slice(0, available).CopyTo(head);

        var fin = (head[0] & 0x80) != 0;
        var rsv = head[0] & 0x70;
        var opcode = (byte)(head[0] & 0x0F);
        var masked = (head[1] & 0x80) != 0;
        long length = head[1] & 0x7F;
        var offset = 2;

        if (rsv != 0)
        {
            return Fail(ref closeCode, ref error, CloseCodes.ProtocolError, "reserved bits must be zero (no extensions were negotiated)");
        }

        if (opcode is not (FrameHeader.Continuation or FrameHeader.Text or FrameHeader.Binary or FrameHeader.Close or FrameHeader.Ping or FrameHeader.Pong))
        {
            return Fail(ref closeCode, ref error, CloseCodes.ProtocolError, $"unknown opcode {opcode}");
        }

        if (!masked)
        {
            return Fail(ref closeCode, ref error, CloseCodes.ProtocolError, "client frames must be masked");
        }

        if (length == 126)
        {
            if (available < 4)
            {
                return false;
            }

            length = BinaryPrimitives.ReadUInt16BigEndian(head[2..]);
            offset = 4;
        }
        else if (length == 127)
        {
            if (available < 10)
            {
                return false;
            }

            var big = BinaryPrimitives.ReadUInt64BigEndian(head[2..]);
            if (big > long.MaxValue)
            {
                return Fail(ref closeCode, ref error, CloseCodes.ProtocolError, "payload length out of range");
            }

            length = (long)big;
            offset = 10;
        }

        if (opcode >= FrameHeader.Close && (!fin || length > 125))
        {
            return Fail(ref closeCode, ref error, CloseCodes.ProtocolError, "control frames must be unfragmented and at most 125 bytes");
        }

        if (available < offset + 4)
        {
            return false;
        }

        var mask = BinaryPrimitives.ReadUInt32LittleEndian(head[offset..]);
        header = new FrameHeader(fin, opcode, length, mask, offset + 4);
        return true;
    }

    /// <summary>Copies the payload into <paramref name="destination"/>, removing the client's mask.</summary>
    public static void Unmask(in ReadOnlySequence<byte> payload, uint mask, Span<byte> destination)
    {
        payload.CopyTo(destination);
        Span<byte> key = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(key, mask);
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] ^= key[i & 3];
        }
    }

    private static bool Fail(ref ushort closeCode, ref string? error, ushort code, string message)
    {
        closeCode = code;
        error = message;
        return false;
    }
}
