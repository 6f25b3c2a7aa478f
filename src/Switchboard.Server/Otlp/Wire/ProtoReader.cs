using System.Buffers.Binary;

namespace Switchboard.Server.Otlp.Wire;

/// <summary>The protobuf wire types (the low three bits of a tag); 3 and 4 open and close a group.</summary>
internal enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}

/// <summary>A body that is not the protobuf it claims to be: what was wrong, and at which byte.</summary>
internal sealed class OtlpWireException(string message) : Exception(message);

/// <summary>
/// Reads one protobuf message's fields from its bytes, in place (the protobuf encoding spec): a tag, then its value
/// as a varint, eight or four little-endian bytes, or a length and that many bytes. Every length is checked against
/// the bytes its message has left, so a reader never reads past its message nor trusts a declared size; what is wrong
/// throws <see cref="OtlpWireException"/> and nothing else. A copy of the struct is a reader at the same place.
/// </summary>
internal struct ProtoReader(byte[] buffer, int start, int end)
{
    /// <summary>Messages (and groups) nested deeper than this are refused, as Google.Protobuf's decoder refuses them.</summary>
    public const int MaxDepth = 100;

    private int _position = start;

    public ProtoReader(byte[] buffer)
        : this(buffer, 0, buffer.Length)
    {
    }

    public readonly byte[] Buffer => buffer;

    public readonly int Position => _position;

    /// <summary>Reads the next tag; false at the end of the message.</summary>
    public bool Next(out int field, out WireType wire)
    {
        if (_position >= end)
        {
            (field, wire) = (0, 0);
            return false;
        }

        var at = _position;
        var tag = Varint();
        wire = (WireType)(tag & 7);
        field = (int)Math.Min(tag >> 3, int.MaxValue);
        if (field == 0 || tag >> 3 > 0x1FFF_FFFF || wire > WireType.Fixed32)
        {
            throw new OtlpWireException($"byte {at} holds no valid field tag (field {tag >> 3}, wire type {tag & 7}).");
        }

        return true;
    }

    public ulong Varint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (_position >= end)
            {
                throw new OtlpWireException($"the message ends inside a varint at byte {_position}.");
            }

            var b = buffer[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new OtlpWireException($"a varint runs past ten bytes at byte {_position - 10}.");
    }

    public ulong Fixed64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, "a fixed64 value"));

    public uint Fixed32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, "a fixed32 value"));

    public double Double() => BitConverter.UInt64BitsToDouble(Fixed64());

    /// <summary>A length-delimited value, as a range of the buffer.</summary>
    public ReadOnlyMemory<byte> Bytes()
    {
        var at = _position;
        var length = Varint();
        if (length > (ulong)(end - _position))
        {
            throw new OtlpWireException($"the length at byte {at} declares {length} bytes where its message has {end - _position} left.");
        }

        var memory = new ReadOnlyMemory<byte>(buffer, _position, (int)length);
        _position += (int)length;
        return memory;
    }

    /// <summary>A reader of the length-delimited message that comes next.</summary>
    public ProtoReader Message()
    {
        var bytes = Bytes();
        var start = _position - bytes.Length;
        return new ProtoReader(buffer, start, _position);
    }

    /// <summary>The messages of field <paramref name="field"/>, in order, from here to the end (other fields skipped); allocates nothing.</summary>
    public readonly FieldMessages Messages(int field) => new(this, field);

    /// <summary>Skips the value of a field read with <see cref="Next"/> (a group to its end, counted as one level below <paramref name="depth"/>).</summary>
    public void Skip(WireType wire, int field, int depth)
    {
        switch (wire)
        {
            case WireType.Varint:
                Varint();
                break;
            case WireType.Fixed64:
                Take(8, "a fixed64 value");
                break;
            case WireType.Fixed32:
                Take(4, "a fixed32 value");
                break;
            case WireType.LengthDelimited:
                Bytes();
                break;
            case WireType.StartGroup:
                SkipGroup(field, depth + 1);
                break;
            default:
                throw new OtlpWireException($"an end-group tag of field {field} before byte {_position} closes no group.");
        }
    }

    /// <summary>Refuses a message <paramref name="depth"/> levels below the request.</summary>
    public static void CheckDepth(int depth)
    {
        if (depth > MaxDepth)
        {
            throw new OtlpWireException($"messages are nested more than {MaxDepth} levels deep.");
        }
    }

    private void SkipGroup(int group, int depth)
    {
        CheckDepth(depth);
        while (Next(out var field, out var wire))
        {
            if (wire == WireType.EndGroup)
            {
                if (field != group)
                {
                    throw new OtlpWireException($"the group of field {group} is closed by an end-group tag of field {field} before byte {_position}.");
                }

                return;
            }

            Skip(wire, field, depth);
        }

        throw new OtlpWireException($"the group of field {group} is never closed.");
    }

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (end - _position < count)
        {
            throw new OtlpWireException($"the message ends inside {what} at byte {_position}.");
        }

        _position += count;
        return buffer.AsSpan(_position - count, count);
    }
}

/// <summary>The messages of one field of a message, enumerated without allocating (<see cref="ProtoReader.Messages"/>).</summary>
internal struct FieldMessages(ProtoReader reader, int field)
{
    public ProtoReader Current { get; private set; }

    public readonly FieldMessages GetEnumerator() => this;

    public bool MoveNext()
    {
        while (reader.Next(out var number, out var wire))
        {
            if (number == field && wire == WireType.LengthDelimited)
            {
                Current = reader.Message();
                return true;
            }

            reader.Skip(wire, number, 0);
        }

        return false;
    }
}
