using System.Text.Json;

namespace Switchboard.Streams;

/// <summary>
/// JSON mode's framing. A body is one JSON value; a top-level array is flattened one level, each element a message (so a
/// client batches messages in one request), anything else is one message. Messages are stored as their bytes, exactly as
/// sent, each followed by a comma: a read wraps what it returns in brackets (dropping the last comma), so any run of
/// whole messages reads back as one JSON array, and a fork or read boundary between messages needs no re-encoding.
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
                reader.Skip();
                var end = (int)reader.BytesConsumed;
                length = Append(output, length, span[start..end]);
                messages++;
            }
        }
        else
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
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
