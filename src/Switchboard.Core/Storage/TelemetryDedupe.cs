using Switchboard.Core.Writes;

namespace Switchboard.Core.Storage;

/// <summary>
/// Exporters resend a batch whose answer they lost, so every keyed observation of an <see cref="ApplyTelemetry"/> write
/// counts once. A store inserts the batch's keys in its write transaction (one statement; a key already present is
/// skipped) and gets back the ones that were new; <see cref="Keep"/> then drops every observation whose key was not new,
/// or that repeats a key earlier in the same batch. Because the keys commit with the events, a retry after a crash or on
/// another node of the same database finds them.
/// </summary>
internal static class TelemetryDedupe
{
    /// <summary>How long keys are kept: far longer than any exporter retries (minutes).</summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    /// <summary>The distinct keys of the batch's telemetry writes; empty (without allocating) when it has none.</summary>
    public static IReadOnlyList<string> Keys(IReadOnlyList<SessionWrite> writes)
    {
        List<string>? keys = null;
        HashSet<string>? seen = null;
        foreach (var write in writes)
        {
            if (write is not ApplyTelemetry t)
            {
                continue;
            }

            foreach (var o in t.Observations)
            {
                if (o.Key is { } key && (seen ??= new HashSet<string>(StringComparer.Ordinal)).Add(key))
                {
                    (keys ??= []).Add(key);
                }
            }
        }

        return (IReadOnlyList<string>?)keys ?? [];
    }

    /// <summary>The writes with every observation dropped whose key is not in <paramref name="fresh"/> or was kept already.</summary>
    public static IReadOnlyList<SessionWrite> Keep(IReadOnlyList<SessionWrite> writes, IReadOnlySet<string> fresh)
    {
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        var result = new SessionWrite[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            if (writes[i] is not ApplyTelemetry t)
            {
                result[i] = writes[i];
                continue;
            }

            List<TelemetryObservation>? kept = null;
            for (var j = 0; j < t.Observations.Count; j++)
            {
                var o = t.Observations[j];
                var keep = o.Key is not { } key || (fresh.Contains(key) && claimed.Add(key));
                if (!keep && kept is null)
                {
                    kept = [.. t.Observations.Take(j)];
                }
                else if (keep)
                {
                    kept?.Add(o);
                }
            }

            result[i] = kept is null ? t : t with { Observations = kept };
        }

        return result;
    }
}
