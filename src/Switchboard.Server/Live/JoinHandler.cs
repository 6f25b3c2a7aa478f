using Switchboard.Server.Outbound;

namespace Switchboard.Server.Live;

/// <summary>
/// Topics and joins: registers a join's subscriptions at an exact position, takes its snapshot there, and releases it
/// to live delivery — in the same message when the loop holds the whole snapshot, after the joiner's store reads
/// otherwise (<see cref="JoinCoordinator"/>). Going live hands the joiner's first frames to the other concerns (the
/// first summary, presence, usage, the webhooks' state); a leave tells presence.
/// </summary>
internal sealed class JoinHandler(LiveState state, PresenceHandler presence, UsageHandler usage, SummaryHandler summary, OpenRequestsHandler openRequests,
    WebhooksHandler webhooks) : LiveHandler
{
    public override void Register(MessageRoutes routes)
    {
        routes.On<JoinMessage>(Join);
        routes.On<SnapshotMessage>(m => m.Reply.TrySetResult(Answer(m.Subscriptions, m.Requests, m.Format)));
        routes.On<GoLiveMessage>(m =>
        {
            GoLive(m.Subscriptions, m.Requests, m.Position, m.Replies, m.Starts);
            m.Reply.TrySetResult(true);
        });
        routes.On<LeaveMessage>(Leave);
    }

    private void Join(JoinMessage m)
    {
        var requests = m.Requests;
        var subs = new Subscription[requests.Count];
        var added = 0;
        try
        {
            for (var i = 0; i < requests.Count; i++)
            {
                var r = requests[i];
                subs[i] = new Subscription(m.Queue, r.Route, LabelFilter.From(r.Labels), r.Scope is not null, r.JoinRef)
                {
                    Usage = r.Usage is { } query ? new Switchboard.Server.Live.Usage.UsageWatch(query) : null,
                    IsSubtree = r.Subtree,
                };
                state.Topics.Add(subs[i]);
                added++;
            }

            state.StatsChanged = true;
            m.Reply.TrySetResult(m.Snapshot
                ? Answer(subs, requests, m.Format)
                : new Joined(subs, state.Projection.HeadSeq, [.. requests.Select(_ => new JoinResult(state.Projection.HeadSeq, state.Projection.Epoch))], IsLive: false));
        }
        catch
        {
            for (var i = 0; i < added; i++)
            {
                state.Topics.Remove(subs[i]);
            }

            throw;
        }
    }

    /// <summary>
    /// Snapshots at the current position and, unless one needs the store (a <c>session:{id}</c> whose session is not
    /// active here: ended, or not created yet), the replies queued and the subscriptions live.
    /// </summary>
    private Joined Answer(Subscription[] subs, IReadOnlyList<JoinRequest> requests, JoinReply format)
    {
        var position = state.Projection.HeadSeq;
        var results = new JoinResult[requests.Count];
        var complete = true;
        for (var i = 0; i < requests.Count; i++)
        {
            results[i] = Snapshot(requests[i]);
            // A session not active here, and any subtree (its descendants, ended ones too), are read from the store.
            complete &= !(results[i].HasSession && results[i].Session is null) && !requests[i].Subtree;
        }

        if (!complete)
        {
            return new Joined(subs, position, results, IsLive: false);
        }

        GoLive(subs, requests, position, format.Encode(requests, results));
        return new Joined(subs, position, results, IsLive: true);
    }

    /// <summary>The join reply's snapshot at the current position.</summary>
    private JoinResult Snapshot(JoinRequest request)
    {
        var projection = state.Projection;
        var result = new JoinResult(projection.HeadSeq, projection.Epoch);
        switch (request.Route.Kind)
        {
            case TopicKind.AllSessions:
                return result with
                {
                    FleetSummary = request.Scope is null ? projection.BuildFleetSummary(state.Time.GetUtcNow()) : null,
                    Sessions = projection.NewestActive(request.SnapshotLimit, LabelFilter.From(request.Labels), state.Options.MaxSnapshotBytes),
                };
            case TopicKind.SummaryOnly:
                return result with { FleetSummary = projection.BuildFleetSummary(state.Time.GetUtcNow()) };
            case TopicKind.Alerts:
                return result with { Alerts = projection.OpenAlerts() };
            case TopicKind.Commands:
                return result with { Commands = openRequests.OutstandingCommands(state.Options.MaxSnapshotBytes) };
            case TopicKind.Approvals:
                return result with { Approvals = openRequests.PendingApprovals(state.Options.MaxSnapshotBytes) };
            case TopicKind.OneSession:
                return result with { HasSession = true, Session = JoinCoordinator.InScope(request, projection.Get(request.Route.SessionId!)) };
            default:
                return result;
        }
    }

    /// <summary>
    /// Queues <paramref name="replies"/>, then everything held after <paramref name="position"/> in seq order (several
    /// topics may hold the same event; each frame keeps its topic), then each subscription's first frames from the other
    /// concerns: a fresh summary, the presence state (after telling the others about its viewer), usage held since.
    /// </summary>
    private void GoLive(Subscription[] subs, IReadOnlyList<JoinRequest> requests, long position, IReadOnlyList<OutboundFrame> replies,
        IReadOnlyList<long>? starts = null)
    {
        var queue = subs[0].Queue;
        foreach (var reply in replies)
        {
            queue.Offer(reply, state.Wake);
        }

        List<OutboundFrame>? held = null;
        for (var i = 0; i < subs.Length; i++)
        {
            if (!subs[i].IsRemoved && subs[i].GoLive(Math.Max(position, starts?[i] ?? position)) is { } frames)
            {
                (held ??= []).AddRange(frames);
            }
        }

        if (held is not null)
        {
            // Stable, so frames of one event keep the order they were produced in.
            foreach (var frame in held.OrderBy(f => f.Seq))
            {
                queue.Offer(frame, state.Wake);
            }
        }

        var now = state.Time.GetUtcNow();
        for (var i = 0; i < subs.Length; i++)
        {
            var sub = subs[i];
            if (sub.IsRemoved)
            {
                continue;
            }

            if (sub.Usage is not null)
            {
                usage.Joined(sub, position);
            }

            summary.Joined(sub, now);
            webhooks.Joined(sub);
            presence.Joined(sub, requests[i].Viewer);
        }
    }

    private void Leave(LeaveMessage m)
    {
        foreach (var handle in m.Subscriptions)
        {
            if (handle is not Subscription sub || sub.IsRemoved)
            {
                continue;
            }

            state.Topics.Remove(sub);
            state.StatsChanged = true;
            presence.Left(sub);
        }
    }
}
