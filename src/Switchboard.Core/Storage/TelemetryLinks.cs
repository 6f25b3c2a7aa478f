using Switchboard.Core.Hosting;
using Switchboard.Core.Writes;

namespace Switchboard.Core.Storage;

/// <summary>
/// Agent trees from spans (<see cref="SpanLinks"/>), decided once for every store inside its write transaction
/// (<see cref="UnitOfWork"/>):
/// <list type="number">
/// <item>each span that may start an agent is recorded with its session (a span owner), and takes the sessions waiting
/// for it (<see cref="Spans"/>);</item>
/// <item>each parent span from outside a request is looked up among the span owners by its key, one lookup whatever the
/// span's timestamps say: found, its session is the parent; not found, the session waits for it (<see cref="Waits"/>);</item>
/// <item>every link found becomes an <see cref="AdoptSession"/> appended to the batch (<see cref="WithAdoptions"/>), which
/// places a root under its parent once (<c>WriteBatch.ApplyAdopt</c>).</item>
/// </list>
/// Writers hold the store's write lock (SQLite's single writer, PostgreSQL's log row) throughout, so a span and a session
/// waiting for it never miss each other, whichever node gets which. Owners and waits are kept as long as the dedupe keys
/// (<see cref="TelemetryDedupe.Window"/>) and purged with them; both are facts, so an exporter's retry only records them
/// again. Only spans that may start an agent are recorded, at most one row per span of a request.
/// </summary>
internal static class TelemetryLinks
{
    /// <summary>The spans of the batch that may start an agent, each with its session; distinct.</summary>
    public static IReadOnlyList<(string Span, string Session)> Spans(IReadOnlyList<SessionWrite> writes)
    {
        List<(string, string)>? spans = null;
        HashSet<string>? seen = null;
        foreach (var write in writes)
        {
            if (write is ApplyTelemetry { Links.Spans.Count: > 0 } t)
            {
                foreach (var span in t.Links.Spans)
                {
                    if ((seen ??= new HashSet<string>(StringComparer.Ordinal)).Add(span))
                    {
                        (spans ??= []).Add((span, t.SessionId));
                    }
                }
            }
        }

        return (IReadOnlyList<(string, string)>?)spans ?? [];
    }

    /// <summary>
    /// The parent spans sessions of the batch wait for, each with the waiting session; distinct, and not
    /// <paramref name="known"/> already.
    /// </summary>
    public static IReadOnlyList<(string Parent, string Child)> Waits(IReadOnlyList<SessionWrite> writes, SpanLinkCache known)
    {
        List<(string, string)>? waits = null;
        HashSet<(string, string)>? seen = null;
        foreach (var write in writes)
        {
            if (write is ApplyTelemetry { Links.Parents.Count: > 0 } t)
            {
                foreach (var parent in t.Links.Parents)
                {
                    if (!known.Known(parent, t.SessionId) && (seen ??= []).Add((parent, t.SessionId)))
                    {
                        (waits ??= []).Add((parent, t.SessionId));
                    }
                }
            }
        }

        return (IReadOnlyList<(string, string)>?)waits ?? [];
    }

    /// <summary>
    /// <paramref name="writes"/> followed by one <see cref="AdoptSession"/> per child that <paramref name="found"/> (links
    /// the store found) or the request itself (<see cref="SpanLinks.ParentSessions"/>) gives a parent; the first link of a
    /// child wins. A child's own telemetry write is also given the parent found for it, so a child that is new starts
    /// under its parent (one event) and the adoption then finds it placed. The same list when there is none.
    /// </summary>
    public static IReadOnlyList<SessionWrite> WithAdoptions(IReadOnlyList<SessionWrite> writes, IReadOnlyList<(string Child, string Parent)> found)
    {
        if (found.Count > 0)
        {
            var parents = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (child, parent) in found)
            {
                if (child != parent)
                {
                    parents.TryAdd(child, parent);
                }
            }

            var given = writes.ToArray();
            for (var i = 0; i < given.Length; i++)
            {
                if (given[i] is ApplyTelemetry { Links.ParentSessions.Count: 0 } t && parents.TryGetValue(t.SessionId, out var parent))
                {
                    given[i] = t with { Links = t.Links with { ParentSessions = [parent] } };
                }
            }

            writes = given;
        }

        List<SessionWrite>? adoptions = null;
        HashSet<string>? placed = null;
        var maxDepth = SwitchboardDefaults.MaxTreeDepth;
        // A scoped key's telemetry links only sessions its scope sees: the adoption carries the scope of the write that
        // brought the link (the child's, else the parent's), and both sessions must carry it (WriteBatch.ApplyAdopt).
        var scopes = writes.OfType<ApplyTelemetry>().Where(t => t.Scope is not null).GroupBy(t => t.SessionId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Scope, StringComparer.Ordinal);
        void Add(string child, string parent)
        {
            if (child != parent && (placed ??= new HashSet<string>(StringComparer.Ordinal)).Add(child))
            {
                (adoptions ??= []).Add(new AdoptSession(child, parent)
                {
                    MaxTreeDepth = maxDepth,
                    Scope = scopes.GetValueOrDefault(child) ?? scopes.GetValueOrDefault(parent),
                });
            }
        }

        foreach (var write in writes)
        {
            if (write is ApplyTelemetry t)
            {
                maxDepth = t.MaxTreeDepth;
                foreach (var parent in t.Links.ParentSessions)
                {
                    Add(t.SessionId, parent);
                }
            }
        }

        foreach (var (child, parent) in found)
        {
            Add(child, parent);
        }

        return adoptions is null ? writes : [.. writes, .. adoptions];
    }
}
