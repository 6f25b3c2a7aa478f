using System.Text.Json;

namespace Switchboard.Phoenix;

/// <summary>
/// An inbound Phoenix V2 message <c>[join_ref, ref, topic, event, payload]</c>. It owns everything it holds (the payload
/// is a copy), so it may outlive the read that produced it: a join handled later never reads another frame's bytes.
/// </summary>
internal sealed class PhoenixMessage(string? joinRef, string? @ref, string topic, string @event, JsonElement payload)
{
    public string? JoinRef { get; } = joinRef;

    public string? Ref { get; } = @ref;

    public string Topic { get; } = topic;

    public string Event { get; } = @event;

    /// <summary>Always a JSON object for text frames; binary pushes carry an empty object and <see cref="IsBinary"/>.</summary>
    public JsonElement Payload { get; } = payload;

    public bool IsBinary { get; init; }

    private static readonly JsonElement EmptyPayload = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>
    /// Parses a V2 text frame. Returns null with a reason when the frame is not a JSON array of
    /// [string|null, string|null, string, string, object] — such a frame is a protocol violation.
    /// </summary>
    public static PhoenixMessage? Parse(ReadOnlyMemory<byte> utf8, out string? error)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException ex)
        {
            error = $"malformed JSON: {ex.Message}";
            return null;
        }

        using var owned = document;
        var root = document.RootElement;
        error = root.ValueKind != JsonValueKind.Array ? "a V2 message must be a JSON array"
            // Phoenix ignores elements after the payload, so only a short array is malformed.
            : root.GetArrayLength() < 5 ? "a V2 message has 5 elements: [join_ref, ref, topic, event, payload]"
            : !IsRef(root[0]) ? "join_ref must be a string or null"
            : !IsRef(root[1]) ? "ref must be a string or null"
            : root[2].ValueKind != JsonValueKind.String ? "topic must be a string"
            : root[3].ValueKind != JsonValueKind.String ? "event must be a string"
            : root[4].ValueKind != JsonValueKind.Object ? "payload must be a JSON object"
            : null;
        if (error is not null)
        {
            return null;
        }

        // The document may sit on a pooled buffer that goes back as soon as this returns: keep copies only.
        return new PhoenixMessage(root[0].GetString(), root[1].GetString(), root[2].GetString()!, root[3].GetString()!, root[4].Clone());
    }

    private static bool IsRef(JsonElement e) => e.ValueKind is JsonValueKind.String or JsonValueKind.Null;

    /// <summary>
    /// Parses a V2 binary push: kind 0, then the lengths of join_ref, ref, topic and event, then those fields and
    /// the payload. Switchboard's topics take no binary payloads, so only the routing fields are kept.
    /// </summary>
    public static PhoenixMessage? ParseBinary(ReadOnlySpan<byte> frame, out string? error)
    {
        error = null;
        if (frame.Length < 5 || frame[0] != 0)
        {
            error = "binary frames must be V2 pushes (kind 0) with four field lengths";
            return null;
        }

        var offset = 5;
        var fields = new string[4];
        for (var i = 0; i < 4; i++)
        {
            var length = frame[1 + i];
            if (offset + length > frame.Length)
            {
                error = "binary push is shorter than its field lengths say";
                return null;
            }

            try
            {
                fields[i] = new System.Text.UTF8Encoding(false, true).GetString(frame.Slice(offset, length));
            }
            catch (System.Text.DecoderFallbackException)
            {
                error = "binary push fields must be UTF-8";
                return null;
            }

            offset += length;
        }

        return new PhoenixMessage(fields[0].Length == 0 ? null : fields[0], fields[1].Length == 0 ? null : fields[1], fields[2], fields[3], EmptyPayload)
        {
            IsBinary = true,
        };
    }
}
