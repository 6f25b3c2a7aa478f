using Switchboard.Core.Writes;

namespace Switchboard.Core.Storage;

/// <summary>The last point a store keeps of a cumulative metric stream: its start, its end and its running total.</summary>
internal readonly record struct StreamState(ulong Start, ulong End, decimal Total);

/// <summary>
/// Cumulative metric temporality: a point says the stream's total since its start, so the usage it adds is the
/// difference to the stream's previous point. A stream that starts again (a new start time, or a total below the last
/// one: the exporter restarted) counts its total from zero. A point no later than the last one (out of order, or a
/// retry the dedupe key did not catch) adds nothing; so does one that did not grow, which then says nothing at all and
/// is dropped (a quiet agent's exporter keeps sending the same totals). The store keeps each stream's last point in the
/// write transaction, so this holds across restarts and nodes; states of streams quiet for <see cref="TelemetryDedupe.Window"/>
/// are purged with the dedupe keys.
/// </summary>
internal static class MetricSeries
{
    /// <summary>The streams the batch's cumulative points belong to (and their previous ids); empty (without allocating) when it has none.</summary>
    public static IReadOnlyList<string> Ids(IReadOnlyList<SessionWrite> writes)
    {
        HashSet<string>? ids = null;
        foreach (var write in writes)
        {
            if (write is ApplyTelemetry t)
            {
                foreach (var o in t.Observations)
                {
                    if (o.Cumulative is { } point)
                    {
                        (ids ??= new HashSet<string>(StringComparer.Ordinal)).Add(point.Stream);
                        if (point.Previous is { } previous)
                        {
                            ids.Add(previous);
                        }
                    }
                }
            }
        }

        return ids is null ? [] : [.. ids];
    }

    /// <summary>
    /// Replaces each cumulative point by the usage it adds, given the streams' states before the batch
    /// (<paramref name="before"/>), and returns the states to store after it (only those that changed).
    /// </summary>
    public static (IReadOnlyList<SessionWrite> Writes, IReadOnlyDictionary<string, StreamState> After) Resolve(
        IReadOnlyList<SessionWrite> writes, IReadOnlyDictionary<string, StreamState> before)
    {
        var states = new Dictionary<string, StreamState>(before, StringComparer.Ordinal);
        var changed = new Dictionary<string, StreamState>(StringComparer.Ordinal);
        var result = new SessionWrite[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            if (writes[i] is not ApplyTelemetry t || !t.Observations.Any(o => o.Cumulative is not null))
            {
                result[i] = writes[i];
                continue;
            }

            var kept = new List<TelemetryObservation>(t.Observations.Count);
            // A stream's points in the order they were taken, so each is measured against the one before it.
            foreach (var o in t.Observations.OrderBy(o => o.Cumulative?.End ?? 0))
            {
                if (o.Cumulative is not { } point)
                {
                    kept.Add(o);
                    continue;
                }

                var added = Added(states.TryGetValue(point.Stream, out var last) || (point.Previous is { } p && states.TryGetValue(p, out last)) ? last : null, point);
                if (added is null)
                {
                    continue; // stale: its stream has moved past it
                }

                states[point.Stream] = changed[point.Stream] = new StreamState(point.Start, point.End, point.Total);
                if (added.Value > 0)
                {
                    kept.Add(Increment(o, point.Slot, added.Value));
                }
            }

            result[i] = t with { Observations = kept };
        }

        return (result, changed);
    }

    /// <summary>What a point adds to its stream's last state; null when it is no later than that state.</summary>
    private static decimal? Added(StreamState? last, CumulativePoint point)
    {
        if (last is not { } s || s.Start != point.Start)
        {
            return point.Total; // the stream's first point, or it started again
        }

        if (point.End <= s.End)
        {
            return null;
        }

        return point.Total >= s.Total ? point.Total - s.Total : point.Total; // below the last total: a reset
    }

    private static TelemetryObservation Increment(TelemetryObservation o, UsageSlot slot, decimal added) => o with
    {
        Cumulative = null,
        InputTokens = slot == UsageSlot.Input ? (long)decimal.Round(added) : 0,
        OutputTokens = slot == UsageSlot.Output ? (long)decimal.Round(added) : 0,
        CostUsd = slot == UsageSlot.Cost ? added : 0,
        Usage = slot == UsageSlot.None ? UsageSource.None : UsageSource.Metrics,
    };
}
