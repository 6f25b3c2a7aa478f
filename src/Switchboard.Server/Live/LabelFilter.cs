using Switchboard.Core.Events;
using Switchboard.Core.Sessions;
using Switchboard.Core.Writes;

namespace Switchboard.Server.Live;

/// <summary>
/// A label filter (a <c>sessions</c> join's <c>labels</c>, or a token's or an API key's scope): a session matches when it
/// carries every pair. It also holds the one membership rule for label-filtered topics, which live delivery and replay
/// both apply to the labels an event recorded, so a subscriber that resumes gets exactly what one that stayed connected
/// got.
/// </summary>
internal sealed class LabelFilter
{
    private readonly KeyValuePair<string, string>[] _pairs;

    private LabelFilter(KeyValuePair<string, string>[] pairs) => _pairs = pairs;

    public int Count => _pairs.Length;

    /// <summary>The filter as a dictionary, for replies and merging.</summary>
    public IReadOnlyDictionary<string, string> ToDictionary() => _pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    /// <summary>A filter of <paramref name="labels"/>; null when there are none (no filter).</summary>
    public static LabelFilter? From(IReadOnlyDictionary<string, string>? labels) =>
        labels is null || labels.Count == 0 ? null : new LabelFilter([.. labels]);

    /// <summary>The pairs, as a scoped write carries them (<see cref="Switchboard.Core.Writes.SessionWrite.Scope"/>). Never changed.</summary>
    public KeyValuePair<string, string>[] Pairs => _pairs;

    /// <summary>
    /// Whether <paramref name="labels"/> carries every pair of the filter (<see cref="LabelScope.Carries"/>): nothing
    /// allocated (LabelFilterTests holds it to zero bytes per call).
    /// </summary>
    public bool Matches(IReadOnlyDictionary<string, string>? labels) => LabelScope.Carries(labels, _pairs);

    /// <summary>
    /// <paramref name="labels"/> narrowed to this filter as a scope: a new map with every pair of the filter added. Null when
    /// one of them has another value there, which <paramref name="contradiction"/> names (<c>key=value</c>, clipped).
    /// </summary>
    public Dictionary<string, string>? Narrow(IReadOnlyDictionary<string, string>? labels, out string? contradiction)
    {
        contradiction = null;
        var merged = labels is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(labels, StringComparer.Ordinal);
        foreach (var (key, value) in _pairs)
        {
            if (merged.TryGetValue(key, out var given) && !string.Equals(given, value, StringComparison.Ordinal))
            {
                contradiction = $"{key}={(given.Length > 64 ? given[..64] + "…" : given)}";
                return null;
            }

            merged[key] = value;
        }

        return merged;
    }

    /// <summary>
    /// The membership rule: an event of a session belongs to a filtered topic when the session matches the filter after
    /// the event, or matched it before an event that changed its labels (so a subscriber sees a session leave its filter).
    /// Events of no session (the fleet flag) belong everywhere. Events logged before labels were recorded fall back to
    /// <paramref name="before"/>/<paramref name="after"/>, the best labels the caller has.
    /// </summary>
    public bool Includes(EventRecord e, IReadOnlyDictionary<string, string>? before, IReadOnlyDictionary<string, string>? after)
    {
        if (e.SessionId is null)
        {
            return true;
        }

        if (e.Labels is { } recorded)
        {
            return Matches(recorded) || (e.PriorLabels is { } prior && Matches(prior));
        }

        return Matches(after) || Matches(before);
    }

    /// <summary>Parses <c>label=key=value</c> query values (the HTTP API and SSE); null when there are none.</summary>
    public static Dictionary<string, string>? ParseQuery(IEnumerable<string?> values, out string? error)
    {
        error = null;
        Dictionary<string, string>? labels = null;
        foreach (var value in values)
        {
            var eq = value?.IndexOf('=') ?? -1;
            if (eq <= 0 || !WriteValidator.IsLabelKey(value![..eq]))
            {
                var shown = value ?? "";
                error = $"label filters look like label=key=value with a valid key; got '{(shown.Length > 64 ? shown[..64] + "…" : shown)}'.";
                return null;
            }

            if (LabelFilterValue.Problem(value[..eq], value[(eq + 1)..]) is { } problem)
            {
                error = problem;
                return null;
            }

            (labels ??= new(StringComparer.Ordinal))[value[..eq]] = value[(eq + 1)..];
        }

        return labels;
    }
}
