using Switchboard.Core.Alerts;

namespace Switchboard.Core.Storage;

/// <summary>
/// Alerts and alert rules, kept by the same store as the log. Alert rows change only through
/// <see cref="ISessionStore.WriteAsync"/> (<c>RaiseAlert</c>, <c>ResolveAlert</c>, <c>AcknowledgeAlert</c>), in the same
/// transaction as their event; rules are plain rows.
/// </summary>
internal interface IAlertStore
{
    /// <summary>Alerts, newest first: only open ones when <paramref name="openOnly"/> is true, only resolved when false.</summary>
    Task<IReadOnlyList<Alert>> ListAlertsAsync(bool? openOnly, int limit, CancellationToken cancellationToken);

    /// <summary>One alert, or null.</summary>
    Task<Alert?> GetAlertAsync(string id, CancellationToken cancellationToken);

    /// <summary>Every stored rule (those created over HTTP), by id.</summary>
    Task<IReadOnlyList<AlertRule>> ListAlertRulesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Creates a rule (version 1) or replaces it (one version more when it differs), in one statement. With
    /// <paramref name="expectedVersion"/> it only replaces, and only a rule still at that version. Returns the rule as
    /// stored, or null when no row matched (there is none, or it is at another version).
    /// </summary>
    Task<AlertRule?> PutAlertRuleAsync(AlertRule rule, long? expectedVersion, CancellationToken cancellationToken);

    /// <summary>Deletes a rule; false when there was none.</summary>
    Task<bool> DeleteAlertRuleAsync(string id, CancellationToken cancellationToken);
}
