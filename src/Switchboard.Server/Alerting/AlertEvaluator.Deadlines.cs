using Switchboard.Alerts;
using Switchboard.Sessions;

namespace Switchboard.Alerting;

/// <summary>The timed conditions (<c>stalled</c>, <c>waiting</c>): when each session's deadline falls, and the one timer armed for the earliest.</summary>
internal sealed partial class AlertEvaluator
{
    // Owned by the loop: when each active session in `waiting` entered it. A session's updated_at moves on every change
    // (metadata, usage), so it cannot say how long a person has been waited for; the event that moved it there can.
    private readonly Dictionary<string, DateTimeOffset> _waitingSince = new(StringComparer.Ordinal);

    /// <summary>Follows one session's entry into and exit from <c>waiting</c> as the live loop applied it (<paramref name="after"/> null: ended).</summary>
    private void TrackWaiting(string id, Session? before, Session? after)
    {
        if (after?.State != SessionState.Waiting)
        {
            _waitingSince.Remove(id);
        }
        else if (before?.State != SessionState.Waiting || !_waitingSince.ContainsKey(id))
        {
            _waitingSince[id] = after.UpdatedAt; // the time of the change that moved it to waiting
        }
    }

    /// <summary>
    /// After a resync the entry times are not in the state the evaluator starts from: a session already waiting counts
    /// from its last change, which is never earlier than its entry, so a waiting alert may come late but never early.
    /// </summary>
    private void ResetWaiting()
    {
        _waitingSince.Clear();
        foreach (var s in _sessions.Values)
        {
            TrackWaiting(s.Id, null, s);
        }
    }

    private DateTimeOffset WaitingSince(Session s) => _waitingSince.TryGetValue(s.Id, out var since) ? since : s.UpdatedAt;

    /// <summary>
    /// Sets the deadline timer to the next moment a timed rule could start to hold, a window drops or a retry is due.
    /// An event only moves a session's deadline later (or ends it): a change restarts a working session's stalled clock,
    /// and a session that stays waiting keeps the moment it entered. So between full passes the armed moment stays a safe
    /// bound and only the sessions that changed are looked at; a deadline that passed brings a full pass.
    /// </summary>
    private void Arm(DateTimeOffset now, bool full)
    {
        var next = Min(_retryAt, NextWindowDeadline(now));
        if (!full)
        {
            next = Min(next, _armedFor);
        }

        foreach (var rule in _rules)
        {
            if (!rule.IsTimed || !rule.Enabled)
            {
                continue;
            }

            var limit = TimeSpan.FromSeconds(rule.Seconds!.Value);
            if (full)
            {
                foreach (var s in _sessions.Values)
                {
                    next = Earlier(next, s, rule, limit, now);
                }
            }
            else
            {
                foreach (var id in _dirty)
                {
                    if (_sessions.TryGetValue(id, out var s))
                    {
                        next = Earlier(next, s, rule, limit, now);
                    }
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

    /// <summary>The earlier of <paramref name="next"/> and the future moment <paramref name="rule"/> would start to hold for <paramref name="s"/>.</summary>
    private DateTimeOffset Earlier(DateTimeOffset next, Session s, AlertRule rule, TimeSpan limit, DateTimeOffset now)
    {
        DateTimeOffset? start = rule.Condition switch
        {
            AlertCondition.Stalled when s.State == SessionState.Working => s.UpdatedAt,
            AlertCondition.Waiting when s.State == SessionState.Waiting => WaitingSince(s),
            _ => null,
        };
        return start is { } from && from + limit > now && from + limit < next && rule.InScope(s.Labels) ? from + limit : next;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
