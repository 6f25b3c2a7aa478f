using System.Security.Cryptography;
using System.Text;
using Switchboard.Sessions;
using Switchboard.Writes;

namespace Switchboard.Storage;

/// <summary>
/// Telemetry for a session that has ended (by quiet, or by a client) is never dropped: <c>terminated</c> stays final, so
/// the agent continues in a new session whose id derives from the same source id and which names the ended one
/// (<see cref="Session.Continues"/>). Ids from telemetry are <c>otel:{kind}:{rest}</c> (<c>s</c>ession, <c>c</c>onversation,
/// <c>t</c>race); the n-th continuation is <c>otel:{kind}{n}:{rest}</c>, which no source id maps to (theirs all start with
/// <c>otel:{kind}:</c>), so a continuation never lands in another agent's session. Every node derives the same ids, so a
/// write finds the live continuation by reading the chain's ids in one statement, whichever node continued it.
/// </summary>
internal static class TelemetryContinuation
{
    private const string Prefix = "otel:";

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
    /// active (<paramref name="found"/>) or does not exist yet (then created, continuing the last ended one).
    /// </summary>
    public static IReadOnlyList<SessionWrite> Redirect(IReadOnlyList<SessionWrite> writes, IReadOnlyDictionary<string, Session?> sessions,
        IReadOnlyDictionary<string, Session> found)
    {
        var redirected = new SessionWrite[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            redirected[i] = writes[i] switch
            {
                ApplyTelemetry t when Ended(t, sessions) => Continue(t, sessions[t.SessionId]!, found),
                ApplyHook h when Ended(h, sessions) => Continue(h, sessions[h.SessionId]!, found),
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

    private static SessionWrite Continue(ApplyHook h, Session ended, IReadOnlyDictionary<string, Session> found)
    {
        var last = ended;
        foreach (var id in Chain(h.SessionId))
        {
            if (!found.TryGetValue(id, out var session))
            {
                if (h.Signal is HookSignal.End or HookSignal.Heard)
                {
                    return h; // nothing goes on: dropped as an event of an ended session
                }

                var labels = new Dictionary<string, string>(last.Labels, StringComparer.Ordinal);
                labels.Remove(SessionWriteProcessor.LegacyUsageFromLabel);
                return h with
                {
                    SessionId = id, Continues = last.Id, Name = h.Name ?? last.Name, Labels = labels,
                    UsageFrom = last.UsageFrom ?? last.Labels.GetValueOrDefault(SessionWriteProcessor.LegacyUsageFromLabel),
                };
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

    private static SessionWrite Continue(ApplyTelemetry t, Session ended, IReadOnlyDictionary<string, Session> found)
    {
        var last = ended;
        foreach (var id in Chain(t.SessionId))
        {
            if (!found.TryGetValue(id, out var session))
            {
                // Labels a client gave the ended session stay with the agent, so the dashboard's filters still show it.
                var labels = new Dictionary<string, string>(last.Labels, StringComparer.Ordinal);
                labels.Remove(SessionWriteProcessor.LegacyUsageFromLabel);
                foreach (var (k, v) in t.Labels)
                {
                    if (labels.Count < SessionLimits.MaxLabels || labels.ContainsKey(k))
                    {
                        labels[k] = v;
                    }
                }

                return t with
                {
                    SessionId = id,
                    Continues = last.Id,
                    Name = t.Name ?? last.Name,
                    Labels = labels,
                    UsageFrom = last.UsageFrom ?? last.Labels.GetValueOrDefault(SessionWriteProcessor.LegacyUsageFromLabel),
                };
            }

            if (session.State != SessionState.Terminated)
            {
                return t with { SessionId = id };
            }

            last = session;
        }

        return t; // every continuation ended too: dropped as telemetry for an ended session (counted by the receiver)
    }
}
