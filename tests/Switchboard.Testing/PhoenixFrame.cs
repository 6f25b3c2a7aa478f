using System.Text.Json;

namespace Switchboard.Testing;

/// <summary>A received Phoenix V2 message.</summary>
public sealed record PhoenixFrame(string? JoinRef, string? Ref, string Topic, string Event, JsonElement Payload, string Raw)
{
    public static PhoenixFrame Parse(string raw)
    {
        using var doc = JsonDocument.Parse(raw);
        var a = doc.RootElement;
        return new PhoenixFrame(a[0].GetString(), a[1].GetString(), a[2].GetString()!, a[3].GetString()!, a[4].Clone(), raw);
    }

    /// <summary>For replies: <c>payload.status</c>.</summary>
    public string? Status => Payload.TryGetProperty("status", out var s) ? s.GetString() : null;

    /// <summary>For replies: <c>payload.response</c>.</summary>
    public JsonElement Response => Payload.TryGetProperty("response", out var r) ? r : default;

    /// <summary>For broadcasts of logged events: the envelope's <c>seq</c>.</summary>
    public long? Seq => Payload.TryGetProperty("seq", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt64() : null;
}
