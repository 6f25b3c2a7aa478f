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

    /// <summary>
    /// Open files other than the connections' sockets: the median of the last 10 minutes less the median of the 10
    /// minutes after the warm-up. Ten subscribers leave and ten join every second, so the raw count moves with where in
    /// that churn a sample fell; a descriptor that leaked is counted by no connection and moves this median, a moment does not.
    /// </summary>
    public double FileGrowth => Growth(s => s.OpenFiles - s.Connections, Median);

    /// <summary>
    /// Threads, likewise on medians: the runtime pool adds a worker whenever work waits and retires it after 20 s idle,
    /// so a sample taken during a burst counts a few more for a moment.
    /// </summary>
    public double ThreadGrowth => Growth(s => s.Threads, Median);

    /// <summary><see cref="ThreadGrowth"/> of the threads other than the runtime pool's workers.</summary>
    public double OtherThreadGrowth => Growth(s => s.Threads - s.PoolWorkers, Median);

    /// <summary>The same windows compared by their highest sample, shown beside the judged figure.</summary>
    public int FilePeakGrowth => (int)Growth(s => s.OpenFiles, Enumerable.Max);

    /// <inheritdoc cref="FilePeakGrowth"/>
    public int ThreadPeakGrowth => (int)Growth(s => s.Threads, Enumerable.Max);

    public bool RssMet => RssSlopeMbPerHour <= 1;

    public bool FilesMet => FileGrowth <= 0;

    public bool ThreadsMet => ThreadGrowth <= 0;

    public bool DeliveryMet => Controls.All(c => c.Complete);

    public bool Passed => Judged && RssMet && FilesMet && ThreadsMet && DeliveryMet && Failures == 0 && SubscribersClosedByServer == 0;

    /// <summary><paramref name="statistic"/> of the last 10 minutes less that of the 10 minutes after the warm-up.</summary>
    private double Growth(Func<SoakSample, double> value, Func<IEnumerable<double>, double> statistic)
    {
        var after = AfterWarmUp;
        if (after.Count == 0)
        {
            return 0;
        }

        var first = statistic(after.Where(s => s.Minutes < WarmUpMinutes + 10).Select(value));
        var last = statistic(after.Where(s => s.Minutes >= after[^1].Minutes - 10).Select(value));
        return last - first;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
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
