namespace Switchboard.Client;

/// <summary>The size of a usage bucket (UTC-aligned).</summary>
public enum UsageBucketSize
{
    /// <summary>One minute (<c>1m</c>).</summary>
    Minute,
    /// <summary>One hour (<c>1h</c>).</summary>
    Hour,
    /// <summary>One UTC day (<c>1d</c>).</summary>
    Day,
}

/// <summary>What <see cref="SwitchboardClient.GetUsageHistoryAsync"/> asks for (<c>GET /api/usage</c>).</summary>
public sealed record UsageHistoryQuery
{
    /// <summary>The bucket size. Default one hour.</summary>
    public UsageBucketSize Bucket { get; init; } = UsageBucketSize.Hour;

    /// <summary>The first instant to cover (rounded down to a bucket). Null: 24 hours ago.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>The last instant to cover (rounded up to a bucket). Null: now.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>A label key the server rolls up by (<c>Switchboard:Usage:GroupBy</c>); null for the fleet as a whole.</summary>
    public string? GroupByLabel { get; init; }

    /// <summary>Only these values of <see cref="GroupByLabel"/>.</summary>
    public IReadOnlyList<string>? Values { get; init; }
}

/// <summary>One bucket of usage.</summary>
/// <param name="Start">The bucket's start (UTC).</param>
/// <param name="InputTokens">Input tokens added in the bucket.</param>
/// <param name="OutputTokens">Output tokens added in the bucket.</param>
/// <param name="TotalTokens">Input plus output tokens.</param>
/// <param name="CostUsd">Cost added in the bucket, in US dollars.</param>
/// <param name="SessionsCreated">Sessions created in the bucket.</param>
/// <param name="SessionsTerminated">Sessions terminated in the bucket.</param>
/// <param name="SessionsErrored">Sessions that entered error in the bucket.</param>
/// <param name="BusySeconds">Seconds sessions spent working, counted when each working stretch ended or changed.</param>
/// <param name="PeakActiveSessions">The most active sessions seen after any event of the bucket.</param>
public sealed record UsagePoint(
    DateTimeOffset Start, long InputTokens, long OutputTokens, long TotalTokens, decimal CostUsd, long SessionsCreated,
    long SessionsTerminated, long SessionsErrored, decimal BusySeconds, long PeakActiveSessions);

/// <summary>The buckets of one group: the whole fleet (empty <paramref name="Group"/>) or one label value.</summary>
/// <param name="Group">Empty for the fleet; otherwise <c>{label: value}</c>.</param>
/// <param name="Points">Buckets that saw events, oldest first; buckets without events are absent.</param>
public sealed record UsageSeries(IReadOnlyDictionary<string, string> Group, IReadOnlyList<UsagePoint> Points);

/// <summary>Usage history, consistent with the log up to <paramref name="AsOfSeq"/>.</summary>
/// <param name="Bucket">The bucket size.</param>
/// <param name="GroupBy"><c>all</c> or <c>label:KEY</c>.</param>
/// <param name="Since">The first bucket's start.</param>
/// <param name="Until">The end of the range (exclusive).</param>
/// <param name="Epoch">The log's epoch.</param>
/// <param name="AsOfSeq">Every event up to this seq is counted, none after it.</param>
/// <param name="Series">One series per group.</param>
public sealed record UsageHistory(
    UsageBucketSize Bucket, string GroupBy, DateTimeOffset Since, DateTimeOffset Until, string Epoch, long AsOfSeq, IReadOnlyList<UsageSeries> Series);
