using System.Buffers;
using System.Text.Json;

namespace Switchboard.Client.Phoenix;

/// <summary>A Phoenix V2 JSON frame <c>[join_ref, ref, topic, event, payload]</c>; refs are strings or null.</summary>
internal readonly record struct PhoenixFrame(string? JoinRef, string? Ref, string Topic, string Event, JsonElement Payload)
{
    /// <summary>Parses a text frame; the payload is cloned so it outlives the buffer.</summary>
    public static PhoenixFrame Parse(ReadOnlyMemory<byte> text)
    {
        using var doc = JsonDocument.Parse(text);
        var a = doc.RootElement;
        if (a.ValueKind != JsonValueKind.Array || a.GetArrayLength() < 5)
        {
            throw new JsonException("A Phoenix V2 frame is a JSON array of five elements.");
        }

        return new PhoenixFrame(RefOf(a[0]), RefOf(a[1]), a[2].GetString() ?? "", a[3].GetString() ?? "", a[4].Clone());
    }

    /// <summary>Encodes a frame from the client.</summary>
    public static byte[] Encode(string? joinRef, string @ref, string topic, string @event, Action<Utf8JsonWriter> payload)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            w.WriteStringValue(joinRef);
            w.WriteStringValue(@ref);
            w.WriteStringValue(topic);
            w.WriteStringValue(@event);
            payload(w);
            w.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string? RefOf(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.GetRawText(),
        _ => null,
    };
}
