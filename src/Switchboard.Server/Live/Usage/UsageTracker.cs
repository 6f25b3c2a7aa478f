using Switchboard.Core.Events;
using Switchboard.Core.Sessions;
using Switchboard.Core.UsageRollups;

namespace Switchboard.Server.Live.Usage;

/// <summary>
/// Turns each applied event into rollup increments, as the store's write transaction did for it
/// (<see cref="UsageRollup"/>, with the session before and after the event and the active counts after it). It runs only
/// while someone follows the <c>usage</c> topic: it starts from the active sessions at that moment and keeps the
/// per-label active counts (for the peak) from there. Owned by the live loop.
/// </summary>
internal sealed class UsageTracker(IReadOnlyList<string> groupBy)
{
    private readonly Dictionary<(string Key, string Value), long> _active = [];

    public bool IsTracking { get; private set; }

    /// <summary>Starts counting from the sessions active now (before the next event is applied).</summary>
    public void Start(IEnumerable<Session> active)
    {
        _active.Clear();
        foreach (var session in active)
        {
            foreach (var key in groupBy)
            {
                if (session.Labels.TryGetValue(key, out var value))
                {
                    _active[(key, value)] = _active.GetValueOrDefault((key, value)) + 1;
                }
            }
        }

        IsTracking = true;
    }

    public void Stop()
    {
        _active.Clear();
        IsTracking = false;
    }

    /// <summary>The increments of one event (empty for events that are not about a session).</summary>
    public Dictionary<UsageKey, UsageCounters> Rollup(EventRecord e, Session? before, Session? after, long activeAfter)
    {
        if (e.SessionId is null || (before ?? after) is null)
        {
            return [];
        }

        UsageChange[] change = [new UsageChange(e, before, after, activeAfter)];
        var active = new Dictionary<(string Key, string Value), long>();
        foreach (var pair in UsageRollup.ActiveKeys(change, groupBy))
        {
            active[pair] = _active.GetValueOrDefault(pair);
        }

        var rollup = UsageRollup.Compute(change, groupBy, active);
        foreach (var (pair, count) in rollup.Active)
        {
            if (count == 0)
            {
                _active.Remove(pair);
            }
            else
            {
                _active[pair] = count;
            }
        }

        return rollup.Rows;
    }
}
