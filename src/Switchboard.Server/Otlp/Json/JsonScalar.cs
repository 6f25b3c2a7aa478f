using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Switchboard.Server.Otlp.Wire;

namespace Switchboard.Server.Otlp.Json;

/// <summary>
/// Writes one scalar field from its JSON value, by the rules Google.Protobuf's <c>JsonParser</c> read it with: a
/// number token is a double that must be whole and in range for an integer field; a string is parsed with the
/// invariant culture (sign, decimal point and exponent, no leading <c>+</c> or zeros); an enum is a number or one of
/// its names; bytes are base64. Every value is written, a default one too, so that a field sent twice ends as its
/// last value, as it did in the message the parser filled.
/// </summary>
internal static class JsonScalar
{
    private const NumberStyles Styles = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    public static void Write(ref Utf8JsonReader reader, ref ProtoWriter writer, JsonMessage message, JsonField field)
    {
        switch (field.Kind)
        {
            case JsonKind.String:
                Expect(ref reader, message, field, JsonTokenType.String, "a string");
                writer.Tag(field.Number, 2);
                JsonText.WriteString(ref reader, ref writer);
                return;
            case JsonKind.Bytes:
                Expect(ref reader, message, field, JsonTokenType.String, "a base64 string");
                writer.Tag(field.Number, 2);
                writer.Bytes(Base64(JsonText.Text(ref reader), message, field).Span);
                return;
            case JsonKind.Id:
                Expect(ref reader, message, field, JsonTokenType.String, "a hex string");
                writer.Tag(field.Number, 2);
                JsonText.WriteId(ref reader, ref writer, text => Base64(text, message, field));
                return;
            case JsonKind.Bool:
                if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                {
                    throw OtlpJsonTranscoder.Wrong(ref reader, OtlpJsonTranscoder.Name(message, field), "true or false");
                }

                writer.Tag(field.Number, 0);
                writer.Varint(reader.TokenType == JsonTokenType.True ? 1UL : 0UL);
                return;
        }

        if (reader.TokenType is not (JsonTokenType.Number or JsonTokenType.String))
        {
            throw OtlpJsonTranscoder.Wrong(ref reader, OtlpJsonTranscoder.Name(message, field), field.Kind == JsonKind.Enum ? "a number or a name" : "a number or a string of one");
        }

        try
        {
            Number(ref reader, ref writer, field);
        }
        catch (Exception ex) when (ex is OverflowException or FormatException)
        {
            throw new OtlpWireException($"{OtlpJsonTranscoder.Name(message, field)} at byte {reader.TokenStartIndex} is not a valid {field.Kind} value ({(ex is OverflowException ? "out of range" : "not a number")}): {Encoding.UTF8.GetString(reader.ValueSpan)}.");
        }
    }

    /// <summary>The field's default value (zero, empty or false), which replaces any value written before it.</summary>
    public static void WriteDefault(ref ProtoWriter writer, JsonField field)
    {
        var wire = field.Kind switch
        {
            JsonKind.String or JsonKind.Bytes or JsonKind.Id => 2,
            JsonKind.Fixed32 => 5,
            JsonKind.Fixed64 or JsonKind.SFixed64 or JsonKind.Double => 1,
            _ => 0,
        };
        writer.Tag(field.Number, wire);
        switch (wire)
        {
            case 1:
                writer.Fixed64(0);
                break;
            case 5:
                writer.Fixed32(0);
                break;
            default:
                writer.Varint(0); // a zero varint, or a length of zero
                break;
        }
    }

    private static void Number(ref Utf8JsonReader reader, ref ProtoWriter writer, JsonField field)
    {
        var number = reader.TokenType == JsonTokenType.Number;
        var text = number ? null : JsonText.Text(ref reader);
        var value = number ? double.Parse(reader.ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture) : 0;
        if (number && (!double.IsFinite(value) || (field.Kind != JsonKind.Double && value != Math.Floor(value))))
        {
            throw new FormatException();
        }

        switch (field.Kind)
        {
            case JsonKind.Int32:
                writer.Tag(field.Number, 0);
                writer.Varint((ulong)(long)(number ? checked((int)value) : Parse(text!, int.Parse)));
                break;
            case JsonKind.Enum:
                // A name the enum does not have is ignored, as the parser ignored it with unknown fields.
                var known = number ? checked((int)value) : Array.IndexOf(field.EnumNames!, text);
                if (known >= 0 || number)
                {
                    writer.Tag(field.Number, 0);
                    writer.Varint((ulong)(long)known);
                }

                break;
            case JsonKind.UInt32:
                writer.Tag(field.Number, 0);
                writer.Varint(number ? checked((uint)value) : Parse(text!, uint.Parse));
                break;
            case JsonKind.Int64:
                writer.Tag(field.Number, 0);
                writer.Varint((ulong)(number ? checked((long)value) : Parse(text!, long.Parse)));
                break;
            case JsonKind.Fixed32:
                writer.Tag(field.Number, 5);
                writer.Fixed32(number ? checked((uint)value) : Parse(text!, uint.Parse));
                break;
            case JsonKind.Fixed64:
                writer.Tag(field.Number, 1);
                writer.Fixed64(number ? checked((ulong)value) : Parse(text!, ulong.Parse));
                break;
            case JsonKind.SFixed64:
                writer.Tag(field.Number, 1);
                writer.Fixed64((ulong)(number ? checked((long)value) : Parse(text!, long.Parse)));
                break;
            default:
                writer.Tag(field.Number, 1);
                writer.Fixed64(BitConverter.DoubleToUInt64Bits(number ? value : ParseDouble(text!)));
                break;
        }
    }

    /// <summary>A number in a string, parsed as the protobuf JSON parser parsed one: no leading <c>+</c>, no leading zeros.</summary>
    private static T Parse<T>(string text, Func<string, NumberStyles, IFormatProvider, T> parse)
    {
        if (text.StartsWith('+') || (text.Length > 1 && text[0] == '0' && char.IsAsciiDigit(text[1]))
            || (text.Length > 2 && text[0] == '-' && text[1] == '0' && char.IsAsciiDigit(text[2])))
        {
            throw new FormatException();
        }

        return parse(text, Styles, CultureInfo.InvariantCulture);
    }

    /// <summary>A double in a string: infinities and NaN only spelled <c>Infinity</c>, <c>-Infinity</c> and <c>NaN</c>.</summary>
    private static double ParseDouble(string text)
    {
        var value = Parse(text, double.Parse);
        if ((double.IsPositiveInfinity(value) && text != "Infinity") || (double.IsNegativeInfinity(value) && text != "-Infinity") || (double.IsNaN(value) && text != "NaN"))
        {
            throw new FormatException();
        }

        return value;
    }

    /// <summary>Base64 as the parser decoded bytes (and, before the ids were fixed, ids).</summary>
    private static ReadOnlyMemory<byte> Base64(string text, JsonMessage message, JsonField field)
    {
        try
        {
            return ByteString.FromBase64(text).Memory;
        }
        catch (FormatException)
        {
            throw new OtlpWireException($"{OtlpJsonTranscoder.Name(message, field)} is neither hex nor base64: '{text}'.");
        }
    }

    private static void Expect(ref Utf8JsonReader reader, JsonMessage message, JsonField field, JsonTokenType token, string what)
    {
        if (reader.TokenType != token)
        {
            throw OtlpJsonTranscoder.Wrong(ref reader, OtlpJsonTranscoder.Name(message, field), what);
        }
    }
}
