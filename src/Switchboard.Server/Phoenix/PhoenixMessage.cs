using System.Text.Json;
using Switchboard.Core.Json;

namespace Switchboard.Server.Phoenix;

/// <summary>
/// An inbound Phoenix message, whichever serializer carried it. It owns everything it holds (the payload is a copy), so
/// it may outlive the read that produced it: a join handled later never reads another frame's bytes.
/// </summary>
/// <remarks>
/// Refs are opaque, as in Phoenix: any JSON scalar a client sends (a string, a number, a boolean) is kept as its raw
/// JSON text and written back exactly as it came, so a client that sends integers gets integers. Null is null.
/// </remarks>
internal sealed class PhoenixMessage(string? joinRef, string? @ref, string topic, string @event, JsonElement payload)
{
    /// <summary>The join ref as raw JSON text (<c>"7"</c> with its quotes, or <c>7</c>), or null.</summary>
    public string? JoinRef { get; } = joinRef;

    /// <summary>The ref as raw JSON text, or null.</summary>
    public string? Ref { get; } = @ref;

    public string Topic { get; } = topic;

    public string Event { get; } = @event;

    /// <summary>Always a JSON object for text frames; binary pushes carry an empty object and <see cref="IsBinary"/>.</summary>
    public JsonElement Payload { get; } = payload;

    public bool IsBinary { get; init; }

    private static readonly JsonElement EmptyPayload = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>Parses a text frame (or long-poll line) of <paramref name="serializer"/>.</summary>
    public static PhoenixMessage? Parse(PhoenixSerializer serializer, ReadOnlyMemory<byte> utf8, out string? error) =>
        serializer == PhoenixSerializer.V1 ? ParseV1(utf8, out error) : Parse(utf8, out error);

    /// <summary>
    /// Parses a V2 text frame. Returns null with a reason when the frame is not a JSON array of
    /// [ref, ref, string, string, object] (a ref is any JSON scalar or null; a null payload counts as <c>{}</c>) — such a
    /// frame is a protocol violation.
    /// </summary>
    public static PhoenixMessage? Parse(ReadOnlyMemory<byte> utf8, out string? error)
    {
        using var document = ParseJson(utf8, out error);
        if (document is null)
        {
            return null;
        }

        var root = document.RootElement;
        error = root.ValueKind != JsonValueKind.Array ? "a V2 message must be a JSON array"
            // Phoenix ignores elements after the payload, so only a short array is malformed.
            : root.GetArrayLength() < 5 ? "a V2 message has 5 elements: [join_ref, ref, topic, event, payload]"
            : !IsRef(root[0]) ? "join_ref must be a JSON scalar or null"
            : !IsRef(root[1]) ? "ref must be a JSON scalar or null"
            : Check(root[2], root[3], root[4]);
        if (error is not null)
        {
            return null;
        }

        // The document may sit on a pooled buffer that goes back as soon as this returns: keep copies only.
        return new PhoenixMessage(RawRef(root[0]), RawRef(root[1]), root[2].GetString()!, root[3].GetString()!, PayloadOf(root[4]));
    }

    /// <summary>
    /// Parses a V1 text frame <c>{"topic", "event", "payload", "ref", "join_ref"?}</c> (other members are ignored, as
    /// Phoenix's <c>Message.from_map!</c> does). Returns null with a reason when it is not one.
    /// </summary>
    public static PhoenixMessage? ParseV1(ReadOnlyMemory<byte> utf8, out string? error)
    {
        using var document = ParseJson(utf8, out error);
        if (document is null)
        {
            return null;
        }

        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = "a V1 message must be a JSON object {topic, event, payload, ref}";
            return null;
        }

        JsonElement Member(string name) => root.TryGetProperty(name, out var v) ? v : default;
        var (topic, @event, payload, @ref, joinRef) = (Member("topic"), Member("event"), Member("payload"), Member("ref"), Member("join_ref"));
        error = payload.ValueKind == JsonValueKind.Undefined ? "a V1 message has topic, event, payload and ref"
            : !IsRef(@ref, allowMissing: true) ? "ref must be a JSON scalar or null"
            : !IsRef(joinRef, allowMissing: true) ? "join_ref must be a JSON scalar or null"
            : Check(topic, @event, payload);
        return error is null ? new PhoenixMessage(RawRef(joinRef), RawRef(@ref), topic.GetString()!, @event.GetString()!, PayloadOf(payload)) : null;
    }

    /// <summary>The frame as a JSON document (nesting capped at 32), or null with the parser's reason.</summary>
    private static JsonDocument? ParseJson(ReadOnlyMemory<byte> utf8, out string? error)
    {
        try
        {
            error = null;
            return JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException ex)
        {
            error = $"malformed JSON: {ex.Message}";
            return null;
        }
    }

    private static string? Check(JsonElement topic, JsonElement @event, JsonElement payload) =>
        topic.ValueKind != JsonValueKind.String ? "topic must be a string"
        : @event.ValueKind != JsonValueKind.String ? "event must be a string"
        : payload.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null) ? "payload must be a JSON object"
        : null;

    private static bool IsRef(JsonElement e, bool allowMissing = false) =>
        e.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null
        || (allowMissing && e.ValueKind == JsonValueKind.Undefined);

    /// <summary>
    /// The ref's raw JSON text. A string ref is decoded once first, so one holding a lone surrogate escape throws
    /// <see cref="InvalidOperationException"/> like a topic or event does (1007, or 400 on long-poll) instead of being echoed.
    /// </summary>
    private static string? RawRef(JsonElement e)
    {
        if (e.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return null;
        }

        if (e.ValueKind == JsonValueKind.String && JsonStrings.FindNotText(e) is not null)
        {
            throw new InvalidOperationException("the ref holds a lone surrogate escape, which is not Unicode text");
        }

        return e.GetRawText();
    }

    /// <summary>A null payload (a heartbeat or leave from some clients) is an empty object.</summary>
    private static JsonElement PayloadOf(JsonElement payload) => payload.ValueKind == JsonValueKind.Null ? EmptyPayload : payload.Clone();

    /// <summary>A ref given as plain text (a binary push's fields) as raw JSON: a JSON string.</summary>
    private static string? TextRef(string text)
    {
        if (text.Length == 0)
        {
            return null;
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>(text.Length + 2);
        using (var writer = new Utf8JsonWriter(buffer, Switchboard.Server.Responses.JsonResult.WriterOptions))
        {
            writer.WriteStringValue(text);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

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

        return new PhoenixMessage(TextRef(fields[0]), TextRef(fields[1]), fields[2], fields[3], EmptyPayload)
        {
            IsBinary = true,
        };
    }
}
