using Switchboard.Core.Events;
using Switchboard.Core.Sessions;
using Switchboard.Core.UsageRollups;
using Switchboard.Core.Writes;

namespace Switchboard.Core.Storage;

/// <summary>
/// What one applied batch writes, as typed row operations in the one order every store writes them, built once from
/// the unit of work's result: session rows, ancestors' subtree totals (in id order), moved sessions' tree places, the
/// events, the per-label active counts, the usage rollup rows (in key order, so no two transactions lock them in
/// opposite orders), and the log row whenever the head moved. A store executes it (<see cref="WriteTo"/>) and decides
/// nothing about it: which statement runs for a row, and whether the rows go in one round trip, are its own.
/// </summary>
internal sealed class PersistPlan
{
    private PersistPlan(WriteBatch batch, UsageRollup? rollup)
    {
        Sessions = [.. batch.Dirty];
        Subtrees = [.. batch.SubtreeDirty];
        Moves = [.. batch.Moved];
        Events = batch.Events;
        ActiveCounts = rollup is null ? [] : [.. rollup.Active];
        Rollups = rollup is null ? [] : InKeyOrder(rollup.Rows);
        Head = batch.Head;
        HeadMoved = batch.Head != batch.StartHead;
    }

    /// <summary>Rollup rows by bucket, group key, start and group value: the order every commit upserts them in.</summary>
    private static KeyValuePair<UsageKey, UsageCounters>[] InKeyOrder(Dictionary<UsageKey, UsageCounters> rows)
    {
        var sorted = rows.ToArray();
        Array.Sort(sorted, static (a, b) =>
        {
            var (x, y) = (a.Key, b.Key);
            var order = ((int)x.Bucket).CompareTo((int)y.Bucket);
            order = order != 0 ? order : string.CompareOrdinal(x.GroupKey, y.GroupKey);
            order = order != 0 ? order : x.Start.CompareTo(y.Start);
            return order != 0 ? order : string.CompareOrdinal(x.GroupValue, y.GroupValue);
        });
        return sorted;
    }

    /// <summary>The plan of <paramref name="batch"/> and its usage <paramref name="rollup"/> (null: usage off or nothing to roll up).</summary>
    public static PersistPlan Of(WriteBatch batch, UsageRollup? rollup) => new(batch, rollup);

    /// <summary>Session rows, each its final version, with whether it is new (inserted) or replaced.</summary>
    public IReadOnlyList<(Session Session, bool IsNew)> Sessions { get; }

    /// <summary>Ancestors whose only change is their <c>subtree</c> totals, in id order.</summary>
    public IReadOnlyList<Session> Subtrees { get; }

    /// <summary>Sessions an adoption moved: their parent, root, depth and path.</summary>
    public IReadOnlyList<Session> Moves { get; }

    /// <summary>The events appended, in seq order.</summary>
    public IReadOnlyList<EventRecord> Events { get; }

    /// <summary>The active-session count of each label value the batch changed (set, not added to).</summary>
    public IReadOnlyList<KeyValuePair<(string Key, string Value), long>> ActiveCounts { get; }

    /// <summary>What the batch adds to each usage rollup row (sums add, the peak takes the larger), in key order.</summary>
    public IReadOnlyList<KeyValuePair<UsageKey, UsageCounters>> Rollups { get; }

    /// <summary>The log head after the batch.</summary>
    public LogHead Head { get; }

    /// <summary>True when the head moved, and the log row is written.</summary>
    public bool HeadMoved { get; }

    /// <summary>True when there is no row to write.</summary>
    public bool IsEmpty => Sessions.Count == 0 && Subtrees.Count == 0 && Moves.Count == 0 && Events.Count == 0 && ActiveCounts.Count == 0
        && Rollups.Count == 0 && !HeadMoved;

    /// <summary>Hands every row operation to <paramref name="rows"/>, in the plan's order.</summary>
    public void WriteTo(IPersistRows rows)
    {
        foreach (var (session, isNew) in Sessions)
        {
            rows.WriteSession(session, isNew);
        }

        foreach (var session in Subtrees)
        {
            rows.WriteSubtree(session);
        }

        foreach (var session in Moves)
        {
            rows.MoveSession(session);
        }

        foreach (var e in Events)
        {
            rows.AppendEvent(e);
        }

        foreach (var ((key, value), count) in ActiveCounts)
        {
            rows.SetActiveCount(key, value, count);
        }

        foreach (var (key, delta) in Rollups)
        {
            rows.AddRollup(key, delta);
        }

        if (HeadMoved)
        {
            rows.WriteLog(Head);
        }
    }
}
