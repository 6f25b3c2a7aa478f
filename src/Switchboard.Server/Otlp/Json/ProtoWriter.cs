using System.Buffers;
using System.Buffers.Binary;

namespace Switchboard.Server.Otlp.Json;

/// <summary>
/// Writes protobuf into one pooled buffer that grows by doubling. A nested message's length is not known until its end,
/// so five bytes are kept for it and filled in then, as a varint padded to five bytes (a valid encoding that every
/// protobuf decoder reads, this one's <c>ProtoReader</c> and Google.Protobuf's alike): no message is copied to nest it,
/// so the cost stays linear in the size of the request whatever its nesting.
/// </summary>
internal struct ProtoWriter : IDisposable
{
    private const int LengthBytes = 5;

    private byte[] _buffer;
    private int _position;

    public ProtoWriter(int capacity) => _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 256));

    public void Tag(int field, int wire) => Varint(((ulong)field << 3) | (uint)wire);

    public void Varint(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            _buffer[_position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[_position++] = (byte)value;
    }

    public void Fixed64(ulong value)
    {
        Ensure(8);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_position), value);
        _position += 8;
    }

    public void Fixed32(uint value)
    {
        Ensure(4);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_position), value);
        _position += 4;
    }

    /// <summary>A length and the bytes.</summary>
    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        Varint((ulong)bytes.Length);
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_position));
        _position += bytes.Length;
    }

    /// <summary>Room for <paramref name="count"/> bytes, written by the caller and then <see cref="Advance"/>d over.</summary>
    public Span<byte> Take(int count)
    {
        Ensure(count);
        return _buffer.AsSpan(_position, count);
    }

    public void Advance(int count) => _position += count;

    /// <summary>Starts a length-delimited message (after its tag); what it returns is given to <see cref="EndMessage"/>.</summary>
    public int StartMessage()
    {
        Ensure(LengthBytes);
        _position += LengthBytes;
        return _position;
    }

    public readonly void EndMessage(int start)
    {
        var length = (uint)(_position - start);
        var at = start - LengthBytes;
        for (var i = 0; i < LengthBytes - 1; i++, length >>= 7)
        {
            _buffer[at + i] = (byte)(length | 0x80);
        }

        _buffer[at + LengthBytes - 1] = (byte)length;
    }

    public readonly int Position => _position;

    /// <summary>
    /// Makes the message written at <paramref name="start"/> (as <see cref="StartMessage"/> returned, its field's tag one
    /// byte) unknown to every reader, in place: its six bytes of tag and length become the two-byte tag of field 2047,
    /// which no OTLP message defines, and a length padded to four bytes. How a JSON <c>null</c> or a second value
    /// replaces a message written before, as the parser replaced it.
    /// </summary>
    public readonly void Erase(int start)
    {
        var length = 0u;
        for (var i = LengthBytes - 1; i >= 0; i--)
        {
            length = (length << 7) | (uint)(_buffer[start - LengthBytes + i] & 0x7F);
        }

        if (length >= 1u << 28)
        {
            throw new Wire.OtlpWireException("a message of 256 MB or more cannot be replaced.");
        }

        var at = start - LengthBytes - 1;
        (_buffer[at], _buffer[at + 1]) = (0xFA, 0x7F); // (2047 << 3) | 2 as a varint
        for (var i = 0; i < 3; i++, length >>= 7)
        {
            _buffer[at + 2 + i] = (byte)(length | 0x80);
        }

        _buffer[at + 5] = (byte)length;
    }

    /// <summary>A reader of the fields written from <paramref name="start"/> (a field's start) to here.</summary>
    public readonly Wire.ProtoReader Fields(int start) => new(_buffer, start, _position);

    /// <summary>What was written, as an array of its own (the request keeps it).</summary>
    public readonly byte[] ToArray() => _buffer.AsSpan(0, _position).ToArray();

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private void Ensure(int count)
    {
        if (_buffer.Length - _position >= count)
        {
            return;
        }

        var grown = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max((long)_buffer.Length * 2, (long)_position + count)));
        _buffer.AsSpan(0, _position).CopyTo(grown);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = grown;
    }
}
