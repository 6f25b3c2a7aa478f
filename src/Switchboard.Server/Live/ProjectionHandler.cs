using System.Diagnostics;
using Switchboard.Core.Diagnostics;
using Switchboard.Server.Live.Fanout;

namespace Switchboard.Server.Live;

/// <summary>
/// The projection's concern: committed events wait in a backlog, and each pass applies a chunk of them to the projection
/// and fans each out (<see cref="FanoutDispatcher"/>). It decides what holds the fan-out back — the pacer while most
/// deliveries go to backlogged connections, an observer's full feed — writes each applied event to the observers'
/// feeds, and reports to admission control what it took and how old the oldest waiting event is.
/// </summary>
internal sealed class ProjectionHandler : LiveHandler
{
    /// <summary>Events fanned out per pass: small enough that a pause for congestion comes before any queue nears its cap.</summary>
    private const int EventsPerChunk = 256;

    /// <summary>Frames queued per pass: connections are woken at its end, so 256 events to 1,000 subscribers would hold the first too long.</summary>
    private const int DeliveriesPerChunk = 16_384;

    /// <summary>How often a paused fan-out looks at its backlogged connections again.</summary>
    private static readonly TimeSpan PacerRecheck = TimeSpan.FromMilliseconds(2);

    private readonly LiveState _state;
    private readonly AdmissionGate _admission;
    private readonly LiveInbox _inbox;
    private readonly FanoutPacer _pacer;
    private readonly FanoutDispatcher _dispatcher;
    private readonly ITimer _pacerTimer;
    private readonly Queue<Pending> _backlog = new();
    private readonly Queue<InjectFaultMessage> _injectedFaults = new();
    private LiveFeed[] _feeds = [];
    private bool _feedFull; // an observer's feed is full: the fan-out waits for room (FeedRoomTick)
    private bool _pacerArmed;
    private Task? _faultHold;

    public ProjectionHandler(LiveState state, AdmissionGate admission, UsageFanout usage, OpenRequestsHandler openRequests, LiveInbox inbox, TreeHandler? trees = null)
    {
        _state = state;
        _admission = admission;
        _inbox = inbox;
        _pacer = new FanoutPacer(state.Time);
        _dispatcher = new FanoutDispatcher(state.Projection, state.Topics, _pacer, usage, openRequests, state.Wake, trees);
        _pacerTimer = state.Time.CreateTimer(static s => ((LiveInbox)s!).TryWrite(PacerTick.Instance), inbox, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Subscriber deliveries since start.</summary>
    public long Deliveries => _dispatcher.Deliveries;

    public FanoutPacer Pacer => _pacer;

    /// <summary>Committed events wait and nothing holds the fan-out back.</summary>
    public bool CanDispatch => _backlog.Count > 0 && !_pacer.IsPaused && !_feedFull;

    public override void Register(MessageRoutes routes)
    {
        routes.On<CommitMessage>(m => _backlog.Enqueue(new Pending(m)));
        routes.On<PacerTick>(_ =>
        {
            _pacerArmed = false;
            _pacer.TryResume();
        });
        routes.On<FeedRoomTick>(_ => _feedFull = false);
        routes.On<ObserveMessage>(Observe);
        routes.On<InjectFaultMessage>(_injectedFaults.Enqueue);
    }

    /// <summary>Fans out up to <see cref="EventsPerChunk"/> events (and <see cref="DeliveriesPerChunk"/> frames); returns how many it took. Throws when the fan-out fails.</summary>
    public int DispatchChunk()
    {
        var taken = 0;
        var chunkDeliveries = 0;
        var started = _state.Time.GetTimestamp();
        try
        {
            while (taken < EventsPerChunk && chunkDeliveries < DeliveriesPerChunk && !_feedFull && _backlog.TryPeek(out var batch))
            {
                var events = batch.Commit.Events;
                using var span = StartFanoutSpan(batch);
                var spanFrom = batch.Dispatched;
                var spanDelivered = 0;
                while (batch.Dispatched < events.Count && taken < EventsPerChunk && chunkDeliveries < DeliveriesPerChunk)
                {
                    if (_injectedFaults.TryDequeue(out var fault))
                    {
                        _faultHold = fault.Hold;
                        fault.Fired.TrySetResult();
                        throw new InvalidOperationException($"injected fault ({fault.Reason})");
                    }

                    var e = events[batch.Dispatched];
                    var applied = e.Seq > _state.Projection.HeadSeq;
                    if (applied && !FeedsHaveRoom())
                    {
                        break; // resumes on FeedRoomTick
                    }

                    var delivered = _dispatcher.Dispatch(e);
                    if (applied && _feeds.Length > 0)
                    {
                        var after = e.SessionId is { } sid ? _state.Projection.Get(sid) : null;
                        IReadOnlyList<Switchboard.Core.Sessions.Session>? rolledUp = _state.Projection.RolledUp.Count > 0 ? [.. _state.Projection.RolledUp] : null;
                        foreach (var feed in _feeds)
                        {
                            feed.Write(e, after, rolledUp);
                        }
                    }

                    batch.Dispatched++;
                    taken++;
                    spanDelivered += delivered;
                    chunkDeliveries += delivered;
                    _state.Published.Dispatched(delivered, _state.Time.GetElapsedTime(batch.Commit.CommittedAt));
                }

                if (span is not null && batch.Dispatched > spanFrom)
                {
                    span.SetTag("switchboard.fanout.events", batch.Dispatched - spanFrom);
                    span.SetTag("switchboard.fanout.deliveries", spanDelivered);
                    span.SetTag("switchboard.fanout.last_seq", events[batch.Dispatched - 1].Seq);
                }

                if (batch.Dispatched == events.Count)
                {
                    _backlog.Dequeue();
                }
            }
        }
        finally
        {
            _admission.Taken(taken);
        }

        _admission.Measured(taken, _state.Time.GetElapsedTime(started));
        _pacer.EndChunk();
        return taken;
    }

    /// <summary>What recovery from an injected fault waits for (a test's hold), once.</summary>
    public Task? TakeFaultHold()
    {
        var hold = _faultHold;
        _faultHold = null;
        return hold;
    }

    /// <summary>Progress, the writers' room and the pacer's recheck, after every pass.</summary>
    public override void EndPass(LivePass pass)
    {
        if (pass.Dispatched > 0)
        {
            _state.StatsChanged = true;
        }

        if (pass.Dispatched > 0 || _backlog.Count == 0)
        {
            _state.Published.Progressed();
        }

        _admission.Evaluate(_backlog.TryPeek(out var oldest) ? oldest.Commit.CommittedAt : null, _pacer.IsPaused);
        _admission.FannedOut(_state.Projection.HeadSeq);
        if (_pacer.IsPaused && !_pacerArmed)
        {
            _pacerArmed = true;
            _pacerTimer.Change(PacerRecheck, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The subscriptions are gone, and with them the backlogged connections the pacer waited for.</summary>
    public override void Reset() => _pacer.Resume();

    /// <summary>Observers start again from the reloaded state (events may have been skipped).</summary>
    public override void Reloaded()
    {
        foreach (var feed in _feeds)
        {
            feed.MarkReset();
        }
    }

    public override void Stopped(Exception stopping)
    {
        while (_injectedFaults.TryDequeue(out var fault))
        {
            fault.Fail(stopping);
        }
    }

    public override ValueTask DisposeAsync() => _pacerTimer.DisposeAsync();

    private void Observe(ObserveMessage m)
    {
        if (!_feeds.Contains(m.Feed))
        {
            _feeds = [.. _feeds, m.Feed];
        }

        var projection = _state.Projection;
        m.Reply.TrySetResult(new ObservedState(projection.HeadSeq, [.. projection.ActiveSessions], projection.OpenAlerts()));
    }

    /// <summary>
    /// Whether every observer's feed can take one more event. When one cannot, the fan-out stops until that observer has
    /// read some: an observer that falls behind slows the node (admission control then slows the writers) rather than
    /// the feed growing without bound.
    /// </summary>
    private bool FeedsHaveRoom()
    {
        foreach (var feed in _feeds)
        {
            if (!feed.HasRoom)
            {
                _feedFull = true;
                _ = feed.WaitForRoomAsync().AsTask().ContinueWith(static (_, s) => ((LiveInbox)s!).TryWrite(FeedRoomTick.Instance), _inbox,
                    CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The span of fanning out (part of) one commit's events: a trace of its own, linked to the commit's span, since
    /// one pass of the loop serves many commits and its work is no step of any one request.
    /// </summary>
    private static Activity? StartFanoutSpan(Pending batch)
    {
        if (!SwitchboardTracing.Source.HasListeners())
        {
            return null;
        }

        var context = batch.Commit.CommitContext;
        var links = context == default ? null : new[] { new ActivityLink(context) };
        var span = SwitchboardTracing.Source.StartActivity(SwitchboardTracing.Fanout, ActivityKind.Internal, default(ActivityContext), links: links);
        span?.SetTag("switchboard.fanout.first_seq", batch.Commit.Events[batch.Dispatched].Seq);
        return span;
    }

    /// <summary>A commit in the backlog and how many of its events are fanned out (a commit may take several chunks).</summary>
    private sealed class Pending(CommitMessage commit)
    {
        public CommitMessage Commit { get; } = commit;

        public int Dispatched { get; set; }
    }
}
