namespace Switchboard.Client;

/// <summary>An alert rule (<c>/api/alert-rules</c>). See the server's docs/alerts.md for the conditions.</summary>
/// <param name="Id">The rule's id; null on create to have one generated.</param>
/// <param name="Name">A display name.</param>
/// <param name="Condition"><c>session_error</c>, <c>lease_expired</c>, <c>stalled</c>, <c>session_cost</c>, <c>session_tokens</c>, <c>active_count</c>, <c>burn_rate</c>, <c>error_count</c> or <c>waiting</c>.</param>
/// <param name="Severity"><c>info</c>, <c>warning</c> or <c>critical</c>.</param>
/// <param name="Seconds">For <c>stalled</c> (seconds without a change) and <c>waiting</c> (seconds waiting for a person).</param>
/// <param name="Threshold">For <c>session_cost</c>, <c>session_tokens</c> and <c>active_count</c>.</param>
/// <param name="Labels">Only sessions carrying all these labels; null for all.</param>
/// <param name="Enabled">A disabled rule raises nothing and resolves its alerts.</param>
/// <param name="Source"><c>config</c> (read-only) or <c>api</c>; ignored on writes.</param>
/// <param name="Metric">For <c>burn_rate</c>: <c>cost</c> or <c>tokens</c>.</param>
/// <param name="WindowSeconds">For <c>burn_rate</c> and <c>error_count</c>: the sliding window.</param>
public sealed record AlertRule(string? Id, string Name, string Condition, string Severity = "warning", int? Seconds = null, decimal? Threshold = null,
    IReadOnlyDictionary<string, string>? Labels = null, bool Enabled = true, string? Source = null, string? Metric = null, int? WindowSeconds = null)
{
    /// <summary>
    /// The version the server holds (1 when created, one more on every change; always 1 for a configured rule); ignored on
    /// writes. Pass it to <see cref="SwitchboardClient.PutAlertRuleAsync"/> to replace only what was read.
    /// </summary>
    public long Version { get; init; }
}

/// <summary>An alert raised by a rule about a subject (a session id, or <c>fleet</c>).</summary>
public sealed record Alert(
    string Id, string RuleId, string RuleName, string Condition, string Severity, string Subject, string? SessionId,
    IReadOnlyDictionary<string, string>? Labels, string State, string Message, decimal? Value, DateTimeOffset RaisedAt, long RaisedSeq,
    DateTimeOffset? ResolvedAt, long? ResolvedSeq, string? ResolveReason, DateTimeOffset? AcknowledgedAt, string? AcknowledgedBy, string? Note)
{
    /// <summary>True until the condition clears.</summary>
    public bool IsOpen => State == "open";
}

/// <summary>Which alerts <see cref="SwitchboardClient.ListAlertsAsync"/> returns.</summary>
public enum AlertStateFilter
{
    /// <summary>Open ones (the default).</summary>
    Open,
    /// <summary>Resolved ones.</summary>
    Resolved,
    /// <summary>Both.</summary>
    All,
}

/// <summary>Alerts, newest first, read after the log position <paramref name="AsOfSeq"/>.</summary>
public sealed record AlertList(IReadOnlyList<Alert> Alerts, long AsOfSeq);

/// <summary>What to create or change a webhook endpoint with (<c>/api/webhooks</c>).</summary>
/// <param name="Url">The receiver.</param>
/// <param name="Id">Null to have one generated.</param>
/// <param name="Secret">16–256 characters; null to have one generated (returned once, by the create).</param>
/// <param name="EventTypes">Only these event types; null for all.</param>
/// <param name="Labels">Only events of sessions with all these labels.</param>
/// <param name="AlertSeverities">Only alert events of these severities.</param>
/// <param name="Format"><c>json</c> or <c>slack</c>.</param>
/// <param name="Enabled">A disabled endpoint keeps its cursor and receives nothing.</param>
public sealed record WebhookSpec(string Url, string? Id = null, string? Secret = null, IReadOnlyList<string>? EventTypes = null,
    IReadOnlyDictionary<string, string>? Labels = null, IReadOnlyList<string>? AlertSeverities = null, string Format = "json", bool Enabled = true);

/// <summary>A webhook endpoint with its delivery state.</summary>
public sealed record Webhook(
    string Id, string Url, string? Secret, IReadOnlyList<string> EventTypes, IReadOnlyDictionary<string, string> Labels,
    IReadOnlyList<string> AlertSeverities, string Format, bool Enabled, string State, long Cursor, long Lag, long Attempts, long Failures,
    int ConsecutiveFailures, string? LastError, DateTimeOffset? LastAttemptAt, string? DeliveringNode)
{
    /// <summary>
    /// The configuration's version (1 when created, one more on every change; delivery does not move it). Pass it to
    /// <see cref="SwitchboardClient.ReplaceWebhookAsync"/> to replace only what was read.
    /// </summary>
    public long Version { get; init; }
}
