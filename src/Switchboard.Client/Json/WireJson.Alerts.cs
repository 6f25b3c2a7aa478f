using System.Text.Json;

namespace Switchboard.Client.Json;

/// <summary>Alert rules, alerts and webhook endpoints: the bodies this client sends and the answers it reads.</summary>
internal static partial class WireJson
{
    public static byte[] AlertRuleBody(AlertRule rule, bool withId, long? expectedVersion = null) => RequestJson.Object(w =>
    {
        if (withId && rule.Id is not null) w.WriteString("id", rule.Id);
        w.WriteString("name", rule.Name);
        w.WriteString("condition", rule.Condition);
        w.WriteString("severity", rule.Severity);
        if (rule.Seconds is { } s) w.WriteNumber("seconds", s);
        if (rule.Threshold is { } t) w.WriteNumber("threshold", t);
        if (rule.Metric is not null) w.WriteString("metric", rule.Metric);
        if (rule.WindowSeconds is { } window) w.WriteNumber("window_seconds", window);
        if (rule.Labels is not null) RequestJson.Labels(w, rule.Labels);
        w.WriteBoolean("enabled", rule.Enabled);
        if (expectedVersion is { } expected) w.WriteNumber("expected_version", expected);
    });

    public static byte[] WebhookBody(WebhookSpec spec, long? expectedVersion = null) => RequestJson.Object(w =>
    {
        w.WriteString("url", spec.Url);
        if (spec.Id is not null) w.WriteString("id", spec.Id);
        if (spec.Secret is not null) w.WriteString("secret", spec.Secret);
        if (spec.EventTypes is not null) Strings(w, "event_types", spec.EventTypes);
        if (spec.Labels is not null) RequestJson.Labels(w, spec.Labels);
        if (spec.AlertSeverities is not null) Strings(w, "alert_severities", spec.AlertSeverities);
        w.WriteString("format", spec.Format);
        w.WriteBoolean("enabled", spec.Enabled);
        if (expectedVersion is { } expected) w.WriteNumber("expected_version", expected);
    });

    public static AlertRule ReadAlertRule(JsonElement e) => new(
        String(e, "id"), String(e, "name")!, String(e, "condition")!, String(e, "severity")!,
        e.GetProperty("seconds").ValueKind == JsonValueKind.Number ? e.GetProperty("seconds").GetInt32() : null,
        Decimal(e, "threshold"), ReadLabels(e.GetProperty("labels")), e.GetProperty("enabled").GetBoolean(), String(e, "source"),
        String(e, "metric"), e.GetProperty("window_seconds").ValueKind == JsonValueKind.Number ? e.GetProperty("window_seconds").GetInt32() : null)
    {
        Version = Long(e, "version"),
    };

    public static Alert ReadAlert(JsonElement e) => new(
        String(e, "id")!, String(e, "rule_id")!, String(e, "rule_name")!, String(e, "condition")!,
        String(e, "severity")!, String(e, "subject")!, String(e, "session_id"),
        e.GetProperty("labels").ValueKind == JsonValueKind.Object ? ReadLabels(e.GetProperty("labels")) : null,
        String(e, "state")!, String(e, "message")!, Decimal(e, "value"), Time(e, "raised_at")!.Value, Long(e, "raised_seq"),
        Time(e, "resolved_at"), e.GetProperty("resolved_seq").ValueKind == JsonValueKind.Number ? e.GetProperty("resolved_seq").GetInt64() : null,
        String(e, "resolve_reason"), Time(e, "acknowledged_at"), String(e, "acknowledged_by"), String(e, "note"));

    public static Webhook ReadWebhook(JsonElement e) => new(
        String(e, "id")!, String(e, "url")!, e.TryGetProperty("secret", out var secret) ? secret.GetString() : null,
        [.. e.GetProperty("event_types").EnumerateArray().Select(v => v.GetString()!)], ReadLabels(e.GetProperty("labels")),
        [.. e.GetProperty("alert_severities").EnumerateArray().Select(v => v.GetString()!)], String(e, "format")!,
        e.GetProperty("enabled").GetBoolean(), String(e, "state")!, Long(e, "cursor"), Long(e, "lag"),
        Long(e, "attempts"), Long(e, "failures"), (int)Long(e, "consecutive_failures"), String(e, "last_error"),
        Time(e, "last_attempt_at"), String(e, "delivering_node"))
    {
        Version = Long(e, "version"),
    };

    /// <summary><c>{"webhooks": [...]}</c>: what <c>GET /api/webhooks</c> answers and the <c>webhooks</c> topic pushes.</summary>
    public static IReadOnlyList<Webhook> ReadWebhookList(JsonElement e) => [.. e.GetProperty("webhooks").EnumerateArray().Select(ReadWebhook)];

    private static void Strings(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    private static decimal? Decimal(JsonElement e, string name) =>
        e.GetProperty(name).ValueKind == JsonValueKind.Number ? e.GetProperty(name).GetDecimal() : null;
}
