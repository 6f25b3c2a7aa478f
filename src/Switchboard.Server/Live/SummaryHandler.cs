using Switchboard.Server.Outbound;

namespace Switchboard.Server.Live;

/// <summary>The summary's timer is due. One instance.</summary>
internal sealed record SummaryDueTick : LiveMessage
{
    public static SummaryDueTick Instance { get; } = new();
}

/// <summary>
/// The fleet summary on <c>sessions</c> and <c>summary</c>: a fresh one to every joiner, and a broadcast when the
/// <see cref="SummaryScheduler"/> says one is due at the end of a pass (after a change, or periodically while sessions
/// are active). A summary goes to queues that are woken at the end of the same pass, so it rides along in their write.
/// </summary>
internal sealed class SummaryHandler : LiveHandler
{
    private readonly LiveState _state;
    private readonly SummaryScheduler _scheduler;
    private readonly ITimer _timer;
    private DateTimeOffset _at = DateTimeOffset.MaxValue;

    public SummaryHandler(LiveState state, LiveInbox inbox)
    {
        _state = state;
        _scheduler = new SummaryScheduler(state.Options);
        _timer = state.Time.CreateTimer(static s => ((LiveInbox)s!).TryWrite(SummaryDueTick.Instance), inbox, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Summaries broadcast since start.</summary>
    public long Sent => _scheduler.Sent;

    public override void Register(MessageRoutes routes) => routes.On<SummaryDueTick>(_ => _at = DateTimeOffset.MaxValue); // fired: re-armed at the end of the pass

    /// <summary>A subscription went live: a subscriber of the fleet's summary (not one scoped to some labels) gets a fresh one.</summary>
    public void Joined(Subscription sub, DateTimeOffset now)
    {
        if (sub.Route.Kind is TopicKind.AllSessions or TopicKind.SummaryOnly && !sub.IsScoped)
        {
            var projection = _state.Projection;
            var envelope = FrameEncoder.SummaryEnvelope(projection.BuildFleetSummary(now).WriteData, projection.Epoch, now);
            sub.Deliver(FrameEncoder.Broadcast(sub.Route.Topic, Switchboard.Core.Events.EventTypes.Summary, envelope, 0), _state.Wake);
        }
    }

    public override void EndPass(LivePass pass)
    {
        if (pass.Dispatched > 0)
        {
            _scheduler.MarkChanged();
        }

        var summary = _scheduler.Poll(_state.Projection, pass.Now, out var due);
        // The next one is scheduled before this one goes out: a subscriber that has it can count on the next.
        var at = due is { } d ? pass.Now + d : DateTimeOffset.MaxValue;
        if (at != _at)
        {
            _at = at;
            _timer.Change(due ?? Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        if (summary is not null)
        {
            Broadcast(summary, pass.Now);
        }
    }

    public override void Reloaded() => _scheduler.MarkChanged();

    public override ValueTask DisposeAsync() => _timer.DisposeAsync();

    private void Broadcast(FleetSummary summary, DateTimeOffset now)
    {
        var topics = _state.Topics;
        if (topics.AllSessions.Count == 0 && topics.SummaryOnly.Count == 0)
        {
            return;
        }

        var envelope = FrameEncoder.SummaryEnvelope(summary.WriteData, _state.Projection.Epoch, now);
        if (topics.AllSessions.Count > 0)
        {
            _state.Broadcast(topics.AllSessions, FrameEncoder.Broadcast(TopicRoute.SessionsTopic, Switchboard.Core.Events.EventTypes.Summary, envelope, 0), skipScoped: true);
        }

        if (topics.SummaryOnly.Count > 0)
        {
            _state.Broadcast(topics.SummaryOnly, FrameEncoder.Broadcast(TopicRoute.SummaryTopic, Switchboard.Core.Events.EventTypes.Summary, envelope, 0), skipScoped: true);
        }
    }
}
