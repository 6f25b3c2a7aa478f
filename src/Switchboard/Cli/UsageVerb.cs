using System.CommandLine;
using System.Globalization;
using Switchboard.Client;

namespace Switchboard.Cli;

/// <summary><c>switchboard usage [--bucket 1h] [--group-by team] [--since 24h]</c>: usage per time bucket as a table.</summary>
internal static class UsageVerb
{
    private static readonly Option<UsageBucketSize?> Bucket = new("--bucket")
    {
        Description = "Bucket size: 1m, 1h or 1d (default 1h).",
        CustomParser = r =>
        {
            var text = r.Tokens.Single().Value;
            switch (text)
            {
                case "1m" or "minute": return UsageBucketSize.Minute;
                case "1h" or "hour": return UsageBucketSize.Hour;
                case "1d" or "day": return UsageBucketSize.Day;
                default:
                    r.AddError($"--bucket is 1m, 1h or 1d; got '{text}'.");
                    return null;
            }
        },
    };

    private static readonly Option<string?> GroupBy = new("--group-by")
    {
        Description = "Split by this label (one the server rolls up by: Switchboard:Usage:GroupBy).",
    };

    private static readonly Option<TimeSpan?> Since = new("--since")
    {
        Description = "How far back: 90m, 24h, 7d (default 24h).",
        CustomParser = r =>
        {
            var text = r.Tokens.Single().Value.Trim();
            if (text.EndsWith('d') && int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days is > 0 and <= 3650)
            {
                return TimeSpan.FromDays(days);
            }

            if (OptionValues.TryParseDuration(text, out var duration))
            {
                return duration;
            }

            r.AddError($"--since takes how far back, such as 90m, 24h or 7d; got '{text}'.");
            return null;
        },
    };

    public static Command Create() =>
        ClientVerb.Create("usage", "Tokens, cost and sessions per time bucket, optionally split by a label.", RunAsync, Bucket, GroupBy, Since);

    private static async Task<int> RunAsync(SwitchboardClient client, ParseResult result, CancellationToken cancellationToken)
    {
        var bucket = result.GetValue(Bucket) ?? UsageBucketSize.Hour;
        var groupBy = result.GetValue(GroupBy) is { Length: > 0 } g ? (g.StartsWith("label:", StringComparison.Ordinal) ? g["label:".Length..] : g) : null;
        var since = TimeProvider.System.GetUtcNow() - (result.GetValue(Since) ?? TimeSpan.FromHours(24));
        var history = await client.GetUsageHistoryAsync(new UsageHistoryQuery { Bucket = bucket, Since = since, GroupByLabel = groupBy }, cancellationToken);

        string[] headers = groupBy is null
            ? ["BUCKET (UTC)", "INPUT", "OUTPUT", "TOTAL", "COST", "CREATED", "ENDED", "ERRORS", "BUSY", "PEAK"]
            : ["BUCKET (UTC)", groupBy.ToUpperInvariant(), "INPUT", "OUTPUT", "TOTAL", "COST", "CREATED", "ENDED", "ERRORS", "BUSY", "PEAK"];
        var table = new TextTable(headers);
        var first = groupBy is null ? 1 : 2;
        table.RightAligned.UnionWith(Enumerable.Range(first, headers.Length - first));
        var format = bucket == UsageBucketSize.Day ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm";
        var rows = history.Series
            .SelectMany(s => s.Points.Select(p => (Group: s.Group.Values.FirstOrDefault() ?? "", Point: p)))
            .OrderBy(r => r.Point.Start).ThenBy(r => r.Group, StringComparer.Ordinal);
        foreach (var (group, p) in rows)
        {
            var cells = new List<string> { p.Start.UtcDateTime.ToString(format, CultureInfo.InvariantCulture) };
            if (groupBy is not null)
            {
                cells.Add(group);
            }

            cells.AddRange([
                N(p.InputTokens), N(p.OutputTokens), N(p.TotalTokens), "$" + p.CostUsd.ToString("0.0000", CultureInfo.InvariantCulture),
                N(p.SessionsCreated), N(p.SessionsTerminated), N(p.SessionsErrored), Busy(p.BusySeconds), N(p.PeakActiveSessions),
            ]);
            table.Add([.. cells]);
        }

        var output = Console.Out;
        if (table.Count == 0)
        {
            await output.WriteLineAsync("No usage in this range.");
        }
        else
        {
            table.WriteTo(output);
        }

        var points = history.Series.SelectMany(s => s.Points).ToList();
        var totalScope = groupBy is null ? "" : $" (summed over {groupBy} values)";
        await output.WriteLineAsync(
            $"{N(points.Sum(p => p.TotalTokens))} tokens, ${points.Sum(p => p.CostUsd).ToString("0.0000", CultureInfo.InvariantCulture)}{totalScope} " +
            $"since {history.Since.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC; as of seq {history.AsOfSeq}.");
        return 0;
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Busy(decimal seconds) =>
        seconds >= 3600 ? (seconds / 3600).ToString("0.0", CultureInfo.InvariantCulture) + "h"
        : seconds >= 60 ? (seconds / 60).ToString("0.0", CultureInfo.InvariantCulture) + "m"
        : seconds.ToString("0", CultureInfo.InvariantCulture) + "s";
}
