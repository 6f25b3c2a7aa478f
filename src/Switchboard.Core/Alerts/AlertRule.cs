namespace Switchboard.Core.Alerts;

/// <summary>What an alert rule watches: a session's state, age, cost or tokens, or a count or rate over the fleet.</summary>
public enum AlertCondition
{
    /// <summary><c>session_error</c>: a session is in <c>error</c>.</summary>
    SessionError,
    /// <summary><c>lease_expired</c>: a session is in <c>error</c> because its lease ran out.</summary>
    LeaseExpired,
    /// <summary><c>stalled</c>: a session has been <c>working</c> with no change for <see cref="AlertRule.Seconds"/>.</summary>
    Stalled,
    /// <summary><c>session_cost</c>: a session's <c>cost_usd</c> reached <see cref="AlertRule.Threshold"/>.</summary>
    SessionCost,
    /// <summary><c>session_tokens</c>: a session's <c>total_tokens</c> reached <see cref="AlertRule.Threshold"/>.</summary>
    SessionTokens,
    /// <summary><c>active_count</c>: the active sessions in the rule's label scope reached <see cref="AlertRule.Threshold"/>.</summary>
    ActiveCount,
    /// <summary><c>burn_rate</c>: cost or tokens per hour, over the last <see cref="AlertRule.WindowSeconds"/>, reached <see cref="AlertRule.Threshold"/>.</summary>
    BurnRate,
    /// <summary><c>error_count</c>: sessions that entered error in the last <see cref="AlertRule.WindowSeconds"/> reached <see cref="AlertRule.Threshold"/>.</summary>
    ErrorCount,
    /// <summary><c>waiting</c>: a session has been <c>waiting</c> (blocked on a person) for <see cref="AlertRule.Seconds"/>. Last, so no earlier value moves.</summary>
    Waiting,
}

/// <summary>How urgent an alert is.</summary>
public enum AlertSeverity
{
    /// <summary><c>info</c>.</summary>
    Info,
    /// <summary><c>warning</c>.</summary>
    Warning,
    /// <summary><c>critical</c>.</summary>
    Critical,
}

/// <summary>
/// One alert rule: a condition, the sessions it applies to (all whose labels include <see cref="Labels"/>) and the
/// severity of what it raises. Rules come from configuration (read-only) or are stored through the API.
/// </summary>
internal sealed record AlertRule
{
    /// <summary>1–64 characters from <c>[A-Za-z0-9._:-]</c>.</summary>
    public required string Id { get; init; }
    /// <summary>A display name (≤ 200 characters).</summary>
    public required string Name { get; init; }
    /// <summary>What the rule watches.</summary>
    public required AlertCondition Condition { get; init; }
    /// <summary>The severity of the alerts it raises.</summary>
    public AlertSeverity Severity { get; init; } = AlertSeverity.Warning;
    /// <summary>Seconds, for <see cref="AlertCondition.Stalled"/> and <see cref="AlertCondition.Waiting"/>.</summary>
    public int? Seconds { get; init; }
    /// <summary>The threshold, for cost, tokens, active-count, burn-rate (per hour) and error-count conditions (reached means ≥).</summary>
    public decimal? Threshold { get; init; }
    /// <summary>For <see cref="AlertCondition.BurnRate"/>: <c>cost</c> (USD per hour) or <c>tokens</c> (tokens per hour).</summary>
    public string? Metric { get; init; }
    /// <summary>The sliding window, for <see cref="AlertCondition.BurnRate"/> and <see cref="AlertCondition.ErrorCount"/>.</summary>
    public int? WindowSeconds { get; init; }
    /// <summary>
    /// For <see cref="AlertCondition.SessionCost"/> and <see cref="AlertCondition.SessionTokens"/>: <c>session</c> (the
    /// session's own value, the default) or <c>subtree</c> (its <c>subtree</c> totals: itself and all its descendants).
    /// </summary>
    public string Scope { get; init; } = AlertScopes.Session;
    /// <summary>True when the rule watches a session's subtree totals rather than its own.</summary>
    public bool IsSubtree => Scope == AlertScopes.Subtree;
    /// <summary>Only sessions carrying all these labels; empty for every session.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = Switchboard.Core.Sessions.Session.EmptyLabels;
    /// <summary>A disabled rule raises nothing and resolves what it had raised.</summary>
    public bool Enabled { get; init; } = true;
    /// <summary><c>config</c> or <c>api</c>.</summary>
    public string Source { get; init; } = AlertRuleSources.Api;
    /// <summary>The command issued to the session an alert of this rule is raised about (once per alert), if any.</summary>
    public Switchboard.Core.Commands.CommandAction? Action { get; init; }
    /// <summary>
    /// A stored rule's version: 1 on create, one more on every PUT that changes it. A rule from configuration is always
    /// 1 (it cannot be changed over HTTP).
    /// </summary>
    public long Version { get; init; } = 1;

    /// <summary>True when the rule is about one session at a time (its subject is the session id).</summary>
    public bool IsPerSession => Condition is not (AlertCondition.ActiveCount or AlertCondition.BurnRate or AlertCondition.ErrorCount);

    /// <summary>True for conditions that hold once a session has been in one state for <see cref="Seconds"/> (a deadline on the clock).</summary>
    public bool IsTimed => Condition is AlertCondition.Stalled or AlertCondition.Waiting;

    /// <summary>True for conditions over a sliding window of the log.</summary>
    public bool IsWindowed => Condition is AlertCondition.BurnRate or AlertCondition.ErrorCount;

    /// <summary>True when <paramref name="labels"/> carry every label of the rule's scope.</summary>
    public bool InScope(IReadOnlyDictionary<string, string> labels)
    {
        if (Labels.Count == 0)
        {
            return true; // the common case, without an enumerator boxed on every event
        }

        foreach (var (k, v) in Labels)
        {
            if (!labels.TryGetValue(k, out var have) || have != v)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>What a cost or tokens rule measures.</summary>
internal static class AlertScopes
{
    /// <summary>The session's own cost or tokens.</summary>
    public const string Session = "session";
    /// <summary>The session's subtree totals: itself and everything it started, at any depth.</summary>
    public const string Subtree = "subtree";
}

/// <summary>Where a rule came from.</summary>
internal static class AlertRuleSources
{
    /// <summary>Defined in <c>Switchboard:Alerts:Rules</c>; read-only over HTTP.</summary>
    public const string Config = "config";
    /// <summary>Created over HTTP and stored.</summary>
    public const string Api = "api";
}
