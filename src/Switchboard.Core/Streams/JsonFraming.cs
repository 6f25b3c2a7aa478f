using System.Buffers.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Switchboard.Core.Streams;

/// <summary>
/// JSON mode's framing. A body is one JSON value; a top-level array is flattened one level, each element a message (so a
/// client batches messages in one request), anything else is one message. Messages are stored as their bytes, exactly as
/// sent, each followed by a comma: a read wraps what it returns in brackets (dropping the last comma), so any run of
/// whole messages reads back as one JSON array, and a fork or read boundary between messages needs no re-encoding.
/// Every string and property name must be text, valid UTF-8 without lone surrogate escapes: System.Text.Json and other
/// strict parsers refuse to read either (<c>JSON.parse</c> takes a lone surrogate), so a stored message never breaks a read.
/// </summary>
internal static class JsonFraming
{
    private static readonly JsonReaderOptions Strict = new() { CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false };

    /// <summary>
    /// Frames <paramref name="body"/>: its messages, each followed by a comma. An empty array is refused on append (a
    /// no-op that is likely a client bug) and allowed on create (a stream with no messages yet); so is an empty body.
    /// </summary>
    public static StreamPayload Frame(ReadOnlyMemory<byte> body, bool forAppend)
    {
        var span = body.Span;
        if (IsBlank(span))
        {
            return forAppend ? StreamPayload.Refused("The body is empty; a JSON stream takes one JSON value or an array of messages.") : StreamPayload.Empty;
        }

        try
        {
            return FrameValue(span, forAppend);
        }
        catch (JsonException ex)
        {
            return StreamPayload.Refused($"The body is not valid JSON: {ex.Message}");
        }
    }

    private static StreamPayload FrameValue(ReadOnlySpan<byte> span, bool forAppend)
    {
        var reader = new Utf8JsonReader(span, Strict);
        reader.Read();
        var output = new byte[span.Length + 1];
        var length = 0;
        var messages = 0;
        if (reader.TokenType == JsonTokenType.StartArray)
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var start = (int)reader.TokenStartIndex;
                SkipText(ref reader);
                var end = (int)reader.BytesConsumed;
                length = Append(output, length, span[start..end]);
                messages++;
            }
        }
        else
        {
            var start = (int)reader.TokenStartIndex;
            SkipText(ref reader);
            length = Append(output, length, span[start..(int)reader.BytesConsumed]);
            messages = 1;
        }

        if (reader.Read())
        {
            throw new JsonException($"Unexpected '{(char)span[(int)reader.TokenStartIndex]}' after the JSON value at byte {reader.TokenStartIndex}.");
        }

        if (messages == 0)
        {
            return forAppend ? StreamPayload.Refused("The body is an empty JSON array; an append must carry at least one message.") : StreamPayload.Empty;
        }

        return new StreamPayload(output.AsMemory(0, length), messages, null);
    }

    /// <summary>
    /// Moves past the value the reader is on, as <see cref="Utf8JsonReader.Skip"/> does (which checks the structure only),
    /// checking that each string and property name in it is text.
    /// </summary>
    private static void SkipText(ref Utf8JsonReader reader)
    {
        var depth = reader.CurrentDepth;
        CheckText(ref reader);
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            // The closing token is back at the value's depth.
            while (reader.Read() && reader.CurrentDepth > depth)
            {
                CheckText(ref reader);
            }
        }
    }

    private static void CheckText(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
        {
            return;
        }

        var what = reader.TokenType == JsonTokenType.String ? "string" : "property name";
        if (!Utf8.IsValid(reader.ValueSpan))
        {
            throw new JsonException($"the {what} at byte {reader.TokenStartIndex} is not valid UTF-8. Send text as UTF-8.");
        }

        if (reader.ValueIsEscaped && LoneSurrogate(reader.ValueSpan) is { } unit)
        {
            throw new JsonException($"the {what} at byte {reader.TokenStartIndex} holds the escape \\u{(int)unit:X4}, a lone surrogate (half of a UTF-16 " +
                "pair), which strict JSON parsers refuse. Send the whole pair, or U+FFFD in its place.");
        }
    }

    /// <summary>
    /// The first <c>\uXXXX</c> escape in <paramref name="raw"/> (a string as sent; the reader has checked its escapes are
    /// well formed) that is a surrogate outside a high-low pair; null when there is none.
    /// </summary>
    private static char? LoneSurrogate(ReadOnlySpan<byte> raw)
    {
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] != (byte)'\\')
            {
                continue;
            }

            if (raw[i + 1] != (byte)'u')
            {
                i++; // a one-letter escape, \\ included
                continue;
            }

            var unit = Unit(raw, i);
            i += 5;
            if (char.IsLowSurrogate(unit))
            {
                return unit;
            }

            if (char.IsHighSurrogate(unit))
            {
                if (i + 6 >= raw.Length || raw[i + 1] != (byte)'\\' || raw[i + 2] != (byte)'u' || !char.IsLowSurrogate(Unit(raw, i + 1)))
                {
                    return unit;
                }

                i += 6;
            }
        }

        return null;
    }

    /// <summary>The UTF-16 unit of the <c>\uXXXX</c> escape at <paramref name="escape"/>, whose four hex digits the reader has checked.</summary>
    private static char Unit(ReadOnlySpan<byte> raw, int escape)
    {
        Utf8Parser.TryParse(raw.Slice(escape + 2, 4), out ushort unit, out _, 'X');
        return (char)unit;
    }

    /// <summary>The bytes a read returns for <paramref name="framed"/> (whole messages, each with its comma): a JSON array.</summary>
    public static byte[] Wrap(IReadOnlyList<ReadOnlyMemory<byte>> framed)
    {
        var total = 0;
        foreach (var part in framed)
        {
            total += part.Length;
        }

        if (total == 0)
        {
            return "[]"u8.ToArray();
        }

        // '[' + every message and its comma, the last comma becoming ']'.
        var result = new byte[total + 1];
        result[0] = (byte)'[';
        var at = 1;
        foreach (var part in framed)
        {
            part.Span.CopyTo(result.AsSpan(at));
            at += part.Length;
        }

        result[^1] = (byte)']';
        return result;
    }

    /// <summary>
    /// How many bytes of <paramref name="framed"/> the first <paramref name="messages"/> messages take (their commas
    /// included), or -1 when it holds fewer, or does not start at a message boundary.
    /// </summary>
    public static long PrefixLength(ReadOnlySpan<byte> framed, long messages)
    {
        // Each message is a complete JSON value followed by one comma, with nothing in between.
        var at = 0;
        for (long i = 0; i < messages; i++)
        {
            var rest = framed[at..];
            if (rest.IsEmpty)
            {
                return -1;
            }

            try
            {
                var reader = new Utf8JsonReader(rest, Strict);
                reader.Read();
                reader.Skip();
                at += (int)reader.BytesConsumed;
            }
            catch (JsonException)
            {
                return -1;
            }

            if (at >= framed.Length || framed[at] != (byte)',')
            {
                return -1;
            }

            at++;
        }

        return at;
    }

    private static int Append(byte[] output, int length, ReadOnlySpan<byte> message)
    {
        message.CopyTo(output.AsSpan(length));
        output[length + message.Length] = (byte)',';
        return length + message.Length + 1;
    }

    private static bool IsBlank(ReadOnlySpan<byte> span)
    {
        foreach (var b in span)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return false;
            }
        }

        return true;
    }
}
