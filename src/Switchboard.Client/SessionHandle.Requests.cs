namespace Switchboard.Client;

/// <summary>The requests a handle sends, and what each failure means for the changes it carried.</summary>
public sealed partial class SessionHandle
{
    /// <summary>
    /// Sends pending changes: a PATCH guarded by the version the handle last saw (so a retry can never apply twice),
    /// usage as one summed increment, or both in one batch (one request, one commit). Returns false when the update
    /// went back in the queue to be sent again at once (after a conflict), so flushes keep waiting for it.
    /// </summary>
    private async Task<bool> SendChangesAsync(SessionUpdate? update, Usage usage, CancellationToken stop)
    {
        var guarded = update is null ? null : update with { ExpectedVersion = Session.Version };
        try
        {
            if (guarded is not null && !usage.IsZero)
            {
                var results = await _client.BatchAsync([BatchOperation.Update(Id, guarded), BatchOperation.AddUsage(Id, usage)], stop).ConfigureAwait(false);
                Learn(results[1].Commands);
                Learn(results[0].Commands);
                OnUsageResult(usage, results[1]);
                return await OnUpdateResultAsync(guarded, results[0], stop).ConfigureAwait(false);
            }
            else if (guarded is not null)
            {
                var (session, commands) = await _client.UpdateWithCommandsAsync(Id, guarded, stop).ConfigureAwait(false);
                Succeeded(session);
                Learn(commands);
                _conflicts = 0;
            }
            else
            {
                var (session, commands) = await _client.AddUsageWithCommandsAsync(Id, usage, stop).ConfigureAwait(false);
                Succeeded(session);
                Learn(commands);
            }
        }
        catch (SwitchboardApiException ex) when (ex.Code == "version_conflict" && guarded is not null)
        {
            return await ResolveConflictAsync(guarded, ex, stop).ConfigureAwait(false);
        }
        catch (SwitchboardApiException ex) when (ex.StatusCode is 503 or 429)
        {
            Requeue(update, usage); // the server said nothing was persisted
            Report(ex, willRetry: true);
        }
        catch (SwitchboardApiException ex)
        {
            NoteGone(ex);
            Report(ex, willRetry: false);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            Requeue(update, usage); // never reached the server
            Report(ex, willRetry: true);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is TaskCanceledException && !stop.IsCancellationRequested))
        {
            // The outcome is unknown. The guarded update is safe to send again; an increment is not, so it is reported, not resent.
            Requeue(update, default);
            Report(usage.IsZero ? ex : new SwitchboardUsageUncertainException(Id, usage, ex), willRetry: update is not null);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Requeue(update, usage);
            throw;
        }

        return true;
    }

    private async Task<bool> OnUpdateResultAsync(SessionUpdate guarded, BatchResult result, CancellationToken stop)
    {
        if (result.Session is { } session)
        {
            Succeeded(session);
            _conflicts = 0;
            return true;
        }

        if (result.Problem is { Code: "version_conflict" } conflict)
        {
            return await ResolveConflictAsync(guarded, new SwitchboardApiException(conflict), stop).ConfigureAwait(false);
        }

        var ex = new SwitchboardApiException(result.Problem!);
        NoteGone(ex);
        Report(ex, willRetry: false);
        return true;
    }

    private void OnUsageResult(Usage usage, BatchResult result)
    {
        if (result.Session is { } session)
        {
            Succeeded(session);
            return;
        }

        var ex = new SwitchboardApiException(result.Problem!);
        if (result.Status is 503 or 429)
        {
            Requeue(null, usage);
            Report(ex, willRetry: true);
            return;
        }

        NoteGone(ex);
        Report(ex, willRetry: false);
    }

    /// <summary>
    /// Someone else changed the session (a lease expiry, an operator) or an earlier attempt of ours landed. Read it
    /// again: values it already holds need no request; the rest are sent again against the new version (the
    /// producer owns its session, so its latest values win).
    /// </summary>
    private async Task<bool> ResolveConflictAsync(SessionUpdate guarded, SwitchboardApiException conflict, CancellationToken stop)
    {
        Session? current;
        try
        {
            current = await _client.GetSessionAsync(Id, stop).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SwitchboardApiException or HttpRequestException or IOException
            || (ex is TaskCanceledException && !stop.IsCancellationRequested))
        {
            Requeue(guarded, default); // still guarded by a version, so sending it again later is safe
            Report(ex, willRetry: true);
            return true;
        }

        if (current is null)
        {
            NoteGone(conflict);
            Report(conflict, willRetry: false);
            return true;
        }

        lock (_gate)
        {
            _session = current;
        }

        if (guarded.IsSatisfiedBy(current))
        {
            _conflicts = 0;
            return true;
        }

        if (++_conflicts > MaxConflictRounds)
        {
            _conflicts = 0;
            Report(conflict, willRetry: false);
            return true;
        }

        Requeue(guarded, default);
        return false;
    }

    private async Task SendHeartbeatAsync(CancellationToken stop)
    {
        try
        {
            var beat = await _client.HeartbeatAsync(Id, stop).ConfigureAwait(false);
            Learn(beat.Commands);
            _lastContact = _time.GetUtcNow();
            _failures = 0;
            lock (_gate)
            {
                _session = _session with { LeaseSeconds = beat.LeaseSeconds, StateName = beat.StateName };
            }
        }
        catch (SwitchboardApiException ex)
        {
            NoteGone(ex);
            Report(ex, willRetry: _closedReason is null);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is TaskCanceledException && !stop.IsCancellationRequested))
        {
            Report(ex, willRetry: true);
        }
    }

    private async Task SendTerminateAsync(TerminateRequest request, CancellationToken stop)
    {
        try
        {
            var final = await _client.TerminateSessionAsync(Id, request.Reason, cancellationToken: stop).ConfigureAwait(false);
            Succeeded(final);
            request.Done.TrySetResult(final);
        }
        catch (Exception ex) when (ex is SwitchboardApiException or HttpRequestException or IOException
            || (ex is TaskCanceledException && !stop.IsCancellationRequested))
        {
            if (ex is SwitchboardApiException api)
            {
                NoteGone(api);
            }

            request.Done.TrySetException(ex);
            Report(ex, willRetry: false);
        }
    }

    /// <summary>A session that no longer exists or is terminated takes no more changes.</summary>
    private void NoteGone(SwitchboardApiException ex)
    {
        if (ex.Code is "session_not_found" or "session_terminated")
        {
            _closedReason = ex.Code == "session_not_found" ? "gone" : "terminated";
        }
    }
}
