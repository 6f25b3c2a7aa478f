using System.Globalization;
using Switchboard.Writes;

namespace Switchboard.Storage;

/// <summary>
/// Agent trees from spans (<see cref="SpanLinks"/>), decided the same way by every store inside its write transaction:
/// <list type="number">
/// <item>each span that may start an agent takes the sessions waiting for it (<see cref="Spans"/>);</item>
/// <item>each parent span from outside a request is looked up among the dedupe keys, which hold every span's session
/// (<see cref="ProbeKeys"/>): found, its session is the parent; not found, the session waits for it (<see cref="Waits"/>);</item>
/// <item>every link found becomes an <see cref="AdoptSession"/> appended to the batch (<see cref="WithAdoptions"/>), which
/// places a root under its parent once (<c>WriteBatch.ApplyAdopt</c>).</item>
/// </list>
/// Writers hold the store's write lock (SQLite's single writer, PostgreSQL's log row) throughout, so a span and a session
/// waiting for it never miss each other, whichever node gets which. Waits are kept as long as the dedupe keys
/// (<see cref="TelemetryDedupe.Window"/>); both are facts, so an exporter's retry only records them again. A span that
/// came first is found by its dedupe key, which leads with its end second: the lookup tries each second from
/// <see cref="ProbeWindow"/> before its child started to when the child ended, so it costs no write per span.
/// </summary>
internal static class TelemetryLinks
{
    /// <summary>
    /// How long before its child started a parent span that came first may have ended and still be found (a tool that
    /// queued a background agent and returned). One that came first otherwise ended while its child ran.
    /// </summary>
    public static readonly TimeSpan ProbeWindow = TimeSpan.FromMinutes(2);

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
    /// The parent spans sessions of the batch wait for, each with the waiting session and its child span's earliest start;
    /// distinct, and not <paramref name="known"/> already.
    /// </summary>
    public static IReadOnlyList<(string Parent, string Child, SpanParent Span)> Waits(IReadOnlyList<SessionWrite> writes, SpanLinkCache known)
    {
        List<(string, string, SpanParent)>? waits = null;
        HashSet<(string, string)>? seen = null;
        foreach (var write in writes)
        {
            if (write is ApplyTelemetry { Links.Parents.Count: > 0 } t)
            {
                foreach (var parent in t.Links.Parents)
                {
                    if (!known.Known(parent.Span, t.SessionId) && (seen ??= []).Add((parent.Span, t.SessionId)))
                    {
                        (waits ??= []).Add((parent.Span, t.SessionId, parent));
                    }
                }
            }
        }

        return (IReadOnlyList<(string, string, SpanParent)>?)waits ?? [];
    }

    /// <summary>
    /// The dedupe keys <paramref name="parent"/>'s span has if it came before its child: it ended from
    /// <see cref="ProbeWindow"/> before the child started to when the child ended (and not after <paramref name="now"/>).
    /// Each is <c>t:{end second}{span key}</c>, the key <c>SpanMapping</c> gives a span.
    /// </summary>
    public static IEnumerable<string> ProbeKeys(SpanParent parent, DateTimeOffset now)
    {
        var last = Math.Min(parent.ChildEnded, now.ToUnixTimeSeconds());
        for (var second = Math.Max(0, parent.ChildStarted - (long)ProbeWindow.TotalSeconds); second <= last; second++)
        {
            yield return SpanKey(second, parent.Span);
        }
    }

    /// <summary>The characters of a span's dedupe key before its <see cref="SpanLinks.Key"/>.</summary>
    public const int SpanKeyPrefixLength = 18;

    /// <summary>A span's dedupe key: <c>t:</c>, its end second in 16 hex digits, then its <see cref="SpanLinks.Key"/>.</summary>
    public static string SpanKey(long endSecond, string span) =>
        "t:" + endSecond.ToString("x16", CultureInfo.InvariantCulture) + span;

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
        void Add(string child, string parent)
        {
            if (child != parent && (placed ??= new HashSet<string>(StringComparer.Ordinal)).Add(child))
            {
                (adoptions ??= []).Add(new AdoptSession(child, parent) { MaxTreeDepth = maxDepth });
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
