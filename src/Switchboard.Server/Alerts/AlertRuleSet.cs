using Microsoft.Extensions.Logging;
using Switchboard.Core.Alerts;
using Switchboard.Core.Storage;

namespace Switchboard.Server.Alerts;

/// <summary>
/// The rules the evaluator applies: the configured ones, then the stored ones whose id no configured rule takes.
/// Replaced as a whole on a reload, on the evaluator's loop.
/// </summary>
internal sealed class AlertRuleSet(IAlertStore? store, ConfiguredAlertRules configured, ILogger logger)
{
    public IReadOnlyList<AlertRule> Current { get; private set; } = [];

    /// <summary>Reads the stored rules; a failed read keeps the previous rules (the configured ones at first).</summary>
    public async Task LoadAsync(CancellationToken ct)
    {
        if (store is null)
        {
            Current = configured.Rules;
            return;
        }

        try
        {
            var stored = await store.ListAlertRulesAsync(ct);
            Current = [.. configured.Rules, .. stored.Where(r => configured.Find(r.Id) is null)];
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            AlertLog.RulesLoadFailed(logger, ex);
            if (Current.Count == 0)
            {
                Current = configured.Rules;
            }
        }
    }

    public bool Contains(string ruleId) => Current.Any(r => r.Id == ruleId);
}
