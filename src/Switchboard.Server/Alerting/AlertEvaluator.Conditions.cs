using System.Globalization;
using Switchboard.Alerts;
using Switchboard.Sessions;
using Switchboard.Writes;

namespace Switchboard.Alerting;

/// <summary>The conditions, and what to write so the open alerts match them.</summary>
internal sealed partial class AlertEvaluator
{
    /// <summary>
    /// After each batch of messages: evaluate what changed (everything after a tick, a rule change or a passed deadline),
    /// write, re-arm. The cost of a pass follows what changed, not the size of the fleet: active counts are kept as
    /// events arrive, windows are evaluated when they change, and only the changed sessions are looked at for deadlines.
    /// </summary>
    private void EvaluatePass()
    {
        if (_position < 0)
        {
            return;
        }

        var now = _time.GetUtcNow();
        if (now >= _retryAt || now >= _armedFor)
        {
            _retryAt = DateTimeOffset.MaxValue;
            _armedFor = DateTimeOffset.MaxValue;
            _fullPass = true;
        }

        var full = _fullPass;
        var changed = full || _dirty.Count > 0 || _countsChanged || _windowsChanged;
        if (full)
        {
            _fullPass = false;
            _dirty.UnionWith(_sessions.Keys);
            foreach (var ((ruleId, subject), alert) in _open)
            {
                if (alert.SessionId is not null)
                {
                    _dirty.Add(subject);
                }

                if (!_rules.Any(r => r.Id == ruleId))
                {
                    Reconcile(ruleId, subject, desired: false, () => null!, "rule_deleted");
                }
            }
        }

        foreach (var id in _dirty)
        {
            EvaluateSession(id, now);
        }

        if (full || _countsChanged)
        {
            _countsChanged = false;
            EvaluateFleet();
        }

        if (full || _windowsChanged)
        {
            _windowsChanged = false;
            EvaluateWindows(now);
        }

        Flush();
        if (changed)
        {
            Arm(now, full);
        }

        _dirty.Clear();
        _idle = _settling.Count == 0 && _queued.Count == 0 && !_writing;
        Volatile.Write(ref _evaluated, _position);
    }

    private void EvaluateSession(string id, DateTimeOffset now)
    {
        _sessions.TryGetValue(id, out var session);
        var anyAlert = _open.Count > 0 || _settling.Count > 0;
        foreach (var rule in _rules)
        {
            if (!rule.IsPerSession)
            {
                continue;
            }

            decimal? value = null;
            string? message = null;
            var desired = session is not null && rule.Enabled && rule.InScope(session.Labels) && Holds(rule, session, now, out value, out message);
            if (!desired && !anyAlert)
            {
                continue; // nothing open anywhere: nothing to resolve, and no closure allocated per rule and event
            }

            var reason = !rule.Enabled ? "rule_disabled" : session is null ? "session_terminated" : "cleared";
            Reconcile(rule.Id, id, desired, () => NewAlert(rule, id, session!, value, message!), reason);
        }
    }

    /// <summary>Rebuilds the active counts of the active_count rules from the sessions (after a rule change or a resync).</summary>
    private void RecountActive()
    {
        _activeCounts = new int[_rules.Count];
        foreach (var s in _sessions.Values)
        {
            CountActive(null, s);
        }

        _countsChanged = true;
    }

    /// <summary>Moves one session's contribution to the active counts from <paramref name="before"/> to <paramref name="after"/> (null: not active).</summary>
    private void CountActive(Session? before, Session? after)
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
                _activeCounts[i] += delta;
                _countsChanged = true;
            }
        }
    }

    private void EvaluateFleet()
    {
        for (var i = 0; i < _rules.Count; i++)
        {
            var rule = _rules[i];
            if (rule.Condition != AlertCondition.ActiveCount)
            {
                continue;
            }

            var count = rule.Enabled ? _activeCounts[i] : 0;
            var desired = rule.Enabled && count >= rule.Threshold;
            Reconcile(rule.Id, Alert.FleetSubject, desired,
                () => NewAlert(rule, Alert.FleetSubject, null, count, $"{count} active sessions in {Scope(rule)} (threshold {Format(rule.Threshold)})."),
                rule.Enabled ? "cleared" : "rule_disabled");
        }
    }

    private static string Scope(AlertRule rule) =>
        rule.Labels.Count == 0 ? "the fleet" : "sessions with " + string.Join(", ", rule.Labels.Select(kv => $"{kv.Key}={kv.Value}"));

    /// <summary>Queues the write that makes the open alert of (rule, subject) match <paramref name="desired"/>, unless one is settling.</summary>
    private void Reconcile(string ruleId, string subject, bool desired, Func<Alert> raise, string resolveReason)
    {
        var key = (ruleId, subject);
        if (_settling.ContainsKey(key) || desired == _open.ContainsKey(key))
        {
            return;
        }

        // A rule's action rides on the raise: the store issues the command with the alert, once per alert (docs/commands.md).
        _queued.Add(desired ? new RaiseAlert(raise()) { Action = ActionOf(ruleId) } : new ResolveAlert(ruleId, subject, resolveReason));
        _settling[key] = long.MaxValue;
    }

    private Commands.CommandAction? ActionOf(string ruleId)
    {
        foreach (var rule in _rules)
        {
            if (rule.Id == ruleId)
            {
                return rule.Action;
            }
        }

        return null;
    }

    private bool Holds(AlertRule rule, Session s, DateTimeOffset now, out decimal? value, out string? message)
    {
        value = null;
        message = null;
        switch (rule.Condition)
        {
            case AlertCondition.SessionError when s.State == SessionState.Error:
                message = $"Session '{s.Id}' is in error" + (s.ErrorMessage is { } why ? $": {Clip(why)}" : ".");
                return true;
            case AlertCondition.LeaseExpired when s.State == SessionState.Error && s.ErrorMessage == SessionWriteProcessor.LeaseExpiredReason:
                message = $"Session '{s.Id}' stopped renewing its lease; it was moved to error.";
                return true;
            case AlertCondition.Stalled when s.State == SessionState.Working && now - s.UpdatedAt >= TimeSpan.FromSeconds(rule.Seconds!.Value):
                value = (decimal)Math.Floor((now - s.UpdatedAt).TotalSeconds);
                message = $"Session '{s.Id}' has been working with no change for {value} s (limit {rule.Seconds} s).";
                return true;
            case AlertCondition.Waiting when s.State == SessionState.Waiting && WaitingSince(s) is var since && now - since >= TimeSpan.FromSeconds(rule.Seconds!.Value):
                value = (decimal)Math.Floor((now - since).TotalSeconds);
                message = $"Session '{s.Id}' has been waiting for a person for {value} s (limit {rule.Seconds} s).";
                return true;
            case AlertCondition.SessionCost when rule.IsSubtree && s.Subtree.CostUsd >= rule.Threshold:
                value = s.Subtree.CostUsd;
                message = $"The subtree of session '{s.Id}' ({s.Subtree.Sessions} sessions) has cost {Format(s.Subtree.CostUsd)} USD (threshold {Format(rule.Threshold)}).";
                return true;
            case AlertCondition.SessionTokens when rule.IsSubtree && s.Subtree.TotalTokens >= rule.Threshold:
                value = s.Subtree.TotalTokens;
                message = $"The subtree of session '{s.Id}' ({s.Subtree.Sessions} sessions) has used {s.Subtree.TotalTokens} tokens (threshold {Format(rule.Threshold)}).";
                return true;
            case AlertCondition.SessionCost when !rule.IsSubtree && s.CostUsd >= rule.Threshold:
                value = s.CostUsd;
                message = $"Session '{s.Id}' has cost {Format(s.CostUsd)} USD (threshold {Format(rule.Threshold)}).";
                return true;
            case AlertCondition.SessionTokens when !rule.IsSubtree && s.TotalTokens >= rule.Threshold:
                value = s.TotalTokens;
                message = $"Session '{s.Id}' has used {s.TotalTokens} tokens (threshold {Format(rule.Threshold)}).";
                return true;
            default:
                return false;
        }
    }

    private static Alert NewAlert(AlertRule rule, string subject, Session? session, decimal? value, string message) => new()
    {
        Id = Alert.NewId(),
        RuleId = rule.Id,
        RuleName = rule.Name,
        Condition = rule.Condition,
        Severity = rule.Severity,
        Subject = subject,
        SessionId = session?.Id,
        Labels = session?.Labels,
        Message = message,
        Value = value,
    };

    private static string Format(decimal? value) => value is { } v ? Json.Decimals.Normalize(v).ToString(CultureInfo.InvariantCulture) : "";

    private static string Clip(string text) => text.Length > 200 ? text[..200] + "…" : text;
}
