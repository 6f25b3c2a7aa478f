namespace Switchboard.LoadGen.Soak;

/// <summary>A soak's samples and counts, and its targets judged on the samples after the warm-up.</summary>
internal sealed record SoakResult(
    IReadOnlyList<SoakSample> Samples,
    long Head,
    IReadOnlyList<ControlCheck> Controls,
    long WritesAcknowledged,
    long WritesConflicting,
    long Failures,
    long SessionsCreated,
    long SessionsTerminated,
    long LongPollsAbandoned,
    long SseStalled,
    long SseReaders,
    int SubscribersClosedByServer,
    long WebhookDeliveries,
    IReadOnlyDictionary<string, long> EventTypes)
{
    /// <summary>The first 10 minutes are warm-up (tiering, pools, caches, the retention window filling up).</summary>
    public const double WarmUpMinutes = 10;

    public IReadOnlyList<SoakSample> AfterWarmUp => [.. Samples.Where(s => s.Minutes >= WarmUpMinutes)];

    /// <summary>Targets need at least 10 minutes after the warm-up to be judged.</summary>
    public bool Judged => AfterWarmUp.Count > 0 && AfterWarmUp[^1].Minutes - AfterWarmUp[0].Minutes >= 10;

    /// <summary>Least-squares slope of the RSS after GC over the samples after the warm-up, in MB (10^6 bytes) per hour.</summary>
    public double RssSlopeMbPerHour => Slope(AfterWarmUp, s => s.RssAfterGc) * 60 / 1e6;

    /// <summary>The slope of the anonymous resident memory alone (not mapped files such as SQLite's shared-memory index).</summary>
    public double RssAnonSlopeMbPerHour => Slope(AfterWarmUp, s => s.RssAnonAfterGc) * 60 / 1e6;

    /// <summary>The same for the managed heap after GC.</summary>
    public double HeapSlopeMbPerHour => Slope(AfterWarmUp, s => s.HeapAfterGc) * 60 / 1e6;

    /// <summary>Highest open-file count in the last 10 minutes less the highest in the 10 minutes after the warm-up.</summary>
    public int FileGrowth => (int)Growth(s => s.OpenFiles);

    /// <summary>Highest thread count in the last 10 minutes less the highest in the 10 minutes after the warm-up.</summary>
    public int ThreadGrowth => (int)Growth(s => s.Threads);

    /// <summary><see cref="ThreadGrowth"/> of the threads other than the runtime pool's workers.</summary>
    public int OtherThreadGrowth => (int)Growth(s => s.Threads - s.PoolWorkers);

    public bool RssMet => RssSlopeMbPerHour <= 1;

    public bool FilesMet => FileGrowth <= 0;

    public bool ThreadsMet => ThreadGrowth <= 0;

    public bool DeliveryMet => Controls.All(c => c.Complete);

    public bool Passed => Judged && RssMet && FilesMet && ThreadsMet && DeliveryMet && Failures == 0 && SubscribersClosedByServer == 0;

    private double Growth(Func<SoakSample, double> value)
    {
        var after = AfterWarmUp;
        if (after.Count == 0)
        {
            return 0;
        }

        var first = after.Where(s => s.Minutes < WarmUpMinutes + 10).Max(value);
        var last = after.Where(s => s.Minutes >= after[^1].Minutes - 10).Max(value);
        return last - first;
    }

    /// <summary>Least-squares slope of <paramref name="value"/> against minutes (units per minute).</summary>
    private static double Slope(IReadOnlyList<SoakSample> samples, Func<SoakSample, double> value)
    {
        if (samples.Count < 2)
        {
            return 0;
        }

        var mx = samples.Average(s => s.Minutes);
        var my = samples.Average(value);
        var sxy = samples.Sum(s => (s.Minutes - mx) * (value(s) - my));
        var sxx = samples.Sum(s => (s.Minutes - mx) * (s.Minutes - mx));
        return sxx == 0 ? 0 : sxy / sxx;
    }
}
