using Switchboard.Core.Events;
using Switchboard.Server.Live.Fanout;
using Switchboard.Server.Outbound;

namespace Switchboard.Server.Live;

/// <summary>
/// Applies committed events to the projection and fans each out: the envelope is encoded once, each topic's frame once,
/// and every subscriber gets a reference to the same bytes. A connection that got frames is listed in
/// <paramref name="wake"/>, to be woken once at the end of the pass, after everything of that pass is queued, so it
/// drains a burst in one write. Used by the <see cref="ProjectionHandler"/> on the live loop; no locks, no callbacks out.
/// </summary>
internal sealed class FanoutDispatcher(SessionProjection projection, TopicRegistry topics, FanoutPacer pacer, UsageFanout usage, OpenRequestsHandler openRequests,
    List<SendQueue> wake, TreeHandler? trees = null)
{
    /// <summary>Subscriber deliveries since start.</summary>
    public long Deliveries { get; private set; }

    public SessionProjection Projection { get; } = projection;

    public TopicRegistry Topics { get; } = topics;

    /// <summary>Applies one event and queues its frames; returns how many subscribers it went to. Skips what was applied before.</summary>
    public int Dispatch(EventRecord e)
    {
        if (e.Seq <= Projection.HeadSeq)
        {
            return 0; // already applied (a feed may repeat after reconnecting, a reload may have moved past it)
        }

        usage.BeforeApply(Topics, Projection);
        var (before, after) = Projection.Apply(e);
        usage.AfterApply(e, before, after, Projection.ActiveCount, Topics.Usage);
        if (EventTypes.IsAlert(e.Type))
        {
            return DispatchAside(e, Topics.Alerts, TopicRoute.AlertsTopic);
        }

        if (EventTypes.IsCommand(e.Type))
        {
            openRequests.CommandApplied(e);
            return DispatchAside(e, Topics.Commands, TopicRoute.CommandsTopic);
        }

        if (EventTypes.IsApproval(e.Type))
        {
            openRequests.ApprovalApplied(e);
            return DispatchAside(e, Topics.Approvals, TopicRoute.ApprovalsTopic);
        }

        byte[]? envelope = null;
        var delivered = 0;
        // A usage-only update may be conflated with a pending one of the same session and fields for a lagging subscriber.
        var usageMask = e.Type == EventTypes.SessionUpdated && before is not null && after is not null
            ? SessionChanges.UsageOnlyMask(before, after) : 0;

        var sessions = Topics.AllSessions;
        if (sessions.Count > 0)
        {
            envelope = FrameEncoder.Envelope(e, Projection.Epoch);
            // A child's usage carries its ancestors' subtree_delta: a subscriber holding them must get every one (never conflated).
            var frame = FrameEncoder.Broadcast(TopicRoute.SessionsTopic, e.Type, envelope, e.Seq,
                usageMask == 0 || after is { Depth: > 0 } ? null : $"{TopicRoute.SessionsTopic}|{e.SessionId}|{usageMask}");
            delivered += Deliver(sessions, frame, e, before?.Labels, after?.Labels, TopicRoute.SessionsTopic);
        }

        if (e.SessionId is { } id && Topics.ForSession(id) is { Count: > 0 } watchers)
        {
            envelope ??= FrameEncoder.Envelope(e, Projection.Epoch);
            var topic = TopicRoute.SessionPrefix + id;
            var frame = FrameEncoder.Broadcast(topic, e.Type, envelope, e.Seq, usageMask == 0 ? null : $"{topic}|{usageMask}");
            // Labels on a session topic are a token's scope: a session outside it stays invisible.
            delivered += Deliver(watchers, frame, e, before?.Labels, after?.Labels, topic);
        }

        if (trees is not null)
        {
            delivered += trees.Deliver(e, before, after, usageMask, ref envelope, this);
        }

        Deliveries += delivered;
        return delivered;
    }

    /// <summary>
    /// An alert or command event goes to its fleet topic (<c>alerts</c>, <c>commands</c>) and, when it is about a session,
    /// to that session's topic and to the session's subtree subscribers (never a descendant's: those are theirs), as the
    /// replay does (<see cref="JoinCoordinator.InSubtree"/>); never to <c>sessions</c>. Label-scoped subscribers decide
    /// from the session labels the event carries.
    /// </summary>
    private int DispatchAside(EventRecord e, List<Subscription> fleet, string fleetTopic)
    {
        var delivered = 0;
        byte[]? envelope = null;
        if (fleet.Count > 0)
        {
            envelope = FrameEncoder.Envelope(e, Projection.Epoch);
            delivered += Deliver(fleet, FrameEncoder.Broadcast(fleetTopic, e.Type, envelope, e.Seq), e, null, null, fleetTopic);
        }

        if (e.SessionId is { } id)
        {
            var topic = TopicRoute.SessionPrefix + id;
            // Alerting is fleet-wide: a subscriber scoped by its credentials' labels gets no alert (as on GET /api/events).
            var skipScoped = EventTypes.IsAlert(e.Type);
            delivered += DeliverAside(Topics.ForSession(id), e, topic, skipScoped, ref envelope);
            delivered += DeliverAside(Topics.ForSubtree(id), e, topic, skipScoped, ref envelope);
        }

        Deliveries += delivered;
        return delivered;
    }

    private int DeliverAside(List<Subscription>? watchers, EventRecord e, string topic, bool skipScoped, ref byte[]? envelope)
    {
        if (watchers is not { Count: > 0 })
        {
            return 0;
        }

        envelope ??= FrameEncoder.Envelope(e, Projection.Epoch);
        return Deliver(watchers, FrameEncoder.Broadcast(topic, e.Type, envelope, e.Seq), e, null, null, topic, skipScoped);
    }

    /// <summary>Hands <paramref name="frame"/> to each subscriber the event belongs to (label filters), recording each with the pacer.</summary>
    public int DeliverTo(List<Subscription> subscribers, OutboundFrame frame, EventRecord e,
        IReadOnlyDictionary<string, string>? before, IReadOnlyDictionary<string, string>? after, string topic) =>
        Deliver(subscribers, frame, e, before, after, topic);

    private int Deliver(List<Subscription> subscribers, OutboundFrame frame, EventRecord e,
        IReadOnlyDictionary<string, string>? before, IReadOnlyDictionary<string, string>? after, string topic, bool skipScoped = false)
    {
        var delivered = 0;
        OutboundFrame? scoped = null;
        // The clock is read once for the whole broadcast, not once per subscriber (queues share it: the system clock).
        TimeProvider? clock = null;
        long now = 0;
        foreach (var sub in subscribers)
        {
            if ((sub.Filter is null || sub.Filter.Includes(e, before, after)) && !(skipScoped && sub.IsScoped))
            {
                // A label-scoped subscriber's copy leaves out the fleet-wide count (encoded once per event, when needed).
                var own = sub.Filter is not null && FrameEncoder.CarriesFleetCount(e.Type)
                    ? scoped ??= FrameEncoder.Broadcast(topic, e.Type, FrameEncoder.Envelope(e, Projection.Epoch, scoped: true), e.Seq)
                    : frame;
                if (!ReferenceEquals(sub.Queue.Clock, clock))
                {
                    clock = sub.Queue.Clock;
                    now = clock.GetTimestamp();
                }

                var result = sub.Deliver(own, wake, now);
                if (!sub.IsPending)
                {
                    pacer.Record(result, sub.Queue);
                }

                delivered++;
            }
        }

        return delivered;
    }
}
