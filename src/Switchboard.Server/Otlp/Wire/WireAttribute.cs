using System.Text;

namespace Switchboard.Server.Otlp.Wire;

/// <summary>Which of its values an OTLP <c>AnyValue</c> holds; <see cref="Other"/> is an array, a list or bytes, which the mapping reads as no text.</summary>
internal enum ValueKind : byte
{
    Empty,
    String,
    Bool,
    Int,
    Double,
    Other,
}

/// <summary>
/// An attribute's value read from the wire, without a copy: its kind, its number, and a string's UTF-8 bytes in the
/// request (made text only when the mapping asks for it).
/// </summary>
internal readonly record struct WireValue(ValueKind Kind, long Int, double Double, ReadOnlyMemory<byte> Utf8)
{
    /// <summary>The string, decoded as Google.Protobuf decodes one (an invalid byte sequence becomes U+FFFD).</summary>
    public string String => Encoding.UTF8.GetString(Utf8.Span);
}

/// <summary>An attribute (a <c>KeyValue</c>) as read from the wire: its key's UTF-8 bytes, its value if it has one, and its own bytes.</summary>
internal readonly record struct WireAttribute(ReadOnlyMemory<byte> Key, WireValue? Value, ReadOnlyMemory<byte> Bytes)
{
    /// <summary>
    /// Reads a <c>KeyValue</c> message. A field sent twice is read as the protobuf decoder merges it: the last key,
    /// and the value's fields in the order they come, the last of its kinds winning.
    /// </summary>
    public static WireAttribute Read(ProtoReader reader)
    {
        var start = reader.Position;
        ReadOnlyMemory<byte> key = default;
        WireValue? value = null;
        while (reader.Next(out var field, out var wire))
        {
            if (field == 1 && wire == WireType.LengthDelimited)
            {
                key = reader.Bytes();
            }
            else if (field == 2 && wire == WireType.LengthDelimited)
            {
                value = ReadValue(reader.Message(), value ?? default);
            }
            else
            {
                reader.Skip(wire, field, 0);
            }
        }

        return new WireAttribute(key, value, new ReadOnlyMemory<byte>(reader.Buffer, start, reader.Position - start));
    }

    /// <summary>Reads an <c>AnyValue</c> message over <paramref name="value"/> (what earlier occurrences of the field said).</summary>
    public static WireValue ReadValue(ProtoReader reader, WireValue value)
    {
        while (reader.Next(out var field, out var wire))
        {
            value = (field, wire) switch
            {
                (1, WireType.LengthDelimited) => new WireValue(ValueKind.String, 0, 0, reader.Bytes()),
                (2, WireType.Varint) => new WireValue(ValueKind.Bool, reader.Varint() != 0 ? 1 : 0, 0, default),
                (3, WireType.Varint) => new WireValue(ValueKind.Int, (long)reader.Varint(), 0, default),
                (4, WireType.Fixed64) => new WireValue(ValueKind.Double, 0, reader.Double(), default),
                (5 or 6 or 7, WireType.LengthDelimited) => new WireValue(ValueKind.Other, 0, 0, reader.Bytes()),
                _ => Skipped(ref reader, wire, field, value),
            };
        }

        return value;
    }

    private static WireValue Skipped(ref ProtoReader reader, WireType wire, int field, WireValue value)
    {
        reader.Skip(wire, field, 0);
        return value;
    }
}
