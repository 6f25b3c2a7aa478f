using Switchboard.Core.Hosting;
using Switchboard.Core.Storage;
using Switchboard.Server.Ingest;
using Switchboard.Server.Live;

namespace Switchboard.Server.Health;

/// <summary>
/// Whether this node serves: started and not stopping, the live loop running and making progress, the store able to
/// commit and (PostgreSQL) reachable, every critical background loop running (<see cref="BackgroundLoops"/>: not
/// restarting after a failure, not given up). <c>/readyz</c> answers 503 with the first reason that applies, so a load
/// balancer never keeps a node that accepts writes or subscribers while delivering nothing.
/// </summary>
internal sealed class NodeReadiness(LiveHub live, GroupCommit pipeline, ISessionStore store, BackgroundLoops loops, TimeProvider time)
{
    /// <summary>Events waiting with no progress for this long mean the loop is stuck, not busy.</summary>
    private static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(10);

    private volatile string? _lifecycle = "starting";

    public void MarkReady() => _lifecycle = null;

    public void MarkStopping() => _lifecycle = "stopping";

    /// <summary>True once the node began to stop: it answers what is in flight but takes no new streams.</summary>
    public bool IsStopping => _lifecycle == "stopping";

    public ReadinessReport Check()
    {
        var health = live.Health;
        var pending = live.PendingEvents;
        var idle = time.GetElapsedTime(live.LastProgress);
        var reason = _lifecycle
            ?? (health.Status != LiveStatus.Running ? $"live loop {health.Status.ToString().ToLowerInvariant()}: {health.Reason}" : null)
            ?? (pending > 0 && idle > StallAfter
                ? $"live loop stalled: {pending} committed events waiting, none delivered for {idle.TotalSeconds:0} s" : null)
            ?? (pipeline.WriteFailure is { } write ? "the store cannot write: " + write : null)
            ?? (store as IStoreHealth)?.NotReadyReason
            ?? loops.NotReadyReason;
        return new ReadinessReport(reason, health.Status, live.HeadSeq, pending, pending > 0 ? (long)idle.TotalMilliseconds : 0,
            pipeline.WriteFailure, loops.Snapshot());
    }
}

/// <summary>What <c>/readyz</c> reports. <see cref="Reason"/> is null when the node is ready.</summary>
internal sealed record ReadinessReport(string? Reason, LiveStatus Live, long HeadSeq, long PendingEvents, long MillisecondsSinceProgress,
    string? WriteFailure, IReadOnlyList<SupervisedLoop> Loops)
{
    public bool IsReady => Reason is null;
}
