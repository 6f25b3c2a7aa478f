namespace Switchboard.Core.Alerts;

/// <summary>
/// One alert: raised by a rule about a subject (a session id, or <c>fleet</c>), open until its condition clears.
/// There is at most one open alert per rule and subject; the store enforces it inside the write transaction.
/// </summary>
public sealed record Alert
{
    /// <summary>The subject of fleet-wide alerts (active_count).</summary>
    public const string FleetSubject = "fleet";

    /// <summary>The alert's id (<c>al_…</c>).</summary>
    public required string Id { get; init; }
    /// <summary>The rule that raised it.</summary>
    public required string RuleId { get; init; }
    /// <summary>The rule's name when it was raised.</summary>
    public required string RuleName { get; init; }
    /// <summary>The rule's condition.</summary>
    public required AlertCondition Condition { get; init; }
    /// <summary>The rule's severity when it was raised.</summary>
    public required AlertSeverity Severity { get; init; }
    /// <summary>A session id, or <see cref="FleetSubject"/>.</summary>
    public required string Subject { get; init; }
    /// <summary>The session the alert is about, when it is about one.</summary>
    public string? SessionId { get; init; }
    /// <summary>The session's labels when the alert was raised (null for fleet alerts); label-scoped subscribers filter on them.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    /// <summary>A sentence for people.</summary>
    public required string Message { get; init; }
    /// <summary>The observed value that raised it (cost, tokens, count, seconds), when there is one.</summary>
    public decimal? Value { get; init; }
    /// <summary>True until resolved.</summary>
    public bool IsOpen => ResolvedAt is null;
    /// <summary>When it was raised.</summary>
    public DateTimeOffset RaisedAt { get; init; }
    /// <summary>The seq of its <c>alert_raised</c> event.</summary>
    public long RaisedSeq { get; init; }
    /// <summary>When it was resolved.</summary>
    public DateTimeOffset? ResolvedAt { get; init; }
    /// <summary>The seq of its <c>alert_resolved</c> event.</summary>
    public long? ResolvedSeq { get; init; }
    /// <summary>Why it was resolved: <c>cleared</c>, <c>session_terminated</c>, <c>rule_disabled</c>, <c>rule_deleted</c>.</summary>
    public string? ResolveReason { get; init; }
    /// <summary>When someone acknowledged it.</summary>
    public DateTimeOffset? AcknowledgedAt { get; init; }
    /// <summary>Who acknowledged it.</summary>
    public string? AcknowledgedBy { get; init; }
    /// <summary>The acknowledging note.</summary>
    public string? Note { get; init; }

    /// <summary>A fresh alert id.</summary>
    public static string NewId() => "al_" + Guid.NewGuid().ToString("N")[..20];
}
