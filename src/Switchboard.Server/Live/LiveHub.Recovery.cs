namespace Switchboard.Live;

/// <summary>
/// Supervision: a fault in the fan-out, or a log that moved under the node, resets every subscription (each client
/// reconnects and resumes by <c>seq</c> from the log, which holds every committed event) and rebuilds the live state
/// from the store. Repeated faults end the process rather than leave a node that delivers nothing.
/// </summary>
internal sealed partial class LiveHub
{
    private const int MaxFaults = 3;
    private static readonly TimeSpan FaultWindow = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan ReloadRetry = TimeSpan.FromSeconds(1);

    private readonly Queue<long> _faults = new();
    private string? _reload;
    private Task? _faultHold;

    private async Task RecoverAsync(string reason, Exception? error, Task? hold)
    {
        // Logged before it is reported, so whoever sees /readyz turn finds the cause in the log.
        if (error is not null)
        {
            LiveLog.LoopFaulted(_logger, _projection.HeadSeq, error);
            if (TooManyFaults())
            {
                _health = new LiveHealth(LiveStatus.Failed, $"{reason} ({MaxFaults} faults within {FaultWindow.TotalSeconds:0} s; stopping)");
                LiveLog.GivingUp(_logger, MaxFaults, (int)FaultWindow.TotalSeconds);
                Environment.ExitCode = 1;
                _lifetime?.StopApplication();
                return;
            }
        }
        else
        {
            LiveLog.LogMoved(_logger, reason);
        }

        _health = new LiveHealth(LiveStatus.Recovering, reason);

        var connections = ResetSubscriptions(error is null
            ? "the event log moved under this node; reconnect and resume"
            : "the server rebuilt its live state; reconnect and resume");
        try
        {
            if (hold is not null)
            {
                await hold.WaitAsync(_stopping.Token);
            }

            while (true)
            {
                try
                {
                    _projection.Load(await _store.LoadStateAsync(_stopping.Token));
                    break;
                }
                catch (Exception ex) when (!_stopping.IsCancellationRequested)
                {
                    LiveLog.ReloadFailed(_logger, ex);
                    await Task.Delay(ReloadRetry, _stopping.Token);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return; // the node is stopping: nothing to rebuild for
        }

        // Events up to the reloaded head are in the state now; what the feed handed over after it is still in the backlog.
        PublishPosition();
        foreach (var observer in _observers)
        {
            observer.OnReset();
        }

        ReleaseWaiters();
        _summary.MarkChanged();
        _statsDirty = true;
        _health = LiveHealth.Running;
        LiveLog.Recovered(_logger, _projection.HeadSeq, connections);
    }

    /// <summary>Drops every subscription and presence entry, and tells each connection to reconnect.</summary>
    private int ResetSubscriptions(string reason)
    {
        var queues = _topics.Clear();
        _usage.Reset();
        _presence.Clear();
        _presenceSync?.Reset();
        _pacer.Resume();
        foreach (var queue in queues)
        {
            queue.Reset(reason);
        }

        return queues.Count;
    }

    private bool TooManyFaults()
    {
        var now = _time.GetTimestamp();
        _faults.Enqueue(now);
        while (_faults.Count > 0 && _time.GetElapsedTime(_faults.Peek(), now) > FaultWindow)
        {
            _faults.Dequeue();
        }

        return _faults.Count >= MaxFaults;
    }
}
