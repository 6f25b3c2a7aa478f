namespace Switchboard.LoadGen.Scenarios;

/// <summary>What one scenario measured on one system.</summary>
internal sealed record ScenarioResult
{
    public required string System { get; init; }

    public required string Scenario { get; init; }

    public int Connections { get; init; }

    public double Seconds { get; init; }

    public long Published { get; init; }

    public long Expected { get; init; }

    public long Delivered { get; init; }

    public long Duplicates { get; init; }

    public long Strays { get; init; }

    /// <summary>Switchboard's <c>summary</c> frames received (extra work; not counted as deliveries).</summary>
    public long Summaries { get; init; }

    public long PublishErrors { get; init; }

    /// <summary>Publishes refused with 503 and Retry-After (admission control); nothing of them was written.</summary>
    public long PublishesRefused { get; init; }

    public int UnexpectedCloses { get; init; }

    /// <summary>Deliveries per second over the measured window.</summary>
    public double DeliveriesPerSecond { get; init; }

    /// <summary>Server user+system CPU over the measured window.</summary>
    public double CpuSeconds { get; init; }

    /// <summary>The load generator's own CPU over the same window: it shares the machine with the server.</summary>
    public double LoadGeneratorCpuSeconds { get; init; }

    public double CpuMicrosPerDelivery => Delivered > 0 && MeasuredDeliveries > 0 ? CpuSeconds * 1e6 / MeasuredDeliveries : double.NaN;

    /// <summary>Deliveries inside the CPU window (the whole run, or the saturated measure window).</summary>
    public long MeasuredDeliveries { get; init; }

    public long PeakRssBytes { get; init; }

    public Latency? Delivery { get; init; }

    public Latency? LastSubscriber { get; init; }

    public Latency? SessionTopicDelivery { get; init; }

    /// <summary>Event frames per socket write in the server (Switchboard's /metrics), when it reports them.</summary>
    public double? FramesPerWrite { get; init; }

    public long? RssIdleBaseline { get; init; }

    public long? RssIdleConnected { get; init; }

    public double? ConnectSeconds { get; init; }

    public double Completeness => Expected == 0 ? 1 : (double)Math.Min(Delivered, Expected) / Expected;

    public bool Complete => Delivered == Expected && Duplicates == 0 && Strays == 0 && PublishErrors == 0 && UnexpectedCloses == 0;

    public double? IdleBytesPerConnection => RssIdleConnected is { } n && RssIdleBaseline is { } z && Connections > 0
        ? (double)(n - z) / Connections
        : null;
}

/// <summary>Latency percentiles in microseconds.</summary>
internal sealed record Latency(long Count, long P50, long P99, long P999, long Max)
{
    public static Latency From(Measure.LatencyHistogram h) =>
        new(h.Count, h.Percentile(0.50), h.Percentile(0.99), h.Percentile(0.999), h.Max);
}
