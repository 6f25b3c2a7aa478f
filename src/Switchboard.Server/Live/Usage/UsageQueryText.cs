using System.Globalization;
using System.Text.Json;
using Switchboard.Json;
using Switchboard.Options;
using Switchboard.Responses;
using Switchboard.UsageRollups;

namespace Switchboard.Live.Usage;

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

                values.Add(part[(eq + 1)..]);
            }
        }

        return new UsageQuery { Bucket = bucket, Since = start, Until = end, GroupKey = groupKey, GroupValues = values };
    }

    /// <summary>An instant (RFC 3339) or a duration back from now: <c>90s</c>, <c>30m</c>, <c>24h</c>, <c>7d</c>.</summary>
    public static DateTimeOffset ParseTime(string field, string text, DateTimeOffset now)
    {
        if (TryParseAgo(text, out var ago))
        {
            return now - ago;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            && text.Contains('T', StringComparison.Ordinal))
        {
            return at;
        }

        throw RequestException.Field(field, $"'{field}' must be an RFC 3339 time (2026-01-02T03:04:05Z) or a duration back from now (30m, 24h, 7d); got '{Shorten(text)}'.");
    }

    /// <summary>Parses <c>N</c> followed by s, m, h or d.</summary>
    public static bool TryParseAgo(string text, out TimeSpan ago)
    {
        ago = default;
        if (text.Length < 2 || !long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 36_500L * 86_400)
        {
            return false;
        }

        ago = text[^1] switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(Math.Min(n, 36_500)),
            _ => TimeSpan.MinValue,
        };
        return ago != TimeSpan.MinValue;
    }

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Shorten(string text) => text.Length > 64 ? text[..64] + "…" : text;
}
