using System.Globalization;
using Switchboard.Core.Sessions;
using Switchboard.Core.UsageRollups;
using Switchboard.Server.Options;
using Switchboard.Server.Responses;

namespace Switchboard.Server.Live.Usage;

/// <summary>
/// The usage query as text, shared by <c>GET /api/usage</c> (query string) and the live <c>usage</c> topic (join params):
/// the same names, defaults and errors.
/// </summary>
internal static class UsageQueryText
{
    /// <summary>Parses and checks the query; since is rounded down and until up to whole buckets.</summary>
    public static UsageQuery Parse(Func<string, string> q, UsageSettings settings, DateTimeOffset now)
    {
        var bucketText = q("bucket");
        var bucket = UsageBucket.Hour;
        if (bucketText.Length > 0 && !UsageBuckets.TryParse(bucketText, out bucket))
        {
            throw RequestException.Field("bucket", $"'bucket' must be 1m, 1h or 1d; got '{Shorten(bucketText)}'.");
        }

        var until = q("until") is { Length: > 0 } untilText ? ParseTime("until", untilText, now) : now;
        var since = q("since") is { Length: > 0 } sinceText ? ParseTime("since", sinceText, now) : now - TimeSpan.FromHours(24);
        if (since >= until)
        {
            throw new RequestException(new ProblemResult(400, "invalid_range", "Invalid range",
                $"'since' ({Format(since)}) must be before 'until' ({Format(until)}).", "since"));
        }

        var start = bucket.Start(since);
        var end = bucket.Start(until) == until ? until : bucket.Start(until) + bucket.Length();
        var points = (long)((end - start).Ticks / bucket.Length().Ticks);
        if (points > settings.MaxPoints)
        {
            throw new RequestException(new ProblemResult(400, "too_many_points", "Too many points",
                $"The range spans {points} buckets of {bucket.ToWire()}; at most {settings.MaxPoints} are allowed. Use a larger bucket or a shorter range.",
                "since"));
        }

        string? groupKey = null;
        var groupText = q("group_by");
        if (groupText.Length > 0 && groupText != "all")
        {
            groupKey = groupText.StartsWith("label:", StringComparison.Ordinal) ? groupText["label:".Length..] : null;
            if (groupKey is null || !settings.GroupBy.Contains(groupKey, StringComparer.Ordinal))
            {
                var configured = settings.GroupBy.Count == 0 ? "none are configured (Switchboard:Usage:GroupBy)"
                    : "configured: " + string.Join(", ", settings.GroupBy.Select(k => "label:" + k));
                throw RequestException.Field("group_by", $"'group_by' must be 'all' or label:KEY for a label rollups are split by ({configured}); got '{Shorten(groupText)}'.");
            }
        }

        List<string>? values = null;
        if (q("labels") is { Length: > 0 } labelsText)
        {
            values = [];
            foreach (var part in labelsText.Split(','))
            {
                var eq = part.IndexOf('=');
                if (groupKey is null || eq <= 0 || part[..eq] != groupKey)
                {
                    throw RequestException.Field("labels",
                        $"'labels' must be comma-separated {groupKey ?? "KEY"}=value pairs of the group_by label (set group_by=label:KEY first); got '{Shorten(part)}'.");
                }

                if (LabelFilterValue.Problem(groupKey, part[(eq + 1)..]) is { } problem)
                {
                    throw RequestException.Field("labels", $"'labels': {problem}");
                }

                values.Add(part[(eq + 1)..]);
            }
        }

        return new UsageQuery { Bucket = bucket, Since = start, Until = end, GroupKey = groupKey, GroupValues = values };
    }

    /// <summary>The longest duration back from now: 100 years, in seconds.</summary>
    private const long MaxAgoSeconds = 36_500L * 86_400;

    /// <summary>
    /// An instant (RFC 3339) or a duration back from now: <c>90s</c>, <c>30m</c>, <c>24h</c>, <c>7d</c>. Each is held to
    /// what the range arithmetic can represent (at most 100 years back, at most the live topic's open end), so no text a
    /// client sends overflows it.
    /// </summary>
    public static DateTimeOffset ParseTime(string field, string text, DateTimeOffset now)
    {
        if (TryParseAgo(text, out var seconds))
        {
            return seconds <= MaxAgoSeconds ? now - TimeSpan.FromSeconds(seconds)
                : throw RequestException.Field(field, $"'{field}' goes back more than 100 years; a duration is at most 36500d (or as many s, m or h); got '{Shorten(text)}'.");
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            && text.Contains('T', StringComparison.Ordinal))
        {
            return at <= UsageJoinParams.OpenEnd ? at
                : throw RequestException.Field(field, $"'{field}' must be at most {Format(UsageJoinParams.OpenEnd)}; got '{Shorten(text)}'.");
        }

        throw RequestException.Field(field, $"'{field}' must be an RFC 3339 time (2026-01-02T03:04:05Z) or a duration back from now (30m, 24h, 7d); got '{Shorten(text)}'.");
    }

    /// <summary>
    /// Parses <c>N</c> followed by s, m, h or d into seconds; a number of any length is a duration, past 100 years
    /// saturated at <see cref="long.MaxValue"/> rather than overflowing.
    /// </summary>
    private static bool TryParseAgo(string text, out long seconds)
    {
        seconds = 0;
        var unit = text.Length < 2 ? 0 : text[^1] switch { 's' => 1, 'm' => 60, 'h' => 3_600, 'd' => 86_400, _ => 0 };
        var digits = text.AsSpan(0, Math.Max(text.Length - 1, 0));
        if (unit == 0 || digits.ContainsAnyExceptInRange('0', '9'))
        {
            return false;
        }

        seconds = long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= MaxAgoSeconds / unit ? n * unit : long.MaxValue;
        return true;
    }

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Shorten(string text) => text.Length > 64 ? text[..64] + "…" : text;
}
