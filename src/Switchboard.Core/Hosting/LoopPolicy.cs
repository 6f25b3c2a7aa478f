namespace Switchboard.Core.Hosting;

/// <summary>
/// How a <see cref="SupervisedLoop"/> restarts after a failure: after <see cref="MinDelay"/> doubled for each failure in
/// a row up to <see cref="MaxDelay"/>, spread by <see cref="Jitter"/> so a fleet of nodes that failed together does not
/// retry in lockstep; it gives up after <see cref="MaxFailures"/> in a row, when set.
/// </summary>
internal sealed record LoopPolicy
{
    /// <summary>The default: from 1 s up to 30 s, ±20%, never giving up, not part of readiness.</summary>
    public static LoopPolicy Default { get; } = new();

    public TimeSpan MinDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The delay is multiplied by a random factor in [1 − Jitter, 1 + Jitter].</summary>
    public double Jitter { get; init; } = 0.2;

    /// <summary>Failures in a row after which the loop gives up instead of restarting; null: it never does.</summary>
    public int? MaxFailures { get; init; }

    /// <summary>The node is not ready while this loop restarts or after it gave up (<see cref="BackgroundLoops.NotReadyReason"/>).</summary>
    public bool Critical { get; init; }

    /// <summary>
    /// After a failure the loop counts as restarting until its body calls <see cref="SupervisedLoop.ReportHealthy"/> (a
    /// listener once it listens again), instead of as soon as the body runs again.
    /// </summary>
    public bool ReportsHealthy { get; init; }

    /// <summary>The wait before the restart that follows failure number <paramref name="failures"/> in a row (1 for the first).</summary>
    public TimeSpan Delay(int failures, double random)
    {
        var grown = MinDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 30));
        var capped = Math.Min(grown, MaxDelay.TotalMilliseconds);
        // Whole milliseconds: a timer keeps no finer grain, so the wait is the delay reported.
        return TimeSpan.FromMilliseconds((long)(capped * (1 - Jitter + (2 * Jitter * random))));
    }
}
