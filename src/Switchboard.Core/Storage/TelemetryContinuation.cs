using System.Security.Cryptography;
using System.Text;
using Switchboard.Core.Hosting;
using Switchboard.Core.Sessions;
using Switchboard.Core.Writes;

namespace Switchboard.Core.Storage;

/// <summary>
/// Telemetry for a session that has ended (by quiet, or by a client) is never dropped: <c>terminated</c> stays final, so
/// the agent continues in a new session whose id derives from the same source id and which names the ended one
/// (<see cref="Session.Continues"/>). Ids from telemetry are <c>otel:{kind}:{rest}</c> (<c>s</c>ession, <c>c</c>onversation,
/// <c>t</c>race); the n-th continuation is <c>otel:{kind}{n}:{rest}</c>, which no source id maps to (theirs all start with
/// <c>otel:{kind}:</c>), so a continuation never lands in another agent's session. Every node derives the same ids, so a
/// write finds the live continuation by reading the chain's ids in one statement, whichever node continued it. A key
/// scoped by labels reaches the chain only through an ended session inside its scope (the unit of work decides that
/// first), and a continuation keeps every label of the session it continues, so its scope is exactly that session's.
/// </summary>
internal static class TelemetryContinuation
{
    /// <summary>The prefix of every id telemetry and hooks make, and so of every continuation: reserved to the server (no client creates such an id).</summary>
    public const string Prefix = "otel:";

    /// <summary>The ids the sessions ended among <paramref name="writes"/>' telemetry targets may continue in, in chain order.</summary>
    public static IReadOnlyCollection<string> Candidates(IReadOnlyList<SessionWrite> writes, IReadOnlyDictionary<string, Session?> sessions)
    {
        HashSet<string>? ids = null;
        foreach (var write in writes)
        {
            if (write is ApplyTelemetry t && Ended(t, sessions))
            {
                (ids ??= new(StringComparer.Ordinal)).UnionWith(Chain(t.SessionId));
            }
            else if (write is ApplyHook h && Ended(h, sessions))
            {
                (ids ??= new(StringComparer.Ordinal)).UnionWith(Chain(h.SessionId));
            }
        }

        return (IReadOnlyCollection<string>?)ids ?? [];
    }

    /// <summary>
    /// <paramref name="writes"/> with each telemetry write for an ended session moved to the first of its chain that is
    /// active or does not exist yet (then created, continuing the last ended one), as <paramref name="sessions"/> holds
    /// them (its targets and every <see cref="Candidates"/> id, null where none exists).
    /// </summary>
    public static IReadOnlyList<SessionWrite> Redirect(IReadOnlyList<SessionWrite> writes, IReadOnlyDictionary<string, Session?> sessions)
    {
        var redirected = new SessionWrite[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            redirected[i] = writes[i] switch
            {
                ApplyTelemetry t when Ended(t, sessions) => Continue(t, sessions[t.SessionId]!, sessions),
                ApplyHook h when Ended(h, sessions) => Continue(h, sessions[h.SessionId]!, sessions),
                var w => w,
            };
        }

        return redirected;
    }

    /// <summary>The id of the continuation after <paramref name="id"/>; null when the id is not one telemetry makes.</summary>
    public static string? Next(string id)
    {
        if (!id.StartsWith(Prefix, StringComparison.Ordinal) || id.Length < Prefix.Length + 2 || !char.IsAsciiLetterLower(id[Prefix.Length]))
        {
            return null;
        }

        var kind = id[Prefix.Length];
        var colon = id.IndexOf(':', Prefix.Length + 1);
        var digits = id.AsSpan(Prefix.Length + 1, colon < 0 ? 0 : colon - Prefix.Length - 1);
        if (colon < 0 || (digits.Length > 0 && !int.TryParse(digits, out _)))
        {
            return null;
        }

        var n = digits.Length == 0 ? 1 : int.Parse(digits);
        var rest = id[(colon + 1)..];
        var next = $"{Prefix}{kind}{n + 1}:{rest}";
        if (SessionId.IsValid(next))
        {
            return next;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(rest), hash);
        return $"{Prefix}{kind}{n + 1}:h:{Convert.ToHexStringLower(hash[..16])}";
    }

    private static bool Ended(ApplyTelemetry t, IReadOnlyDictionary<string, Session?> sessions) =>
        t.Continues is null && sessions.GetValueOrDefault(t.SessionId) is { State: SessionState.Terminated };

    /// <summary>
    /// A hook event of an agent whose session ended (Claude Code's <c>--resume</c> after <c>SessionEnd</c>): continued like
    /// its telemetry. Only an event that says the agent goes on starts a continuation; an end or a mere sign of life reaches
    /// a live one only. A sub-agent's event is not moved (its parent's chain decides where it belongs).
    /// </summary>
    private static bool Ended(ApplyHook h, IReadOnlyDictionary<string, Session?> sessions) =>
        h.Continues is null && h.ParentId is null && sessions.GetValueOrDefault(h.SessionId) is { State: SessionState.Terminated };

    private static SessionWrite Continue(ApplyHook h, Session ended, IReadOnlyDictionary<string, Session?> sessions)
    {
        var last = ended;
        foreach (var id in Chain(h.SessionId))
        {
            if (sessions.GetValueOrDefault(id) is not { } session)
            {
                if (h.Signal is HookSignal.End or HookSignal.Heard)
                {
                    return h; // nothing goes on: dropped as an event of an ended session
                }

                return h with { SessionId = id, Continues = last.Id, Name = h.Name ?? last.Name, Labels = Kept(last, h.Labels), UsageFrom = last.UsageFrom };
            }

            if (session.State != SessionState.Terminated)
            {
                return h with { SessionId = id };
            }

            last = session;
        }

        return h; // every continuation ended too: dropped as before
    }

    private static IEnumerable<string> Chain(string id)
    {
        var next = Next(id);
        for (var i = 0; i < SwitchboardDefaults.MaxContinuations && next is not null; i++)
        {
            yield return next;
            next = Next(next);
        }
    }

    private static SessionWrite Continue(ApplyTelemetry t, Session ended, IReadOnlyDictionary<string, Session?> sessions)
    {
        var last = ended;
        foreach (var id in Chain(t.SessionId))
        {
            if (sessions.GetValueOrDefault(id) is not { } session)
            {
                return t with { SessionId = id, Continues = last.Id, Name = t.Name ?? last.Name, Labels = Kept(last, t.Labels), UsageFrom = last.UsageFrom };
            }

            if (session.State != SessionState.Terminated)
            {
                return t with { SessionId = id };
            }

            last = session;
        }

        return t; // every continuation ended too: dropped as telemetry for an ended session (counted by the receiver)
    }

    /// <summary>
    /// A continuation's labels: every label of the session it continues, as it was, so every key and token that saw that
    /// session sees this one (its scope stays exactly the same; the dashboard's filters show the agent again), and the
    /// write's other labels after them, within the labels' limit.
    /// </summary>
    private static Dictionary<string, string> Kept(Session ended, IReadOnlyDictionary<string, string> written)
    {
        var labels = new Dictionary<string, string>(ended.Labels, StringComparer.Ordinal);
        foreach (var (k, v) in written)
        {
            if (labels.Count < SessionLimits.MaxLabels)
            {
                labels.TryAdd(k, v);
            }
        }

        return labels;
    }
}
