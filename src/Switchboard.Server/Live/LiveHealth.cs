namespace Switchboard.Server.Live;

/// <summary>The live loop's state, as <c>/readyz</c> reports it.</summary>
internal enum LiveStatus
{
    Starting,
    Running,
    /// <summary>Rebuilding live state from the store after a fault or a log that moved under the node.</summary>
    Recovering,
    /// <summary>Gave up after repeated faults; the host is stopping.</summary>
    Failed,
    Stopped,
}

/// <summary>A published snapshot of the loop's health: written by the loop only, read by anyone.</summary>
internal sealed record LiveHealth(LiveStatus Status, string? Reason)
{
    public static LiveHealth Starting { get; } = new(LiveStatus.Starting, "starting");

    public static LiveHealth Running { get; } = new(LiveStatus.Running, null);
}

/// <summary>Published counters of the loop, for metrics and readiness.</summary>
internal sealed record LiveStats(int Subscriptions, int AllSessionsSubscribers, int SummaryOnlySubscribers, int OneSessionSubscribers,
    long Deliveries, long SummariesSent, long FanoutPauses, long FanoutPausedMilliseconds);
