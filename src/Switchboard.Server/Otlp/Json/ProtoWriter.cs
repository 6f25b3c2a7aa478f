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
