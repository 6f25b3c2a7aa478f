using System.Globalization;
using System.Text.Json;

namespace Switchboard.Client;

/// <summary>Alert rules, alerts and webhook endpoints.</summary>
public sealed partial class SwitchboardClient
{
    /// <summary>Every rule, from configuration and stored (<c>GET /api/alert-rules</c>).</summary>
    public Task<IReadOnlyList<AlertRule>> ListAlertRulesAsync(CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Get, "api/alert-rules", null, RetryMode.Always,
            e => (IReadOnlyList<AlertRule>)[.. e.GetProperty("rules").EnumerateArray().Select(ReadRule)], cancellationToken);

    /// <summary>Creates a rule (<c>POST /api/alert-rules</c>); a 409 when the id is taken, a 400 naming a bad field.</summary>
    public Task<AlertRule> CreateAlertRuleAsync(AlertRule rule, CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Post, "api/alert-rules", RuleBody(rule, withId: true), rule.Id is null ? RetryMode.IfNotApplied : RetryMode.Always,
            ReadRule, cancellationToken);

    /// <summary>Creates or replaces the rule <paramref name="id"/> (<c>PUT /api/alert-rules/{id}</c>).</summary>
    public Task<AlertRule> PutAlertRuleAsync(string id, AlertRule rule, CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Put, "api/alert-rules/" + Uri.EscapeDataString(id), RuleBody(rule, withId: false), RetryMode.Always, ReadRule, cancellationToken);

    /// <summary>Deletes a rule; false when there was none. Its open alerts are resolved (<c>rule_deleted</c>).</summary>
    public async Task<bool> DeleteAlertRuleAsync(string id, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _api.SendAsync(HttpMethod.Delete, "api/alert-rules/" + Uri.EscapeDataString(id), null, RetryMode.Always, _ => true, cancellationToken).ConfigureAwait(false);
        }
        catch (SwitchboardApiException ex) when (ex.StatusCode == 404)
        {
            return false;
        }
    }

    /// <summary>Alerts, newest first (<c>GET /api/alerts</c>).</summary>
    public Task<AlertList> ListAlertsAsync(AlertStateFilter state = AlertStateFilter.Open, int? limit = null, CancellationToken cancellationToken = default)
    {
        var path = "api/alerts?state=" + state.ToString().ToLowerInvariant() + (limit is { } l ? "&limit=" + l.ToString(CultureInfo.InvariantCulture) : "");
        return _api.SendAsync(HttpMethod.Get, path, null, RetryMode.Always,
            e => new AlertList([.. e.GetProperty("alerts").EnumerateArray().Select(ReadAlert)], WireJson.Long(e, "as_of_seq")), cancellationToken);
    }

    /// <summary>One alert, or null.</summary>
    public async Task<Alert?> GetAlertAsync(string id, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _api.SendAsync(HttpMethod.Get, "api/alerts/" + Uri.EscapeDataString(id), null, RetryMode.Always, ReadAlert, cancellationToken).ConfigureAwait(false);
        }
        catch (SwitchboardApiException ex) when (ex.StatusCode == 404)
        {
            return null;
        }
    }

    /// <summary>Acknowledges an alert with who and a note (<c>POST /api/alerts/{id}/ack</c>); it stays open until it clears.</summary>
    public Task<Alert> AcknowledgeAlertAsync(string id, string by, string? note = null, CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Post, $"api/alerts/{Uri.EscapeDataString(id)}/ack", RequestJson.Object(w =>
        {
            w.WriteString("by", by);
            if (note is not null)
            {
                w.WriteString("note", note);
            }
        }), RetryMode.IfNotApplied, ReadAlert, cancellationToken);

    /// <summary>Every webhook endpoint with its delivery state (<c>GET /api/webhooks</c>).</summary>
    public Task<IReadOnlyList<Webhook>> ListWebhooksAsync(CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Get, "api/webhooks", null, RetryMode.Always,
            e => (IReadOnlyList<Webhook>)[.. e.GetProperty("webhooks").EnumerateArray().Select(ReadWebhook)], cancellationToken);

    /// <summary>One webhook endpoint, or null.</summary>
    public async Task<Webhook?> GetWebhookAsync(string id, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _api.SendAsync(HttpMethod.Get, "api/webhooks/" + Uri.EscapeDataString(id), null, RetryMode.Always, ReadWebhook, cancellationToken).ConfigureAwait(false);
        }
        catch (SwitchboardApiException ex) when (ex.StatusCode == 404)
        {
            return null;
        }
    }

    /// <summary>Creates an endpoint (<c>POST /api/webhooks</c>); the answer is the only one that carries <see cref="Webhook.Secret"/>.</summary>
    public Task<Webhook> CreateWebhookAsync(WebhookSpec spec, CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Post, "api/webhooks", RequestJson.Object(w =>
        {
            w.WriteString("url", spec.Url);
            if (spec.Id is not null) w.WriteString("id", spec.Id);
            if (spec.Secret is not null) w.WriteString("secret", spec.Secret);
            if (spec.EventTypes is not null) Strings(w, "event_types", spec.EventTypes);
            if (spec.Labels is not null) RequestJson.Labels(w, spec.Labels);
            if (spec.AlertSeverities is not null) Strings(w, "alert_severities", spec.AlertSeverities);
            w.WriteString("format", spec.Format);
            w.WriteBoolean("enabled", spec.Enabled);
        }), spec.Id is null ? RetryMode.IfNotApplied : RetryMode.Always, ReadWebhook, cancellationToken);

    /// <summary>Deletes an endpoint; false when there was none.</summary>
    public async Task<bool> DeleteWebhookAsync(string id, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _api.SendAsync(HttpMethod.Delete, "api/webhooks/" + Uri.EscapeDataString(id), null, RetryMode.Always, _ => true, cancellationToken).ConfigureAwait(false);
        }
        catch (SwitchboardApiException ex) when (ex.StatusCode == 404)
        {
            return false;
        }
    }

    /// <summary>Delivers again from <paramref name="fromSeq"/> and makes a failing endpoint active (<c>POST /api/webhooks/{id}/replay</c>).</summary>
    public Task<Webhook> ReplayWebhookAsync(string id, long fromSeq, CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Post, $"api/webhooks/{Uri.EscapeDataString(id)}/replay", RequestJson.Object(w => w.WriteNumber("from_seq", fromSeq)),
            RetryMode.Always, ReadWebhook, cancellationToken);

    private static byte[] RuleBody(AlertRule rule, bool withId) => RequestJson.Object(w =>
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
    });

    private static void Strings(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    private static AlertRule ReadRule(JsonElement e) => new(
        WireJson.String(e, "id"), WireJson.String(e, "name")!, WireJson.String(e, "condition")!, WireJson.String(e, "severity")!,
        e.GetProperty("seconds").ValueKind == JsonValueKind.Number ? e.GetProperty("seconds").GetInt32() : null,
        Decimal(e, "threshold"), WireJson.ReadLabels(e.GetProperty("labels")), e.GetProperty("enabled").GetBoolean(), WireJson.String(e, "source"),
        WireJson.String(e, "metric"), e.GetProperty("window_seconds").ValueKind == JsonValueKind.Number ? e.GetProperty("window_seconds").GetInt32() : null);

    internal static Alert ReadAlert(JsonElement e) => new(
        WireJson.String(e, "id")!, WireJson.String(e, "rule_id")!, WireJson.String(e, "rule_name")!, WireJson.String(e, "condition")!,
        WireJson.String(e, "severity")!, WireJson.String(e, "subject")!, WireJson.String(e, "session_id"),
        e.GetProperty("labels").ValueKind == JsonValueKind.Object ? WireJson.ReadLabels(e.GetProperty("labels")) : null,
        WireJson.String(e, "state")!, WireJson.String(e, "message")!, Decimal(e, "value"), WireJson.Time(e, "raised_at")!.Value, WireJson.Long(e, "raised_seq"),
        WireJson.Time(e, "resolved_at"), e.GetProperty("resolved_seq").ValueKind == JsonValueKind.Number ? e.GetProperty("resolved_seq").GetInt64() : null,
        WireJson.String(e, "resolve_reason"), WireJson.Time(e, "acknowledged_at"), WireJson.String(e, "acknowledged_by"), WireJson.String(e, "note"));

    private static Webhook ReadWebhook(JsonElement e) => new(
        WireJson.String(e, "id")!, WireJson.String(e, "url")!, e.TryGetProperty("secret", out var secret) ? secret.GetString() : null,
        [.. e.GetProperty("event_types").EnumerateArray().Select(v => v.GetString()!)], WireJson.ReadLabels(e.GetProperty("labels")),
        [.. e.GetProperty("alert_severities").EnumerateArray().Select(v => v.GetString()!)], WireJson.String(e, "format")!,
        e.GetProperty("enabled").GetBoolean(), WireJson.String(e, "state")!, WireJson.Long(e, "cursor"), WireJson.Long(e, "lag"),
        WireJson.Long(e, "attempts"), WireJson.Long(e, "failures"), (int)WireJson.Long(e, "consecutive_failures"), WireJson.String(e, "last_error"),
        WireJson.Time(e, "last_attempt_at"), WireJson.String(e, "delivering_node"));

    private static decimal? Decimal(JsonElement e, string name) =>
        e.GetProperty(name).ValueKind == JsonValueKind.Number ? e.GetProperty(name).GetDecimal() : null;
}
