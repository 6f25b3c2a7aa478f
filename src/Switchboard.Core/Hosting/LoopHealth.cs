namespace Switchboard.Core.Hosting;

/// <summary>What a <see cref="SupervisedLoop"/> is doing, as <c>/readyz</c> reports it.</summary>
internal enum LoopStatus
{
    /// <summary>Not started yet.</summary>
    Idle,

    Running,

    /// <summary>It failed and waits to run again (or runs again, not yet healthy: <see cref="LoopPolicy.ReportsHealthy"/>).</summary>
    Restarting,

    /// <summary>It failed <see cref="LoopPolicy.MaxFailures"/> times in a row and runs no more.</summary>
    GaveUp,

    /// <summary>It ended: stopped, or its work was done.</summary>
    Stopped,
}

/// <summary>A loop's status, and while it restarts or after it gave up, the last failure and how many came in a row.</summary>
internal sealed record LoopHealth(LoopStatus Status, string? Failure = null, int Failures = 0)
{
    public static LoopHealth Idle { get; } = new(LoopStatus.Idle);

    public static LoopHealth Running { get; } = new(LoopStatus.Running);

    public static LoopHealth Stopped { get; } = new(LoopStatus.Stopped);

    /// <summary>The status as a wire word: <c>running</c>, <c>restarting</c>, <c>gave_up</c>, ….</summary>
    public string Word => Status == LoopStatus.GaveUp ? "gave_up" : Status.ToString().ToLowerInvariant();
}

/// <summary>One failure of a loop: <see cref="RestartIn"/> is when it runs again, null when it gave up.</summary>
internal sealed record LoopFailure(string Loop, Exception Error, int Failures, TimeSpan? RestartIn);
