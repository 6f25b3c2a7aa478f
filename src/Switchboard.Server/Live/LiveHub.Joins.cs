using Switchboard.Live.Fanout;
using Switchboard.Outbound;
using Switchboard.Sessions;

namespace Switchboard.Live;

/// <summary>The loop's side of joins and leaves: register at an exact position, snapshot, go live, leave.</summary>
internal sealed partial class LiveHub
{
    private void HandleSubscribe(SubscribeMessage m)
    {
        var requests = m.Requests;
        var subs = new Subscription[requests.Count];
        var results = new JoinResult[requests.Count];
        var added = 0;
        try
        {
            for (var i = 0; i < requests.Count; i++)
            {
                var r = requests[i];
                subs[i] = new Subscription(m.Queue, r.Route, LabelFilter.From(r.Labels), r.Scope is not null, r.JoinRef)
                {
                    Usage = r.Usage is { } query ? new Usage.UsageWatch(query) : null,
                };
                _topics.Add(subs[i]);
                added++;
                results[i] = new JoinResult { Epoch = _projection.Epoch };
                if (m.Snapshot)
                {
                    TakeSnapshot(r, results[i]);
                }
            }
        }
        catch
        {
            for (var i = 0; i < added; i++)
            {
                _topics.Remove(subs[i]);
            }

            throw;
        }

        _statsDirty = true;
        m.Reply.TrySetResult(new Subscribed(subs, _projection.HeadSeq, results));
    }

    private void HandleResnapshot(ResnapshotMessage m)
    {
        for (var i = 0; i < m.Requests.Count; i++)
        {
            TakeSnapshot(m.Requests[i], m.Results[i]);
        }

        m.Reply.TrySetResult(_projection.HeadSeq);
    }

    /// <summary>
    /// Releases everything held after the join's position in seq order (several topics may hold the same event; each frame
    /// keeps its topic), then gives joiners of summary topics a fresh summary and presence joiners the topic's state.
    /// </summary>
    private void HandleGoLive(GoLiveMessage m)
    {
        var subs = m.Subscriptions;
        var wake = _dispatcher.WakeList;
        foreach (var reply in m.Replies)
        {
            subs[0].Queue.Offer(reply, wake);
        }

        List<OutboundFrame>? held = null;
        foreach (var sub in subs)
        {
            if (!sub.IsRemoved && sub.GoLive() is { } frames)
            {
                (held ??= []).AddRange(frames);
            }
        }

        if (held is not null)
        {
            // Stable, so frames of one event keep the order they were produced in.
            foreach (var frame in held.Where(f => f.Seq > m.Position).OrderBy(f => f.Seq))
            {
                subs[0].Queue.Offer(frame, wake);
            }
        }

        var now = _time.GetUtcNow();
        for (var i = 0; i < subs.Length; i++)
        {
            var sub = subs[i];
            if (sub.IsRemoved)
            {
                continue;
            }

            if (sub.Usage is not null)
            {
                _usage.GoLive(sub, m.Position);
            }

            if (sub.Route.Kind is TopicKind.AllSessions or TopicKind.SummaryOnly && !sub.IsScoped)
            {
                var envelope = FrameEncoder.SummaryEnvelope(_projection.BuildFleetSummary(now).WriteData, _projection.Epoch, now);
                sub.Deliver(FrameEncoder.Broadcast(sub.Route.Topic, Events.EventTypes.Summary, envelope, 0), wake);
            }

            if (sub.Route.Kind is TopicKind.AllSessions or TopicKind.OneSession)
            {
                // Others hear about the new viewer; the joiner gets the full state, which already includes itself.
                if (m.Requests[i].Viewer is { } viewer)
                {
                    var (diff, shared) = _presence.Track(sub, viewer);
                    BroadcastPresence(sub.Route, diff, except: sub);
                    _presenceSync?.Added(shared);
                }

                sub.Deliver(_presence.State(sub.Route.Topic, sub.JoinRef), wake);
            }
        }

        m.Reply.TrySetResult(true);
    }

    private void HandleLeave(LeaveMessage m)
    {
        foreach (var handle in m.Subscriptions)
        {
            if (handle is not Subscription sub || sub.IsRemoved)
            {
                continue;
            }

            _topics.Remove(sub);
            _statsDirty = true;
            if (_presence.Untrack(sub) is { } left)
            {
                BroadcastPresence(sub.Route, left.Diff, except: null);
                _presenceSync?.Removed(left.Ref);
            }
        }
    }

    /// <summary>Brings the other nodes' viewers up to date and tells each topic's subscribers what changed.</summary>
    private void HandleRemotePresence(RemotePresenceMessage m)
    {
        foreach (var (topic, diff) in _presence.ApplyRemote(m.Snapshot))
        {
            if (TopicRoute.TryParse(topic, out var route))
            {
                BroadcastPresence(route, diff, except: null);
            }
        }
    }

    private void BroadcastPresence(TopicRoute route, OutboundFrame frame, Subscription? except)
    {
        var list = route.Kind == TopicKind.AllSessions ? _topics.AllSessions : _topics.ForSession(route.SessionId!);
        if (list is not null)
        {
            _dispatcher.Broadcast(list, frame, except);
        }
    }

    /// <summary>The join reply's snapshot at the current position.</summary>
    private void TakeSnapshot(JoinRequest request, JoinResult result)
    {
        switch (request.Route.Kind)
        {
            case TopicKind.AllSessions:
                result.FleetSummary = request.Scope is null ? _projection.BuildFleetSummary(_time.GetUtcNow()) : null;
                result.Sessions = _projection.NewestActive(request.SnapshotLimit, LabelFilter.From(request.Labels), _options.MaxSnapshotBytes, out var more);
                result.NextCursor = more && result.Sessions.Count > 0 ? result.Sessions[^1].CreatedSeq : null;
                break;
            case TopicKind.SummaryOnly:
                result.FleetSummary = _projection.BuildFleetSummary(_time.GetUtcNow());
                break;
            case TopicKind.Alerts:
                result.Alerts = _projection.OpenAlerts();
                break;
            case TopicKind.OneSession:
                result.HasSession = true;
                result.Session = JoinCoordinator.InScope(request, _projection.Get(request.Route.SessionId!));
                break;
        }
    }
}
