using Switchboard.Core.Alerts;
using Switchboard.Core.Sessions;

namespace Switchboard.Server.Alerts;

/// <summary>
/// The <c>active_count</c> rules: per rule, the active sessions in its scope, kept as events arrive so a pass costs what
/// changed rather than a walk over the fleet. Used on the evaluator's loop only.
/// </summary>
internal sealed class ActiveCounts
{
    private IReadOnlyList<AlertRule> _rules = [];
    private int[] _counts = []; // by the rule's index in _rules

    /// <summary>A count moved (or the rules changed) since the last <see cref="Evaluate"/>.</summary>
    public bool Changed { get; private set; }

    /// <summary>Counts again from the sessions, for these rules (after a rule change or a resync).</summary>
    public void Recount(IReadOnlyList<AlertRule> rules, IEnumerable<Session> sessions)
    {
        _rules = rules;
        _counts = new int[rules.Count];
        foreach (var s in sessions)
        {
            Count(null, s);
        }

        Changed = true;
    }

    /// <summary>Moves one session's contribution from <paramref name="before"/> to <paramref name="after"/> (null: not active).</summary>
    public void Count(Session? before, Session? after)
    {
        for (var i = 0; i < _rules.Count; i++)
        {
            var rule = _rules[i];
            if (rule.Condition != AlertCondition.ActiveCount)
            {
                continue;
            }

            var delta = (after is not null && rule.InScope(after.Labels) ? 1 : 0) - (before is not null && rule.InScope(before.Labels) ? 1 : 0);
            if (delta != 0)
            {
                _counts[i] += delta;
                Changed = true;
            }
        }
    }

    public void Evaluate(AlertWrites writes)
    {
        Changed = false;
        for (var i = 0; i < _rules.Count; i++)
        {
            var rule = _rules[i];
            if (rule.Condition != AlertCondition.ActiveCount)
            {
                continue;
            }

            var count = rule.Enabled ? _counts[i] : 0;
            var desired = rule.Enabled && count >= rule.Threshold;
            writes.Reconcile(rule.Id, Alert.FleetSubject, desired,
                () => AlertConditions.NewAlert(rule, Alert.FleetSubject, null, count,
                    $"{count} active sessions in {AlertConditions.Scope(rule)} (threshold {AlertConditions.Format(rule.Threshold)})."),
                rule.Action, rule.Enabled ? "cleared" : "rule_disabled");
        }
    }
}
