using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchboard.Json;
using Switchboard.Live;
using Switchboard.Responses;
using Switchboard.Storage;
using Switchboard.UsageRollups;

namespace Switchboard.Http;

/// <summary><c>GET /api/usage</c>: rollups of tokens, cost and sessions per time bucket, optionally split by a label.</summary>
internal static class UsageEndpoints
{
    public static void Map(IEndpointRouteBuilder api) =>
        api.MapGet("/usage", GetAsync).WithTags("Usage").WithName("GetUsage")
            .WithSummary("Usage rollups per time bucket, optionally split by a label")
            .WithDescription("Query: bucket=1m|1h|1d (default 1h); since, until = RFC 3339 or a duration back from now (30m, 24h, 7d; default 24h to now); " +
                "group_by=all|label:KEY (a configured Switchboard:Usage:GroupBy key); labels=KEY=value,… (values of that key). " +
                "Answers series of buckets and as_of_seq: join the usage topic with since=as_of_seq to continue live without a gap.")
            .Produces<Contracts.UsageResponse>().ProducesProblem(400);

    private static async Task<IResult> GetAsync(HttpContext http, ISessionStore store, LiveReads live, SwitchboardOptions options, TimeProvider time,
        CancellationToken cancellationToken)
    {
        UsageQuery query;
        try
        {
            query = ParseQuery(http.Request.Query, options.Usage, WireTime.Now(time));
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }

        var result = await store.ReadUsageAsync(query, cancellationToken);
        var epoch = live.Epoch;
        return new JsonResult(StatusCodes.Status200OK, w => Write(w, query, result, epoch));
    }

    /// <summary>Parses and checks the query; since is rounded down and until up to whole buckets.</summary>
    internal static UsageQuery ParseQuery(IQueryCollection q, UsageSettings settings, DateTimeOffset now)
    {
        var bucketText = q["bucket"].ToString();
        var bucket = UsageBucket.Hour;
        if (bucketText.Length > 0 && !UsageBuckets.TryParse(bucketText, out bucket))
        {
            throw RequestException.Field("bucket", $"'bucket' must be 1m, 1h or 1d; got '{Shorten(bucketText)}'.");
        }

        var until = q["until"].ToString() is { Length: > 0 } untilText ? ParseTime("until", untilText, now) : now;
        var since = q["since"].ToString() is { Length: > 0 } sinceText ? ParseTime("since", sinceText, now) : now - TimeSpan.FromHours(24);
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
        var groupText = q["group_by"].ToString();
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
        if (q["labels"].ToString() is { Length: > 0 } labelsText)
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
    internal static DateTimeOffset ParseTime(string field, string text, DateTimeOffset now)
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
    internal static bool TryParseAgo(string text, out TimeSpan ago)
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

    private static void Write(Utf8JsonWriter w, UsageQuery query, UsageResult result, string epoch)
    {
        w.WriteStartObject();
        w.WriteString("bucket", query.Bucket.ToWire());
        w.WriteString("group_by", query.GroupKey is null ? "all" : "label:" + query.GroupKey);
        w.WritePropertyName("since");
        WireTime.Write(w, query.Since);
        w.WritePropertyName("until");
        WireTime.Write(w, query.Until);
        w.WriteString("epoch", epoch);
        w.WriteNumber("as_of_seq", result.AsOfSeq);
        w.WriteStartArray("series");
        foreach (var group in result.Rows.GroupBy(r => r.Key.GroupValue, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteStartObject("group");
            if (query.GroupKey is { } key)
            {
                w.WriteString(key, group.Key);
            }

            w.WriteEndObject();
            w.WriteStartArray("points");
            foreach (var row in group.OrderBy(r => r.Key.Start))
            {
                WritePoint(w, row);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>One bucket: <c>{start, input_tokens, …, peak_active_sessions}</c>. Shared with the live <c>usage</c> topic.</summary>
    internal static void WritePoint(Utf8JsonWriter w, UsageRow row)
    {
        var c = row.Counters;
        w.WriteStartObject();
        w.WritePropertyName("start");
        WireTime.Write(w, row.Key.Start);
        w.WriteNumber("input_tokens", c.InputTokens);
        w.WriteNumber("output_tokens", c.OutputTokens);
        w.WriteNumber("total_tokens", c.TotalTokens);
        w.WriteNumber("cost_usd", Decimals.Normalize(c.CostUsd));
        w.WriteNumber("sessions_created", c.SessionsCreated);
        w.WriteNumber("sessions_terminated", c.SessionsTerminated);
        w.WriteNumber("sessions_errored", c.SessionsErrored);
        w.WriteNumber("busy_seconds", c.BusyMilliseconds / 1000m);
        w.WriteNumber("peak_active_sessions", c.PeakActive);
        w.WriteEndObject();
    }

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Shorten(string text) => text.Length > 64 ? text[..64] + "…" : text;
}
