using System.Buffers;
using System.Text.Json;
using Switchboard.Core.Json;

namespace Switchboard.Core.Webhooks;

/// <summary>The stored configuration of an endpoint (the delivery state has its own columns).</summary>
internal static class WebhookJson
{
    /// <summary>The configuration as compact JSON.</summary>
    public static string ConfigToText(WebhookEndpoint e)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("url", e.Url);
            w.WriteString("secret", e.Secret);
            WriteDelivery(w, e);
            w.WriteNumber("created_at", e.CreatedAt.ToUnixTimeMilliseconds());
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads a configuration written by <see cref="ConfigToText"/> into an endpoint with <paramref name="id"/>.</summary>
    public static WebhookEndpoint ConfigFromText(string id, string text)
    {
        using var doc = JsonDocument.Parse(text);
        var r = doc.RootElement;
        return new WebhookEndpoint
        {
            Id = id,
            Url = r.GetProperty("url").GetString()!,
            Secret = r.GetProperty("secret").GetString()!,
            EventTypes = [.. r.GetProperty("event_types").EnumerateArray().Select(v => v.GetString()!)],
            Labels = SessionJson.ReadLabels(r.GetProperty("labels")),
            AlertSeverities = [.. r.GetProperty("alert_severities").EnumerateArray().Select(v => v.GetString()!)],
            Format = r.GetProperty("format").GetString()!,
            Enabled = r.GetProperty("enabled").GetBoolean(),
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetProperty("created_at").GetInt64()),
        };
    }

    /// <summary>What an endpoint takes and how: its filters, body format and switch (the stored config and the API share them).</summary>
    public static void WriteDelivery(Utf8JsonWriter w, WebhookEndpoint e)
    {
        w.WriteStartArray("event_types");
        foreach (var t in e.EventTypes)
        {
            w.WriteStringValue(t);
        }

        w.WriteEndArray();
        w.WritePropertyName("labels");
        SessionJson.WriteLabels(w, e.Labels);
        w.WriteStartArray("alert_severities");
        foreach (var s in e.AlertSeverities)
        {
            w.WriteStringValue(s);
        }

        w.WriteEndArray();
        w.WriteString("format", e.Format);
        w.WriteBoolean("enabled", e.Enabled);
    }
}
