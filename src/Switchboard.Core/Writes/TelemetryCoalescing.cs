namespace Switchboard.Core.Writes;

/// <summary>
/// Telemetry about one session that several OTLP requests brought to the same commit becomes one write, so one event:
/// a request already appends at most one event per session (<c>TelemetryBatch</c>), and under load a commit carries
/// many requests about the same agents. Applying the merged write is applying the requests' observations as one request
/// that held them all: the store still drops every observation whose key it has seen, resolves cumulative points in
/// order and takes the state of the latest observation. Only <see cref="ApplyTelemetry"/> is merged, and never across
/// another write that targets the same session, so every other write keeps its order.
/// </summary>
internal static class TelemetryCoalescing
{
    /// <summary>
    /// The writes with each session's telemetry merged into its first telemetry write, and for each write given the
    /// index of the write that carries it (<paramref name="slots"/>, as long as <paramref name="writes"/>). The same list
    /// (and each write its own slot) when nothing merges.
    /// </summary>
    public static IReadOnlyList<SessionWrite> Coalesce(IReadOnlyList<SessionWrite> writes, int[] slots)
    {
        Dictionary<string, int>? open = null; // session → its telemetry write still open to merging (an index in writes)
        Dictionary<int, List<ApplyTelemetry>>? parts = null; // such a write → the later writes merged into it
        var kept = 0;
        for (var i = 0; i < writes.Count; i++)
        {
            var write = writes[i];
            // Telemetry sent with keys of different scopes stays apart: each is checked against its own key's scope.
            if (write is ApplyTelemetry t && open is not null && open.TryGetValue(t.SessionId, out var into)
                && Switchboard.Core.Sessions.LabelScope.Same(t.Scope, writes[into].Scope))
            {
                parts ??= [];
                if (!parts.TryGetValue(into, out var later))
                {
                    parts[into] = later = [];
                }

                later.Add(t);
                slots[i] = slots[into];
                continue;
            }

            slots[i] = kept++;
            if (write is ApplyTelemetry telemetry)
            {
                (open ??= new Dictionary<string, int>(StringComparer.Ordinal))[telemetry.SessionId] = i;
            }
            else if (open is not null && SessionTransitions.TargetId(write) is { } other)
            {
                open.Remove(other); // telemetry after this write must apply after it
            }
        }

        if (parts is null)
        {
            return writes;
        }

        var merged = new SessionWrite[kept];
        for (var i = 0; i < writes.Count; i++)
        {
            if (slots[i] is var slot && merged[slot] is null)
            {
                merged[slot] = parts.TryGetValue(i, out var later) ? Merge((ApplyTelemetry)writes[i], later) : writes[i];
            }
        }

        return merged;
    }

    /// <summary>All the writes' observations and links; later labels win, as they would applied after.</summary>
    private static ApplyTelemetry Merge(ApplyTelemetry first, List<ApplyTelemetry> later)
    {
        var count = first.Observations.Count;
        var labels = first.Labels;
        Dictionary<string, string>? both = null;
        foreach (var t in later)
        {
            count += t.Observations.Count;
            foreach (var (k, v) in t.Labels)
            {
                if (!labels.TryGetValue(k, out var had) || had != v)
                {
                    both ??= new Dictionary<string, string>(first.Labels, StringComparer.Ordinal);
                    both[k] = v;
                    labels = both;
                }
            }
        }

        var observations = new List<TelemetryObservation>(count);
        observations.AddRange(first.Observations);
        var name = first.Name;
        var depth = first.MaxTreeDepth;
        foreach (var t in later)
        {
            observations.AddRange(t.Observations);
            name ??= t.Name;
            depth = Math.Min(depth, t.MaxTreeDepth);
        }

        return first with { Name = name, Labels = labels, Observations = observations, Links = MergeLinks(first, later), MaxTreeDepth = depth };
    }

    /// <summary>The links of all the writes, each span once.</summary>
    private static SpanLinks MergeLinks(ApplyTelemetry first, List<ApplyTelemetry> later)
    {
        if (later.TrueForAll(t => IsEmpty(t.Links)))
        {
            return first.Links;
        }

        var spans = Distinct(first.Links.Spans, later, l => l.Spans);
        var parents = Distinct(first.Links.Parents, later, l => l.Parents);
        var parentSessions = Distinct(first.Links.ParentSessions, later, l => l.ParentSessions);
        return new SpanLinks(spans, parents, parentSessions);
    }

    /// <summary>The first write's list, then each later one's items not seen yet: linear in the items, in their order.</summary>
    private static List<string> Distinct(IReadOnlyList<string> first, List<ApplyTelemetry> later, Func<SpanLinks, IReadOnlyList<string>> list)
    {
        var merged = new List<string>(first);
        var seen = new HashSet<string>(first, StringComparer.Ordinal);
        foreach (var t in later)
        {
            foreach (var item in list(t.Links))
            {
                if (seen.Add(item))
                {
                    merged.Add(item);
                }
            }
        }

        return merged;
    }

    private static bool IsEmpty(SpanLinks links) => links.Spans.Count == 0 && links.Parents.Count == 0 && links.ParentSessions.Count == 0;
}
