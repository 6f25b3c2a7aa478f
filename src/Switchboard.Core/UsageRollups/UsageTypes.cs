using Switchboard.Core.Hosting;

namespace Switchboard.Core.UsageRollups;

/// <summary>The size of a usage bucket. Buckets are aligned to UTC.</summary>
internal enum UsageBucket
{
    /// <summary>One minute.</summary>
    Minute,
    /// <summary>One hour.</summary>
    Hour,
    /// <summary>One UTC day.</summary>
    Day,
}

/// <summary>Wire names and arithmetic of <see cref="UsageBucket"/>.</summary>
internal static class UsageBuckets
{
    /// <summary>Every bucket size, smallest first.</summary>
    public static IReadOnlyList<UsageBucket> All { get; } = [UsageBucket.Minute, UsageBucket.Hour, UsageBucket.Day];

    /// <summary>The wire name: <c>1m</c>, <c>1h</c>, <c>1d</c>.</summary>
    public static string ToWire(this UsageBucket bucket) => bucket switch
    {
        UsageBucket.Minute => "1m",
        UsageBucket.Hour => "1h",
        _ => "1d",
    };

    /// <summary>Parses <c>1m</c>/<c>minute</c>, <c>1h</c>/<c>hour</c>, <c>1d</c>/<c>day</c>.</summary>
    public static bool TryParse(string? value, out UsageBucket bucket)
    {
        switch (value)
        {
            case "1m" or "minute": bucket = UsageBucket.Minute; return true;
            case "1h" or "hour": bucket = UsageBucket.Hour; return true;
            case "1d" or "day": bucket = UsageBucket.Day; return true;
            default: bucket = default; return false;
        }
    }

    /// <summary>The bucket's length.</summary>
    public static TimeSpan Length(this UsageBucket bucket) => bucket switch
    {
        UsageBucket.Minute => TimeSpan.FromMinutes(1),
        UsageBucket.Hour => TimeSpan.FromHours(1),
        _ => TimeSpan.FromDays(1),
    };

    /// <summary>The start (UTC) of the bucket that contains <paramref name="at"/>.</summary>
    public static DateTimeOffset Start(this UsageBucket bucket, DateTimeOffset at)
    {
        var ticks = at.UtcTicks;
        var length = bucket.Length().Ticks;
        return new DateTimeOffset(ticks - (ticks % length), TimeSpan.Zero);
    }
}

/// <summary>
/// Which rollup row a delta belongs to. <see cref="GroupKey"/> is empty for the "all" group (then
/// <see cref="GroupValue"/> is empty too); otherwise it is a configured label key and the value is the session's value of it.
/// </summary>
internal readonly record struct UsageKey(UsageBucket Bucket, DateTimeOffset Start, string GroupKey, string GroupValue);

/// <summary>
/// The counters of one rollup row. All are sums except <see cref="PeakActive"/>, which is a maximum; both merge
/// associatively, so rows can be upserted with deltas from any number of nodes.
/// </summary>
internal sealed record UsageCounters
{
    /// <summary>Input tokens added in the bucket.</summary>
    public long InputTokens { get; set; }
    /// <summary>Output tokens added in the bucket.</summary>
    public long OutputTokens { get; set; }
    /// <summary>Total tokens added in the bucket.</summary>
    public long TotalTokens => InputTokens + OutputTokens;
    /// <summary>Cost added in the bucket, in US dollars.</summary>
    public decimal CostUsd { get; set; }
    /// <summary>Sessions created in the bucket.</summary>
    public long SessionsCreated { get; set; }
    /// <summary>Sessions terminated in the bucket.</summary>
    public long SessionsTerminated { get; set; }
    /// <summary>Sessions that entered <c>error</c> in the bucket.</summary>
    public long SessionsErrored { get; set; }
    /// <summary>Milliseconds sessions spent <c>working</c>, counted when each working stretch ends or changes.</summary>
    public long BusyMilliseconds { get; set; }
    /// <summary>The most active sessions (of the group) seen after any event in the bucket.</summary>
    public long PeakActive { get; set; }

    /// <summary>Adds <paramref name="delta"/> into this row.</summary>
    public void Add(UsageCounters delta)
    {
        InputTokens += delta.InputTokens;
        OutputTokens += delta.OutputTokens;
        CostUsd += delta.CostUsd;
        SessionsCreated += delta.SessionsCreated;
        SessionsTerminated += delta.SessionsTerminated;
        SessionsErrored += delta.SessionsErrored;
        BusyMilliseconds += delta.BusyMilliseconds;
        PeakActive = Math.Max(PeakActive, delta.PeakActive);
    }
}

/// <summary>What the store rolls up and how long it keeps it.</summary>
internal sealed record UsageOptions
{
    /// <summary>The label keys rollups are split by, besides "all". Default none.</summary>
    public IReadOnlyList<string> GroupBy { get; init; } = [];

    /// <summary>How long minute buckets are kept. Default 90 days.</summary>
    public TimeSpan MinuteRetention { get; init; } = SwitchboardDefaults.UsageRetention;

    /// <summary>How long hour buckets are kept. Default 90 days.</summary>
    public TimeSpan HourRetention { get; init; } = SwitchboardDefaults.UsageRetention;

    /// <summary>How long day buckets are kept. Default 90 days.</summary>
    public TimeSpan DayRetention { get; init; } = SwitchboardDefaults.UsageRetention;

    /// <summary>False turns rollups off entirely (for comparison in benchmarks).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The defaults: rollups on, "all" only, 90 days for every bucket size.</summary>
    public static UsageOptions Default { get; } = new();

    /// <summary>The retention of <paramref name="bucket"/>.</summary>
    public TimeSpan RetentionOf(UsageBucket bucket) => bucket switch
    {
        UsageBucket.Minute => MinuteRetention,
        UsageBucket.Hour => HourRetention,
        _ => DayRetention,
    };
}

/// <summary>Which rollups to read.</summary>
internal sealed record UsageQuery
{
    /// <summary>The bucket size.</summary>
    public UsageBucket Bucket { get; init; } = UsageBucket.Hour;
    /// <summary>First bucket start to include (inclusive).</summary>
    public DateTimeOffset Since { get; init; }
    /// <summary>Bucket starts before this (exclusive).</summary>
    public DateTimeOffset Until { get; init; }
    /// <summary>The label key to split by; null for "all".</summary>
    public string? GroupKey { get; init; }
    /// <summary>Only these values of <see cref="GroupKey"/>, when set.</summary>
    public IReadOnlyList<string>? GroupValues { get; init; }
}

/// <summary>One rollup row as read.</summary>
internal sealed record UsageRow(UsageKey Key, UsageCounters Counters);

/// <summary>Rollup rows consistent with the log up to and including <see cref="AsOfSeq"/>.</summary>
internal sealed record UsageResult(long AsOfSeq, IReadOnlyList<UsageRow> Rows);
