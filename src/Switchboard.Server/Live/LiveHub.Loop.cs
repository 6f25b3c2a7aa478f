using Switchboard.Outbound;

namespace Switchboard.Live;

/// <summary>The loop: take messages, fan out a chunk of committed events, end the pass.</summary>
internal sealed partial class LiveHub
{
    /// <summary>Messages handled before the next chunk of events, so joins and reads never wait behind a long backlog.</summary>
    private const int MessagesPerPass = 512;

    /// <summary>Events fanned out per pass: small enough that a pause for congestion comes before any queue nears its cap.</summary>
    private const int EventsPerChunk = 256;

    /// <summary>How often a paused fan-out looks at its backlogged connections again.</summary>
    private static readonly TimeSpan PacerRecheck = TimeSpan.FromMilliseconds(2);

    private static readonly TimeSpan StatsEvery = TimeSpan.FromMilliseconds(250);

    private readonly Queue<InjectFaultMessage> _injectedFaults = new();
    private DateTimeOffset _summaryAt = DateTimeOffset.MaxValue;
    private long _statsAt;
    private bool _statsDirty = true;
    private bool _pacerArmed;
    private bool _usageArmed;
    private ILiveObserver[] _observers = [];

    private async Task RunAsync()
    {
        var reader = _inbox.Reader;
        while (true)
        {
            for (var i = 0; i < MessagesPerPass && reader.TryRead(out var message); i++)
            {
                Handle(message);
            }

            if (_reload is { } reason)
            {
                _reload = null;
                await RecoverAsync(reason, error: null, hold: null);
            }

            var dispatched = 0;
            if (_backlog.Count > 0 && !_pacer.IsPaused && _health.Status == LiveStatus.Running)
            {
                try
                {
                    dispatched = DispatchChunk();
                }
                catch (Exception ex)
                {
                    var hold = _faultHold;
                    _faultHold = null;
                    await RecoverAsync($"the fan-out failed: {ex.Message}", ex, hold);
                    continue;
                }
            }

            EndPass(dispatched);
            if (reader.TryPeek(out _) || (_backlog.Count > 0 && !_pacer.IsPaused && _health.Status == LiveStatus.Running))
            {
                continue;
            }

            if (!await reader.WaitToReadAsync())
            {
                break;
            }
        }

        Stopped();
    }

    private void Handle(LiveMessage message)
    {
        try
        {
            switch (message)
            {
                case CommitMessage commit:
                    _backlog.Enqueue(commit);
                    break;
                case SubscribeMessage subscribe:
                    HandleSubscribe(subscribe);
                    break;
                case ResnapshotMessage resnapshot:
                    HandleResnapshot(resnapshot);
                    break;
                case GoLiveMessage goLive:
                    HandleGoLive(goLive);
                    break;
                case LeaveMessage leave:
                    HandleLeave(leave);
                    break;
                case WaitAppliedMessage wait:
                    if (_projection.HeadSeq >= wait.Seq)
                    {
                        wait.Reply.TrySetResult(true);
                    }
                    else
                    {
                        _waiters.Add(wait);
                    }

                    break;
                case ReadMessage read:
                    read.Run(new LiveView(_projection, _topics, _time.GetUtcNow()));
                    break;
                case TickMessage tick when tick == TickMessage.Pacer:
                    _pacerArmed = false;
                    _pacer.TryResume();
                    break;
                case TickMessage tick when tick == TickMessage.Usage:
                    _usageArmed = false; // the push itself happens at the end of the pass
                    break;
                case TickMessage:
                    _summaryAt = DateTimeOffset.MaxValue; // fired: re-arm at the end of the pass
                    break;
                case ReloadMessage reload:
                    _reload = reload.Reason;
                    break;
                case RemotePresenceMessage remote:
                    HandleRemotePresence(remote);
                    break;
                case InjectFaultMessage fault:
                    _injectedFaults.Enqueue(fault);
                    break;
                case ObserveMessage observe:
                    if (!_observers.Contains(observe.Observer))
                    {
                        _observers = [.. _observers, observe.Observer];
                    }

                    observe.Reply.TrySetResult(new ObservedState(_projection.HeadSeq, [.. _projection.ActiveSessions], _projection.OpenAlerts()));
                    break;
            }
        }
        catch (Exception ex)
        {
            LiveLog.MessageFailed(_logger, message.Kind, ex);
            message.Fail(ex);
        }
    }

    /// <summary>Fans out up to <see cref="EventsPerChunk"/> events of the backlog; returns how many it took.</summary>
    private int DispatchChunk()
    {
        var taken = 0;
        try
        {
            while (taken < EventsPerChunk && _backlog.TryPeek(out var batch))
            {
                var events = batch.Events;
                while (batch.Dispatched < events.Count && taken < EventsPerChunk)
                {
                    if (_injectedFaults.TryDequeue(out var fault))
                    {
                        _faultHold = fault.Hold;
                        fault.Fired.TrySetResult();
                        throw new InvalidOperationException($"injected fault ({fault.Reason})");
                    }

                    var e = events[batch.Dispatched];
                    var applied = e.Seq > _projection.HeadSeq;
                    var delivered = _dispatcher.Dispatch(e);
                    if (applied)
                    {
                        foreach (var observer in _observers)
                        {
                            observer.OnApplied(e, e.SessionId is { } sid ? _projection.Get(sid) : null);
                        }
                    }

                    batch.Dispatched++;
                    taken++;
                    EventDispatched?.Invoke(delivered, _time.GetElapsedTime(batch.CommittedAt));
                }

                if (batch.Dispatched == events.Count)
                {
                    _backlog.Dequeue();
                }
            }
        }
        finally
        {
            Interlocked.Add(ref _pending, -taken);
        }

        _pacer.EndChunk();
        return taken;
    }

    /// <summary>After each pass: the summary if due, waiting reads, one wake-up per connection, admission, published state.</summary>
    private void EndPass(int dispatched)
    {
        var now = _time.GetUtcNow();
        if (dispatched > 0)
        {
            _summary.MarkChanged();
            _statsDirty = true;
        }

        // A summary goes to queues already waiting to be woken, so it rides along in the same write.
        if (_summary.Poll(_projection, now, out var due) is { } summary)
        {
            BroadcastSummary(summary, now);
        }

        ScheduleSummary(now, due);
        PushUsage(now);
        ReleaseWaiters();
        _dispatcher.WakeSubscribers();
        PublishPosition();
        if (dispatched > 0 || _backlog.Count == 0)
        {
            Volatile.Write(ref _lastProgress, _time.GetTimestamp());
        }

        EvaluateAdmission();
        if (_pacer.IsPaused && !_pacerArmed)
        {
            _pacerArmed = true;
            _pacerTimer.Change(PacerRecheck, Timeout.InfiniteTimeSpan);
        }

        PublishStats();
    }

    private void BroadcastSummary(FleetSummary summary, DateTimeOffset now)
    {
        if (_topics.AllSessions.Count == 0 && _topics.SummaryOnly.Count == 0)
        {
            return;
        }

        var envelope = FrameEncoder.SummaryEnvelope(summary.WriteData, _projection.Epoch, now);
        if (_topics.AllSessions.Count > 0)
        {
            _dispatcher.Broadcast(_topics.AllSessions, FrameEncoder.Broadcast(TopicRoute.SessionsTopic, Events.EventTypes.Summary, envelope, 0), skipScoped: true);
        }

        if (_topics.SummaryOnly.Count > 0)
        {
            _dispatcher.Broadcast(_topics.SummaryOnly, FrameEncoder.Broadcast(TopicRoute.SummaryTopic, Events.EventTypes.Summary, envelope, 0), skipScoped: true);
        }
    }

    /// <summary>Usage increments go out at most once a second; the timer brings the loop back for what had to wait.</summary>
    private void PushUsage(DateTimeOffset now)
    {
        if (_usage.Push(now, _projection.HeadSeq, _projection.Epoch, _dispatcher.WakeList) is { } wait && !_usageArmed)
        {
            _usageArmed = true;
            _usageTimer.Change(wait, Timeout.InfiniteTimeSpan);
        }
    }

    private void ScheduleSummary(DateTimeOffset now, TimeSpan? due)
    {
        var at = due is { } d ? now + d : DateTimeOffset.MaxValue;
        if (at == _summaryAt)
        {
            return;
        }

        _summaryAt = at;
        _summaryTimer.Change(due ?? Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    private void ReleaseWaiters()
    {
        if (_waiters.Count == 0)
        {
            return;
        }

        var head = _projection.HeadSeq;
        var now = _time.GetTimestamp();
        for (var i = _waiters.Count - 1; i >= 0; i--)
        {
            var waiter = _waiters[i];
            if (waiter.Seq <= head || _time.GetElapsedTime(waiter.Since, now) >= waiter.Timeout)
            {
                waiter.Reply.TrySetResult(waiter.Seq <= head);
                _waiters.RemoveAt(i);
            }
        }
    }

    /// <summary>
    /// Writers wait while the oldest event not yet fanned out is older than <see cref="StreamOptions.MaxFanoutLag"/>
    /// (until it is back under half of it), or while too many wait (<see cref="StreamOptions.MaxPendingEvents"/>).
    /// </summary>
    private void EvaluateAdmission()
    {
        var lag = _backlog.TryPeek(out var oldest) ? _time.GetElapsedTime(oldest.CommittedAt) : TimeSpan.Zero;
        if (_lagging)
        {
            if (lag <= _options.MaxFanoutLag / 2)
            {
                _lagging = false;
                LiveLog.WritesResumed(_logger, PendingEvents);
            }
        }
        else if (lag > _options.MaxFanoutLag)
        {
            _lagging = true;
            LiveLog.WritesThrottled(_logger, (long)lag.TotalMilliseconds, PendingEvents);
        }

        SignalRoom();
    }

    private void PublishStats()
    {
        var now = _time.GetTimestamp();
        if (!_statsDirty && _time.GetElapsedTime(_statsAt, now) < StatsEvery)
        {
            return;
        }

        _statsDirty = false;
        _statsAt = now;
        var (allSessions, summary, oneSession) = _topics.CountByKind();
        _stats = new LiveStats(_topics.Count, allSessions, summary, oneSession, _dispatcher.Deliveries, _summary.Sent, _pacer.Pauses, _pacer.PausedMilliseconds);
    }

    /// <summary>The inbox was completed: whoever still waits is told the node is stopping.</summary>
    private void Stopped()
    {
        var stopping = new ObjectDisposedException(nameof(LiveHub), "Switchboard is shutting down.");
        while (_inbox.Reader.TryRead(out var message))
        {
            message.Fail(stopping);
        }

        foreach (var waiter in _waiters)
        {
            waiter.Reply.TrySetResult(false);
        }

        while (_injectedFaults.TryDequeue(out var fault))
        {
            fault.Fail(stopping);
        }

        _waiters.Clear();
        _health = new LiveHealth(LiveStatus.Stopped, "stopping");
        LiveLog.LoopStopped(_logger, _projection.HeadSeq);
    }

    private void OnLoopEnded(Task loop)
    {
        if (loop.Exception is { } error)
        {
            // Everything inside is caught; reaching this is a bug, and a node without its loop delivers nothing.
            _health = new LiveHealth(LiveStatus.Failed, "the live loop crashed: " + error.GetBaseException().Message);
            LiveLog.LoopCrashed(_logger, error.GetBaseException());
            Environment.ExitCode = 1;
            _lifetime?.StopApplication();
        }
    }
}
