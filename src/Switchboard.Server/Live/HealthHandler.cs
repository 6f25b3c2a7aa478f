using Microsoft.Extensions.Hosting;
using Switchboard.Core.Storage;

namespace Switchboard.Server.Live;

/// <summary>The log moved under this node (events it never saw were committed): rebuild from the store.</summary>
internal sealed record ReloadMessage(string Reason) : LiveMessage;

/// <summary>
/// Health and recovery. A fault in the fan-out, or a log that moved under the node, resets every subscription (each
/// client reconnects and resumes by <c>seq</c> from the log, which holds every committed event) and rebuilds the live
/// state from the store; repeated faults end the process rather than leave a node that delivers nothing. It also
/// publishes the loop's counters at the end of each pass in which they changed.
/// </summary>
internal sealed class HealthHandler(LiveState state, ISessionStore store, IHostApplicationLifetime? lifetime, ProjectionHandler projection,
    SummaryHandler summary) : LiveHandler
{
    private const int MaxFaults = 3;
    private static readonly TimeSpan FaultWindow = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan ReloadRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StatsEvery = TimeSpan.FromMilliseconds(250);

    private readonly Queue<long> _faults = new();
    private string? _reload;
    private long _statsAt;

    public override void Register(MessageRoutes routes) => routes.On<ReloadMessage>(m => _reload = m.Reason);

    /// <summary>The reason to rebuild, once, when the log moved under the node since the last pass.</summary>
    public string? TakeReload()
    {
        var reason = _reload;
        _reload = null;
        return reason;
    }

    /// <summary>
    /// Resets every subscription, waits for <paramref name="hold"/> (a test's), reloads the state from the store (retrying
    /// until it can, or the node stops) and tells each handler. With <paramref name="error"/> it is a fault, counted
    /// towards giving up.
    /// </summary>
    public async Task RecoverAsync(string reason, Exception? error, Task? hold, IReadOnlyList<LiveHandler> handlers, CancellationToken stopping)
    {
        var published = state.Published;
        // Logged before it is reported, so whoever sees /readyz turn finds the cause in the log.
        if (error is not null)
        {
            LiveLog.LoopFaulted(state.Logger, state.Projection.HeadSeq, error);
            if (TooManyFaults())
            {
                published.Health = new LiveHealth(LiveStatus.Failed, $"{reason} ({MaxFaults} faults within {FaultWindow.TotalSeconds:0} s; stopping)");
                LiveLog.GivingUp(state.Logger, MaxFaults, (int)FaultWindow.TotalSeconds);
                Environment.ExitCode = 1;
                lifetime?.StopApplication();
                return;
            }
        }
        else
        {
            LiveLog.LogMoved(state.Logger, reason);
        }

        published.Health = new LiveHealth(LiveStatus.Recovering, reason);
        var connections = state.DropSubscriptions(error is null
            ? "the event log moved under this node; reconnect and resume"
            : "the server rebuilt its live state; reconnect and resume");
        foreach (var handler in handlers)
        {
            handler.Reset();
        }

        try
        {
            if (hold is not null)
            {
                await hold.WaitAsync(stopping);
            }

            while (true)
            {
                try
                {
                    state.Projection.Load(await store.LoadStateAsync(stopping));
                    break;
                }
                catch (Exception ex) when (!stopping.IsCancellationRequested)
                {
                    LiveLog.ReloadFailed(state.Logger, ex);
                    await Task.Delay(ReloadRetry, state.Time, stopping);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return; // the node is stopping: nothing to rebuild for
        }

        // Events up to the reloaded head are in the state now; what the feed handed over after it is still in the backlog.
        published.Position(state.Projection);
        foreach (var handler in handlers)
        {
            handler.Reloaded();
        }

        published.Advance();
        state.StatsChanged = true;
        published.Health = LiveHealth.Running;
        LiveLog.Recovered(state.Logger, state.Projection.HeadSeq, connections);
    }

    /// <summary>Publishes the counters when something changed, at most every <see cref="StatsEvery"/> otherwise.</summary>
    public override void EndPass(LivePass pass)
    {
        var now = state.Time.GetTimestamp();
        if (!state.StatsChanged && state.Time.GetElapsedTime(_statsAt, now) < StatsEvery)
        {
            return;
        }

        state.StatsChanged = false;
        _statsAt = now;
        var (allSessions, summaryOnly, oneSession) = state.Topics.CountByKind();
        var pacer = projection.Pacer;
        state.Published.Stats = new LiveStats(state.Topics.Count, allSessions, summaryOnly, oneSession, projection.Deliveries, summary.Sent,
            pacer.Pauses, pacer.PausedMilliseconds);
    }

    private bool TooManyFaults()
    {
        var now = state.Time.GetTimestamp();
        _faults.Enqueue(now);
        while (_faults.Count > 0 && state.Time.GetElapsedTime(_faults.Peek(), now) > FaultWindow)
        {
            _faults.Dequeue();
        }

        return _faults.Count >= MaxFaults;
    }
}
