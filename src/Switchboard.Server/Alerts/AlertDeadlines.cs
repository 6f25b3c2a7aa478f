using Switchboard.Core.Alerts;
using Switchboard.Core.Sessions;

namespace Switchboard.Server.Alerts;

/// <summary>
/// The timed conditions (<c>stalled</c>, <c>waiting</c>): when each session entered <c>waiting</c>, and the one timer
/// armed for the earliest moment something could change. The timer only posts a tick; the rest runs on the evaluator's loop.
/// </summary>
internal sealed class AlertDeadlines(ITimer timer, TimeProvider time) : IAsyncDisposable
{
    // When each active session in `waiting` entered it. A session's updated_at moves on every change (metadata, usage),
    // so it cannot say how long a person has been waited for; the event that moved it there can.
    private readonly Dictionary<string, DateTimeOffset> _waitingSince = new(StringComparer.Ordinal);

    /// <summary>The moment the timer is armed for; <see cref="DateTimeOffset.MaxValue"/> when not armed.</summary>
    public DateTimeOffset ArmedFor { get; private set; } = DateTimeOffset.MaxValue;

    /// <summary>The armed moment came (a tick, or a pass that saw it pass): the next <see cref="Arm"/> starts from nothing.</summary>
    public void Passed() => ArmedFor = DateTimeOffset.MaxValue;

    /// <summary>Follows one session's entry into and exit from <c>waiting</c> as the live loop applied it (<paramref name="after"/> null: ended).</summary>
    public void TrackWaiting(string id, Session? before, Session? after)
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
    public void ResetWaiting(IEnumerable<Session> sessions)
    {
        _waitingSince.Clear();
        foreach (var s in sessions)
        {
            TrackWaiting(s.Id, null, s);
        }
    }

    public DateTimeOffset WaitingSince(Session s) => _waitingSince.TryGetValue(s.Id, out var since) ? since : s.UpdatedAt;

    /// <summary>
    /// Sets the timer to the next moment a timed rule could start to hold, or <paramref name="other"/> (a window drops, a
    /// retry is due) if earlier. An event only moves a session's deadline later (or ends it): a change restarts a working
    /// session's stalled clock, and a session that stays waiting keeps the moment it entered. So between full passes the
    /// armed moment stays a safe bound and only the sessions that changed are looked at; a deadline that passed brings a
    /// full pass.
    /// </summary>
    public void Arm(DateTimeOffset now, bool full, DateTimeOffset other, IReadOnlyList<AlertRule> rules, ObservedSessions sessions)
    {
        var next = full ? other : Min(other, ArmedFor);
        foreach (var rule in rules)
        {
            if (!rule.IsTimed || !rule.Enabled)
            {
                continue;
            }

            var limit = TimeSpan.FromSeconds(rule.Seconds!.Value);
            if (full)
            {
                foreach (var s in sessions.All)
                {
                    next = Earlier(next, s, rule, limit, now);
                }
            }
            else
            {
                foreach (var id in sessions.Changed)
                {
                    if (sessions.Get(id) is { } s)
                    {
                        next = Earlier(next, s, rule, limit, now);
                    }
                }
            }
        }

        if (next == ArmedFor)
        {
            return;
        }

        ArmedFor = next;

        // Due at the moment itself, counted from the clock as it reads now, not from the pass's start: time that passed
        // during the pass (or a test's clock moved meanwhile) would otherwise put the timer that much past its moment.
        timer.Change(next == DateTimeOffset.MaxValue ? Timeout.InfiniteTimeSpan : Max(next - time.GetUtcNow(), TimeSpan.Zero), Timeout.InfiniteTimeSpan);
    }

    public ValueTask DisposeAsync() => timer.DisposeAsync();

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

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
