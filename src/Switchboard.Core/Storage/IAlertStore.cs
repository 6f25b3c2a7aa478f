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

    /// <summary>Creates or replaces a rule.</summary>
    Task PutAlertRuleAsync(AlertRule rule, CancellationToken cancellationToken);

    /// <summary>Deletes a rule; false when there was none.</summary>
    Task<bool> DeleteAlertRuleAsync(string id, CancellationToken cancellationToken);
}
