using Switchboard.Client.Http;

namespace Switchboard.Client;

/// <summary>The background loop: coalesce, rate-limit, send, heartbeat, terminate.</summary>
public sealed partial class SessionHandle
{
    private const int MaxConflictRounds = 5;
    private DateTimeOffset _lastContact;
    private DateTimeOffset _lastRequest = DateTimeOffset.MinValue;
    private DateTimeOffset _retryAt = DateTimeOffset.MinValue;
    private int _failures;
    private int _conflicts;

    private async Task RunAsync()
    {
        var stop = _stop.Token;
        while (true)
        {
            try
            {
                await WaitForWorkAsync(stop).ConfigureAwait(false);
                if (stop.IsCancellationRequested && !HasWork())
                {
                    break;
                }

                await WaitUntilAsync(Later(_lastRequest + _interval, _retryAt), stop).ConfigureAwait(false);
                await SendNextAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A bug or an unexpected failure must not silently end the loop that carries the final state.
                Report(ex, willRetry: true);
            }
        }

        lock (_gate)
        {
            // Nobody is left to send: release waiters rather than leave them hanging.
            _settled = _queued;
            ReleaseFlushes();
            _terminate?.Done.TrySetException(new ObjectDisposedException(nameof(SessionHandle)));
        }
    }

    private async Task SendNextAsync(CancellationToken stop)
    {
        SessionUpdate? update;
        Usage usage;
        long generation;
        TerminateRequest? terminate;
        lock (_gate)
        {
            update = _pendingUpdate;
            usage = _pendingUsage;
            generation = _queued;
            terminate = _terminate;
            _pendingUpdate = null;
            _pendingUsage = default;
        }

        if (update is not null || !usage.IsZero)
        {
            _lastRequest = _time.GetUtcNow();
            if (await SendChangesAsync(update, usage, stop).ConfigureAwait(false))
            {
                Settle(generation);
            }

            return;
        }

        if (terminate is not null && !terminate.Done.Task.IsCompleted)
        {
            _lastRequest = _time.GetUtcNow();
            await SendTerminateAsync(terminate, stop).ConfigureAwait(false);
            return;
        }

        if (HeartbeatDue() && _closedReason is null)
        {
            _lastRequest = _time.GetUtcNow();
            await SendHeartbeatAsync(stop).ConfigureAwait(false);
        }
    }

    private bool HasWork()
    {
        lock (_gate)
        {
            return _pendingUpdate is not null || !_pendingUsage.IsZero || _terminate is { Done.Task.IsCompleted: false };
        }
    }

    private TimeSpan? HeartbeatInterval()
    {
        var lease = Session.LeaseSeconds;
        return lease is { } s && _closedReason is null && Session.State != SessionState.Terminated ? TimeSpan.FromSeconds(s / 3.0) : null;
    }

    private bool HeartbeatDue() => HeartbeatInterval() is { } every && _time.GetUtcNow() >= _lastContact + every;

    private async Task WaitForWorkAsync(CancellationToken stop)
    {
        Task pulse;
        lock (_gate)
        {
            if (_pulse.Task.IsCompleted)
            {
                _pulse = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            pulse = _pulse.Task;
        }

        if (HasWork() || HeartbeatDue())
        {
            return;
        }

        var due = HeartbeatInterval() is { } every ? _lastContact + every - _time.GetUtcNow() : Timeout.InfiniteTimeSpan;
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var sleep = Task.Delay(due < TimeSpan.Zero && due != Timeout.InfiniteTimeSpan ? TimeSpan.Zero : due, _time, wake.Token);
        await Task.WhenAny(pulse, sleep).ConfigureAwait(false);
        await wake.CancelAsync().ConfigureAwait(false);
        stop.ThrowIfCancellationRequested();
    }

    private async Task WaitUntilAsync(DateTimeOffset when, CancellationToken stop)
    {
        var wait = when - _time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            // Changes made meanwhile join this request: this is where coalescing happens.
            await Task.Delay(wait, _time, stop).ConfigureAwait(false);
        }
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private void Settle(long generation)
    {
        lock (_gate)
        {
            _settled = Math.Max(_settled, generation);
            ReleaseFlushes();
        }
    }

    private void ReleaseFlushes()
    {
        for (var i = _flushes.Count - 1; i >= 0; i--)
        {
            if (_flushes[i].Generation <= _settled)
            {
                _flushes[i].Done.TrySetResult();
                _flushes.RemoveAt(i);
            }
        }
    }

    private void Succeeded(Session session)
    {
        lock (_gate)
        {
            if (session.Version >= _session.Version)
            {
                _session = session;
            }
        }

        _lastContact = _time.GetUtcNow();
        _failures = 0;
        _retryAt = DateTimeOffset.MinValue;
    }

    private void Report(Exception error, bool willRetry)
    {
        lock (_gate)
        {
            _unreported ??= error;
        }

        if (willRetry)
        {
            _failures++;
            _retryAt = _time.GetUtcNow() + Backoff.Jittered(_failures, _client.Options.RetryBaseDelay, _client.Options.RetryMaxDelay);
        }

        Error?.Invoke(this, new SessionHandleErrorEventArgs(error, willRetry));
    }

    /// <summary>Puts changes that were not applied back in front of anything queued since (newer values still win).</summary>
    private void Requeue(SessionUpdate? update, Usage usage)
    {
        lock (_gate)
        {
            if (update is not null)
            {
                var bare = update with { ExpectedVersion = null };
                _pendingUpdate = _pendingUpdate is null ? bare : bare.MergeWith(_pendingUpdate);
            }

            _pendingUsage = usage + _pendingUsage;
            Pulse();
        }
    }
}
