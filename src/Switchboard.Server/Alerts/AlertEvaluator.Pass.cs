using Switchboard.Core.Events;
using Switchboard.Server.Live;

namespace Switchboard.Server.Alerts;

/// <summary>The evaluator's loop state: where it is in the log, each applied event handed to its parts, and the pass after a batch.</summary>
internal sealed partial class AlertEvaluator
{
    private long _position = -1;
    private bool _fullPass;

    private async Task ResyncAsync(string reason)
    {
        if (_position >= 0)
        {
            AlertLog.Resync(_logger, reason);
        }

        await LoadRulesAsync();
        var state = await _live.ObserveAsync(_feed).WaitAsync(_stopping.Token);
        _sessions.Reset(state.ActiveSessions);
        _deadlines.ResetWaiting(_sessions.All);
        _writes.Reset(state.OpenAlerts);
        _counts.Recount(_rules.Current, _sessions.All);
        _windows.Clear();
        await _windows.SyncAsync(_rules.Current, _stopping.Token);
        _position = state.HeadSeq;
        _fullPass = true;
        AlertLog.Started(_logger, _position, _rules.Current.Count, _sessions.Count, _writes.OpenCount);
    }

    private async Task LoadRulesAsync()
    {
        await _rules.LoadAsync(_stopping.Token);
        _counts.Recount(_rules.Current, _sessions.All);
    }

    /// <summary>One event the live loop applied, in seq order; events at or before the start position are already in the state.</summary>
    private void Apply(AppliedEvent applied)
    {
        if (applied.Event is not { } e || _position < 0 || e.Seq <= _position)
        {
            return;
        }

        _position = e.Seq;
        if (EventTypes.IsAlert(e.Type))
        {
            _writes.Apply(e);
            return;
        }

        if (e.SessionId is not { } id)
        {
            return;
        }

        var before = _sessions.Apply(id, applied, out var active);
        _windows.Count(e, before, applied.After ?? e.Session);
        _counts.Count(before, active);
        _deadlines.TrackWaiting(id, before, active);
    }

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
        if (now >= _writes.RetryAt || now >= _deadlines.ArmedFor)
        {
            _writes.ClearRetry();
            _deadlines.Passed();
            _fullPass = true;
        }

        var full = _fullPass;
        var changed = full || _sessions.Changed.Count > 0 || _counts.Changed || _windows.Changed;
        if (full)
        {
            _fullPass = false;
            _sessions.MarkAll();
            _writes.ReviewOpen(_rules, _sessions);
        }

        foreach (var id in _sessions.Changed)
        {
            EvaluateSession(id, now);
        }

        if (full || _counts.Changed)
        {
            _counts.Evaluate(_writes);
        }

        if (full || _windows.Changed)
        {
            _windows.Evaluate(_rules.Current, now, _writes);
        }

        _writes.Flush();
        if (changed)
        {
            _deadlines.Arm(now, full, Min(_writes.RetryAt, _windows.NextDeadline(now)), _rules.Current, _sessions);
        }

        _sessions.ClearChanged();
        _idle = _writes.IsIdle;
        Volatile.Write(ref _evaluated, _position);
    }

    private void EvaluateSession(string id, DateTimeOffset now)
    {
        var session = _sessions.Get(id);
        var waitingSince = session is null ? default : _deadlines.WaitingSince(session);
        var anyAlert = _writes.Any;
        foreach (var rule in _rules.Current)
        {
            if (!rule.IsPerSession)
            {
                continue;
            }

            decimal? value = null;
            string? message = null;
            var desired = session is not null && rule.Enabled && rule.InScope(session.Labels)
                && AlertConditions.Holds(rule, session, now, waitingSince, out value, out message);
            if (!desired && !anyAlert)
            {
                continue; // nothing open anywhere: nothing to resolve, and no closure allocated per rule and event
            }

            var reason = !rule.Enabled ? "rule_disabled" : session is null ? "session_terminated" : "cleared";
            _writes.Reconcile(rule.Id, id, desired, () => AlertConditions.NewAlert(rule, id, session!, value, message!), rule.Action, reason);
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
