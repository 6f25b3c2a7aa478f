using Switchboard.Core.Events;
using Switchboard.Core.Sessions;

namespace Switchboard.Core.UsageRollups;

/// <summary>One session event with the session before and after it, and the fleet's active count after it.</summary>
internal readonly record struct UsageChange(EventRecord Event, Session? Before, Session? After, long ActiveAfter);

/// <summary>
/// Turns session events into rollup deltas. Pure: the stores run it inside the write transaction over the batch's events,
/// and a test runs it over the event log to check the stored rollups.
/// Every delta goes to the buckets of the event's <c>at</c>:
/// tokens and cost are the session's increase; created, terminated and errored count the event that did it; busy time
/// is the time since the session's previous change while it was <c>working</c>; peak active is the group's active count
/// after the event (the largest one wins).
/// </summary>
internal sealed class UsageRollup
{
    private readonly IReadOnlyList<string> _groupBy;
    private readonly Dictionary<(string Key, string Value), long> _active;

    private UsageRollup(IReadOnlyList<string> groupBy, Dictionary<(string, string), long> active)
    {
        _groupBy = groupBy;
        _active = active;
    }

    /// <summary>The deltas per rollup row.</summary>
    public Dictionary<UsageKey, UsageCounters> Rows { get; } = [];

    /// <summary>The active count of every label value the changes touched, after them (for the store to write back).</summary>
    public IReadOnlyDictionary<(string Key, string Value), long> Active => _active;

    /// <summary>The (label key, value) pairs whose active counts <see cref="Compute"/> needs.</summary>
    public static HashSet<(string Key, string Value)> ActiveKeys(IEnumerable<UsageChange> changes, IReadOnlyList<string> groupBy)
    {
        var keys = new HashSet<(string, string)>();
        foreach (var c in changes)
        {
            foreach (var key in groupBy)
            {
                if (c.Before?.Labels.TryGetValue(key, out var b) == true)
                {
                    keys.Add((key, b));
                }

                if (c.After?.Labels.TryGetValue(key, out var a) == true)
                {
                    keys.Add((key, a));
                }
            }
        }

        return keys;
    }

    /// <summary>
    /// Rolls up <paramref name="changes"/> (in seq order). <paramref name="active"/> holds the active count of each pair
    /// from <see cref="ActiveKeys"/> before the changes (missing means 0).
    /// </summary>
    public static UsageRollup Compute(IEnumerable<UsageChange> changes, IReadOnlyList<string> groupBy, IReadOnlyDictionary<(string Key, string Value), long> active)
    {
        var rollup = new UsageRollup(groupBy, new Dictionary<(string, string), long>(active));
        foreach (var change in changes)
        {
            rollup.Add(change);
        }

        return rollup;
    }

    private void Add(UsageChange change)
    {
        var (e, before, after, activeAfter) = change;
        var session = after ?? before;
        if (session is null)
        {
            return;
        }

        var delta = new UsageCounters
        {
            InputTokens = (after?.InputTokens ?? 0) - (before?.InputTokens ?? 0),
            OutputTokens = (after?.OutputTokens ?? 0) - (before?.OutputTokens ?? 0),
            CostUsd = (after?.CostUsd ?? 0) - (before?.CostUsd ?? 0),
            SessionsCreated = e.Type == EventTypes.SessionCreated ? 1 : 0,
            SessionsTerminated = e.Type == EventTypes.SessionTerminated ? 1 : 0,
            SessionsErrored = after?.State == SessionState.Error && before?.State != SessionState.Error ? 1 : 0,
            BusyMilliseconds = before?.State == SessionState.Working ? Math.Max(0, (long)(e.At - before.UpdatedAt).TotalMilliseconds) : 0,
        };

        Put(e.At, "", "", delta, activeAfter);
        foreach (var key in _groupBy)
        {
            var wasActive = before is { IsActive: true } && before.Labels.TryGetValue(key, out _);
            var isActive = after is { IsActive: true } && after.Labels.TryGetValue(key, out _);
            string? beforeValue = before is not null && before.Labels.TryGetValue(key, out var bv) ? bv : null;
            string? afterValue = after is not null && after.Labels.TryGetValue(key, out var av) ? av : null;
            if (wasActive)
            {
                _active[(key, beforeValue!)] = _active.GetValueOrDefault((key, beforeValue!)) - 1;
            }

            if (isActive)
            {
                _active[(key, afterValue!)] = _active.GetValueOrDefault((key, afterValue!)) + 1;
            }

            if (session.Labels.TryGetValue(key, out var value))
            {
                Put(e.At, key, value, delta, _active.GetValueOrDefault((key, value)));
            }
        }
    }

    private void Put(DateTimeOffset at, string key, string value, UsageCounters delta, long active)
    {
        foreach (var bucket in UsageBuckets.All)
        {
            var rowKey = new UsageKey(bucket, bucket.Start(at), key, value);
            if (!Rows.TryGetValue(rowKey, out var row))
            {
                Rows[rowKey] = row = new UsageCounters();
            }

            row.Add(delta with { PeakActive = active });
        }
    }
}
