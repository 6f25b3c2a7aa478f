using System.Text.Json;

namespace Switchboard.Client.Json;

/// <summary>The answer of <c>GET /api/usage</c>.</summary>
internal static partial class WireJson
{
    public static string BucketToWire(UsageBucketSize bucket) => bucket switch
    {
        UsageBucketSize.Minute => "1m",
        UsageBucketSize.Hour => "1h",
        _ => "1d",
    };

    public static UsageHistory ReadUsageHistory(JsonElement e)
    {
        var bucket = String(e, "bucket") switch
        {
            "1m" => UsageBucketSize.Minute,
            "1d" => UsageBucketSize.Day,
            _ => UsageBucketSize.Hour,
        };
        var series = e.GetProperty("series").EnumerateArray().Select(s => new UsageSeries(
            ReadLabels(s.GetProperty("group")),
            [.. s.GetProperty("points").EnumerateArray().Select(p => new UsagePoint(
                Time(p, "start")!.Value, Long(p, "input_tokens"), Long(p, "output_tokens"), Long(p, "total_tokens"),
                p.GetProperty("cost_usd").GetDecimal(), Long(p, "sessions_created"), Long(p, "sessions_terminated"),
                Long(p, "sessions_errored"), p.GetProperty("busy_seconds").GetDecimal(), Long(p, "peak_active_sessions")))])).ToList();
        return new UsageHistory(bucket, String(e, "group_by") ?? "all", Time(e, "since")!.Value, Time(e, "until")!.Value,
            String(e, "epoch") ?? "", Long(e, "as_of_seq"), series);
    }
}
