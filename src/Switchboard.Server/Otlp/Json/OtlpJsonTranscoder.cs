using System.Text;
using System.Text.Json;
using Switchboard.Server.Otlp.Wire;

namespace Switchboard.Server.Otlp.Json;

/// <summary>
/// Reads an OTLP JSON export request once, token by token (<see cref="Utf8JsonReader"/>, no document), and writes the
/// protobuf encoding of the same request, which <see cref="OtlpRequest.Read"/> then checks and maps as it does a
/// protobuf body. What it accepts and refuses is what Google.Protobuf's <c>JsonParser</c> (ignoring unknown fields)
/// accepted and refused before it: both names of a field, enums by number or name, 64-bit integers as numbers or
/// strings, <c>null</c> as absent, one value per <c>oneof</c>, messages nested at most 100 objects deep. A body it
/// refuses throws <see cref="OtlpWireException"/> naming the field and the byte.
/// </summary>
internal static class OtlpJsonTranscoder
{
    /// <summary>Objects enclosing a message past which it is refused, Google.Protobuf's JSON recursion limit.</summary>
    public const int MaxDepth = 100;

    /// <summary>How deep an unknown field's value may nest, skipped without recursion; deeper than any exporter sends.</summary>
    private const int MaxJsonDepth = 10_000;

    /// <summary>The protobuf of <paramref name="body"/>, an export request of <paramref name="message"/>'s schema (<see cref="JsonMessage.Traces"/> and so on).</summary>
    public static byte[] Transcode(JsonMessage message, ReadOnlySpan<byte> body)
    {
        // The old parser read the body as text with every invalid UTF-8 sequence made U+FFFD; so is it here, copied only then.
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body));
        }

        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxJsonDepth });
        var writer = new ProtoWriter(body.Length); // protobuf is rarely longer than its JSON: seldom grown
        try
        {
            if (!reader.Read())
            {
                throw new OtlpWireException("the body holds no JSON value.");
            }

            Message(ref reader, ref writer, message, 0);
            if (reader.Read())
            {
                throw new OtlpWireException($"the JSON goes on after the request's object, at byte {reader.TokenStartIndex}.");
            }

            return writer.ToArray();
        }
        catch (JsonException ex)
        {
            throw new OtlpWireException($"the JSON is not well formed: {ex.Message}");
        }
        finally
        {
            writer.Dispose();
        }
    }

    private static void Message(ref Utf8JsonReader reader, ref ProtoWriter writer, JsonMessage message, int objects)
    {
        if (objects > MaxDepth)
        {
            throw new OtlpWireException($"messages are nested more than {MaxDepth} objects deep (at byte {reader.TokenStartIndex}).");
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Wrong(ref reader, message.Name, $"an object");
        }

        var oneofs = 0;
        var begin = writer.Position;

        // Per field number: where the last value of a singular message field starts, and for a repeated field where the
        // next null's search for values to clear starts (so each byte is searched at most once).
        Span<int> last = stackalloc int[JsonMessage.MaxMessageFieldNumber];
        Span<byte> scratch = stackalloc byte[64];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueIsEscaped ? JsonText.Unescaped(reader.ValueSpan, scratch) : reader.ValueSpan;
            var field = message.Find(name);
            reader.Read();
            if (field is null)
            {
                SkipUnknown(ref reader);
                continue;
            }

            if (field.Oneof != 0)
            {
                // A null counts as the oneof's value too: the parser refused a second one after it.
                if ((oneofs & (1 << field.Oneof)) != 0)
                {
                    throw new OtlpWireException($"{Name(message, field)} at byte {reader.TokenStartIndex} is a second value of a oneof: send one.");
                }

                oneofs |= 1 << field.Oneof;
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }
            }

            if (reader.TokenType == JsonTokenType.Null)
            {
                Clear(ref writer, field, last, begin);
                continue;
            }

            if (!field.Repeated)
            {
                if (field.Kind != JsonKind.Message)
                {
                    JsonScalar.Write(ref reader, ref writer, message, field);
                    continue;
                }

                if (last[field.Number] > 0)
                {
                    writer.Erase(last[field.Number]); // a second value replaces the first, as the parser set it
                }

                last[field.Number] = Nested(ref reader, ref writer, field, objects);
                continue;
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw Wrong(ref reader, Name(message, field), "an array");
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType == JsonTokenType.Null)
                {
                    throw Wrong(ref reader, Name(message, field) + "[]", "a value (an element of an array cannot be null)");
                }

                if (field.Kind == JsonKind.Message)
                {
                    Nested(ref reader, ref writer, field, objects);
                }
                else
                {
                    JsonScalar.Write(ref reader, ref writer, message, field);
                }
            }
        }
    }

    /// <summary>
    /// Skips an unknown field's value, every number in it parsed: the parser's tokenizer refused a body with a number
    /// too large for a double anywhere, in an unknown field too.
    /// </summary>
    private static void SkipUnknown(ref Utf8JsonReader reader)
    {
        var depth = reader.CurrentDepth;
        var container = reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray;
        do
        {
            if (reader.TokenType == JsonTokenType.Number
                && !double.IsFinite(double.Parse(reader.ValueSpan, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture)))
            {
                throw new OtlpWireException($"the number at byte {reader.TokenStartIndex} is too large for a double.");
            }
        }
        while (container && reader.Read() && reader.CurrentDepth > depth);
    }

    /// <summary>Writes a message field's value; returns where its content starts.</summary>
    private static int Nested(ref Utf8JsonReader reader, ref ProtoWriter writer, JsonField field, int objects)
    {
        writer.Tag(field.Number, 2);
        var start = writer.StartMessage();
        Message(ref reader, ref writer, field.Message!, objects + 1);
        writer.EndMessage(start);
        return start;
    }

    /// <summary>A field set to null is cleared, as the parser cleared it: a scalar set to its default, messages made unknown.</summary>
    private static void Clear(ref ProtoWriter writer, JsonField field, Span<int> last, int begin)
    {
        if (field.Kind != JsonKind.Message)
        {
            JsonScalar.WriteDefault(ref writer, field);
            return;
        }

        if (!field.Repeated)
        {
            if (last[field.Number] > 0)
            {
                writer.Erase(last[field.Number]);
            }

            last[field.Number] = 0;
            return;
        }

        var fields = writer.Fields(Math.Max(begin, last[field.Number]));
        while (fields.Next(out var number, out var wire))
        {
            var length = fields.Position;
            fields.Skip(wire, number, 0);
            if (number == field.Number)
            {
                writer.Erase(length + 5);
            }
        }

        last[field.Number] = writer.Position;
    }

    /// <summary>A value of the wrong JSON type, named with where it is and what was expected.</summary>
    public static OtlpWireException Wrong(ref Utf8JsonReader reader, string where, string expected) =>
        new($"{where} at byte {reader.TokenStartIndex} should be {expected}, not {Describe(reader.TokenType)}.");

    /// <summary>A field as an error names it: its message and its JSON name (made only for an error or a scalar's error message).</summary>
    public static string Name(JsonMessage message, JsonField field) => $"{message.Name}.{Encoding.UTF8.GetString(field.JsonName)}";

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
