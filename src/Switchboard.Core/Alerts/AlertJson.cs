using System.Text.Json;
using Switchboard.Core.Json;

namespace Switchboard.Core.Alerts;

/// <summary>The one snake_case JSON shape of alerts and alert rules: HTTP responses, event data and stored rows.</summary>
internal static class AlertJson
{
    /// <summary>Writes an alert as a JSON object.</summary>
    public static void Write(Utf8JsonWriter w, Alert a)
    {
        w.WriteStartObject();
        w.WriteString("id", a.Id);
        w.WriteString("rule_id", a.RuleId);
        w.WriteString("rule_name", a.RuleName);
        w.WriteString("condition", a.Condition.ToWire());
        w.WriteString("severity", a.Severity.ToWire());
        w.WriteString("subject", a.Subject);
        w.WriteString("session_id", a.SessionId);
        if (a.Labels is { } labels)
        {
            w.WritePropertyName("labels");
            SessionJson.WriteLabels(w, labels);
        }
        else
        {
            w.WriteNull("labels");
        }

        w.WriteString("state", a.IsOpen ? "open" : "resolved");
        w.WriteString("message", a.Message);
        if (a.Value is { } value)
        {
            w.WriteNumber("value", Decimals.Normalize(value));
        }
        else
        {
            w.WriteNull("value");
        }

        WireTime.Write(w, "raised_at", a.RaisedAt);
        w.WriteNumber("raised_seq", a.RaisedSeq);
        WireTime.Write(w, "resolved_at", a.ResolvedAt);
        if (a.ResolvedSeq is { } rs)
        {
            w.WriteNumber("resolved_seq", rs);
        }
        else
        {
            w.WriteNull("resolved_seq");
        }

        w.WriteString("resolve_reason", a.ResolveReason);
        WireTime.Write(w, "acknowledged_at", a.AcknowledgedAt);
        w.WriteString("acknowledged_by", a.AcknowledgedBy);
        w.WriteString("note", a.Note);
        w.WriteEndObject();
    }

    /// <summary>Reads an alert written by <see cref="Write(Utf8JsonWriter, Alert)"/>.</summary>
    public static Alert ReadAlert(JsonElement e)
    {
        AlertWire.TryParseCondition(e.GetProperty("condition").GetString(), out var condition);
        AlertWire.TryParseSeverity(e.GetProperty("severity").GetString(), out var severity);
        return new Alert
        {
            Id = e.GetProperty("id").GetString()!,
            RuleId = e.GetProperty("rule_id").GetString()!,
            RuleName = e.GetProperty("rule_name").GetString()!,
            Condition = condition ?? AlertCondition.SessionError,
            Severity = severity ?? AlertSeverity.Warning,
            Subject = e.GetProperty("subject").GetString()!,
            SessionId = e.GetProperty("session_id").GetString(),
            Labels = e.GetProperty("labels").ValueKind == JsonValueKind.Object ? SessionJson.ReadLabels(e.GetProperty("labels")) : null,
            Message = e.GetProperty("message").GetString()!,
            Value = e.GetProperty("value").ValueKind == JsonValueKind.Number ? e.GetProperty("value").GetDecimal() : null,
            RaisedAt = WireTime.Parse(e.GetProperty("raised_at").GetString()!),
            RaisedSeq = e.GetProperty("raised_seq").GetInt64(),
            ResolvedAt = Time(e, "resolved_at"),
            ResolvedSeq = e.GetProperty("resolved_seq").ValueKind == JsonValueKind.Number ? e.GetProperty("resolved_seq").GetInt64() : null,
            ResolveReason = e.GetProperty("resolve_reason").GetString(),
            AcknowledgedAt = Time(e, "acknowledged_at"),
            AcknowledgedBy = e.GetProperty("acknowledged_by").GetString(),
            Note = e.GetProperty("note").GetString(),
        };
    }

    /// <summary>Writes a rule as a JSON object, as the API shows it: with its <c>version</c>.</summary>
    public static void Write(Utf8JsonWriter w, AlertRule r) => Write(w, r, version: true);

    /// <summary>The stored row keeps the version in its own column, so equal configurations are equal text.</summary>
    private static void Write(Utf8JsonWriter w, AlertRule r, bool version)
    {
        w.WriteStartObject();
        w.WriteString("id", r.Id);
        w.WriteString("name", r.Name);
        w.WriteString("condition", r.Condition.ToWire());
        w.WriteString("severity", r.Severity.ToWire());
        if (r.Seconds is { } s)
        {
            w.WriteNumber("seconds", s);
        }
        else
        {
            w.WriteNull("seconds");
        }

        if (r.Threshold is { } t)
        {
            w.WriteNumber("threshold", Decimals.Normalize(t));
        }
        else
        {
            w.WriteNull("threshold");
        }

        w.WriteString("metric", r.Metric);
        if (r.WindowSeconds is { } window)
        {
            w.WriteNumber("window_seconds", window);
        }
        else
        {
            w.WriteNull("window_seconds");
        }

        w.WriteString("scope", r.Scope);
        w.WritePropertyName("labels");
        SessionJson.WriteLabels(w, r.Labels);
        w.WriteBoolean("enabled", r.Enabled);
        w.WriteString("source", r.Source);
        if (r.Action is { } action)
        {
            w.WriteStartObject("action");
            w.WriteString("type", Switchboard.Core.Commands.CommandWire.ToWire(action.Type));
            w.WriteString("text", action.Text);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("action");
        }

        if (version)
        {
            w.WriteNumber("version", r.Version);
        }

        w.WriteEndObject();
    }

    /// <summary>Reads a rule written by <see cref="Write(Utf8JsonWriter, AlertRule)"/>.</summary>
    public static AlertRule ReadRule(JsonElement e)
    {
        AlertWire.TryParseCondition(e.GetProperty("condition").GetString(), out var condition);
        AlertWire.TryParseSeverity(e.GetProperty("severity").GetString(), out var severity);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in e.GetProperty("labels").EnumerateObject())
        {
            labels[p.Name] = p.Value.GetString()!;
        }

        return new AlertRule
        {
            Id = e.GetProperty("id").GetString()!,
            Name = e.GetProperty("name").GetString()!,
            Condition = condition ?? AlertCondition.SessionError,
            Severity = severity ?? AlertSeverity.Warning,
            Seconds = e.GetProperty("seconds").ValueKind == JsonValueKind.Number ? e.GetProperty("seconds").GetInt32() : null,
            Threshold = e.GetProperty("threshold").ValueKind == JsonValueKind.Number ? e.GetProperty("threshold").GetDecimal() : null,
            Metric = e.TryGetProperty("metric", out var metric) ? metric.GetString() : null,
            WindowSeconds = e.TryGetProperty("window_seconds", out var window) && window.ValueKind == JsonValueKind.Number ? window.GetInt32() : null,
            Scope = e.TryGetProperty("scope", out var scope) && scope.GetString() is { } s ? s : AlertScopes.Session,
            Labels = labels,
            Enabled = e.GetProperty("enabled").GetBoolean(),
            Source = e.GetProperty("source").GetString()!,
            Action = e.TryGetProperty("action", out var action) && action.ValueKind == JsonValueKind.Object ? ReadAction(action) : null,
        };
    }

    private static Switchboard.Core.Commands.CommandAction ReadAction(JsonElement e)
    {
        Switchboard.Core.Commands.CommandWire.TryParseType(e.GetProperty("type").GetString(), out var type);
        return new Switchboard.Core.Commands.CommandAction(type, e.TryGetProperty("text", out var text) ? text.GetString() : null);
    }

    /// <summary>An alert as compact UTF-8 JSON.</summary>
    public static byte[] ToBytes(Alert a) => Build(w => Write(w, a));

    /// <summary>A rule as compact UTF-8 JSON, as it is stored (without its version, which has a column of its own).</summary>
    public static byte[] ToBytes(AlertRule r) => Build(w => Write(w, r, version: false));

    /// <summary>Event data: <c>{alert}</c>.</summary>
    public static byte[] EventData(Alert a) => Build(w =>
    {
        w.WriteStartObject();
        w.WritePropertyName("alert");
        Write(w, a);
        w.WriteEndObject();
    });

    private static DateTimeOffset? Time(JsonElement e, string name) => JsonBytes.Time(e, name);

    private static byte[] Build(Action<Utf8JsonWriter> body) => JsonBytes.Write(body);
}
