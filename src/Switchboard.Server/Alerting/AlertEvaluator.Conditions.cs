using System.Globalization;
using Switchboard.Alerts;
using Switchboard.Sessions;
using Switchboard.Writes;

namespace Switchboard.Alerting;

/// <summary>The conditions, and what to write so the open alerts match them.</summary>
internal sealed partial class AlertEvaluator
{
    /// <summary>After each batch of messages: evaluate what changed (everything after a tick or a rule change), write, re-arm.</summary>
    private void EvaluatePass()
    {
        if (_position < 0)
        {
            return;
        }

        var now = _time.GetUtcNow();
        if (now >= _retryAt)
        {
            _retryAt = DateTimeOffset.MaxValue;
            _fullPass = true;
        }

        var changed = _fullPass || _dirty.Count > 0 || _fleetDirty;
        if (_fullPass)
        {
            _fullPass = false;
            _fleetDirty = true;
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

        _dirty.Clear();
        if (_fleetDirty)
        {
            _fleetDirty = false;
            EvaluateFleet();
            EvaluateWindows(now);
        }

        Flush();
        if (changed)
        {
            Arm(now);
        }

        _idle = _settling.Count == 0 && _queued.Count == 0 && !_writing;
        Volatile.Write(ref _evaluated, _position);
    }

    private void EvaluateSession(string id, DateTimeOffset now)
    {
        _sessions.TryGetValue(id, out var session);
        foreach (var rule in _rules)
        {
            if (!rule.IsPerSession)
            {
                continue;
            }

            decimal? value = null;
            string? message = null;
            var desired = session is not null && rule.Enabled && rule.InScope(session.Labels) && Holds(rule, session, now, out value, out message);
            var reason = !rule.Enabled ? "rule_disabled" : session is null ? "session_terminated" : "cleared";
            Reconcile(rule.Id, id, desired, () => NewAlert(rule, id, session!, value, message!), reason);
        }
    }

    private void EvaluateFleet()
    {
        foreach (var rule in _rules)
        {
            if (rule.Condition != AlertCondition.ActiveCount)
            {
                continue;
            }

            var count = 0;
            if (rule.Enabled)
            {
                foreach (var s in _sessions.Values)
                {
                    if (rule.InScope(s.Labels))
                    {
                        count++;
                    }
                }
            }

            var desired = rule.Enabled && count >= rule.Threshold;
            var scope = rule.Labels.Count == 0 ? "the fleet" : "sessions with " + string.Join(", ", rule.Labels.Select(kv => $"{kv.Key}={kv.Value}"));
            Reconcile(rule.Id, Alert.FleetSubject, desired,
                () => NewAlert(rule, Alert.FleetSubject, null, count, $"{count} active sessions in {scope} (threshold {Format(rule.Threshold)})."),
                rule.Enabled ? "cleared" : "rule_disabled");
        }
    }

    /// <summary>Queues the write that makes the open alert of (rule, subject) match <paramref name="desired"/>, unless one is settling.</summary>
    private void Reconcile(string ruleId, string subject, bool desired, Func<Alert> raise, string resolveReason)
    {
        var key = (ruleId, subject);
        if (_settling.ContainsKey(key) || desired == _open.ContainsKey(key))
        {
            return;
        }

        _queued.Add(desired ? new RaiseAlert(raise()) : new ResolveAlert(ruleId, subject, resolveReason));
        _settling[key] = long.MaxValue;
    }

    private static bool Holds(AlertRule rule, Session s, DateTimeOffset now, out decimal? value, out string? message)
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
            case AlertCondition.SessionCost when s.CostUsd >= rule.Threshold:
                value = s.CostUsd;
                message = $"Session '{s.Id}' has cost {Format(s.CostUsd)} USD (threshold {Format(rule.Threshold)}).";
                return true;
            case AlertCondition.SessionTokens when s.TotalTokens >= rule.Threshold:
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

    /// <summary>Sets the deadline timer to the next moment a stalled rule could start to hold (or a retry is due).</summary>
    private void Arm(DateTimeOffset now)
    {
        var next = _retryAt;
        var window = NextWindowDeadline(now);
        if (window < next)
        {
            next = window;
        }

        foreach (var rule in _rules)
        {
            if (rule.Condition != AlertCondition.Stalled || !rule.Enabled)
            {
                continue;
            }

            var limit = TimeSpan.FromSeconds(rule.Seconds!.Value);
            foreach (var s in _sessions.Values)
            {
                if (s.State == SessionState.Working && s.UpdatedAt + limit > now && s.UpdatedAt + limit < next && rule.InScope(s.Labels))
                {
                    next = s.UpdatedAt + limit;
                }
            }
        }

        if (next == _armedFor)
        {
            return;
        }

        _armedFor = next;
        _deadlineTimer?.Change(next == DateTimeOffset.MaxValue ? Timeout.InfiniteTimeSpan : next - now, Timeout.InfiniteTimeSpan);
    }

    private static string Format(decimal? value) => value is { } v ? Json.Decimals.Normalize(v).ToString(CultureInfo.InvariantCulture) : "";

    private static string Clip(string text) => text.Length > 200 ? text[..200] + "…" : text;
}
