using Switchboard.Channels.Presence;
using Switchboard.Events;
using Switchboard.Fanout;
using Switchboard.Hosting;
using Switchboard.Live;
using Switchboard.Sessions;
using Switchboard.Storage;

namespace Switchboard.Channels;

/// <summary>
/// Joins and leaves for every transport (WebSocket, long-poll, SSE). A join is decided atomically with the
/// log: subscriptions are registered at an exact position S under the dispatcher's gate, held while the
/// reply and any replay of (since, S] are queued, then released with every live event after S — so a resumed
/// client gets each event exactly once, in order, or a fresh snapshot and <c>resumed: false</c>.
/// </summary>
internal sealed partial class ChannelHub(EventDispatcher dispatcher, ISessionStore store, StreamOptions options, PresenceTracker presence)
{
    public StreamOptions Options { get; } = options;

    public string Epoch => dispatcher.Projection.Epoch;

    /// <summary>The log position dispatched so far.</summary>
    public long HeadSeq
    {
        get
        {
            lock (dispatcher.Gate)
            {
                return dispatcher.Projection.HeadSeq;
            }
        }
    }

    /// <summary>Joins one topic; see <see cref="JoinAllAsync"/>.</summary>
    public async Task<Subscription> JoinAsync(SendQueue queue, JoinRequest request, Action<JoinResult> sendReply, CancellationToken cancellationToken)
    {
        var subs = await JoinAllAsync(queue, [request], results => sendReply(results[0]), cancellationToken);
        return subs[0];
    }

    /// <summary>
    /// Subscribes <paramref name="queue"/> to several topics at one log position. <paramref name="sendReplies"/>
    /// runs exactly once, before any event is queued; the replay that follows is one stream in <c>seq</c>
    /// order with each event once, even when it belongs to several of the topics.
    /// </summary>
    public async Task<Subscription[]> JoinAllAsync(SendQueue queue, IReadOnlyList<JoinRequest> requests,
        Action<JoinResult[]> sendReplies, CancellationToken cancellationToken)
    {
        var subs = new Subscription[requests.Count];
        var results = new JoinResult[requests.Count];
        var since = requests[0].Since;
        var wantsResume = since is not null && requests[0].Epoch == dispatcher.Projection.Epoch;
        if (wantsResume && since > HeadSeq)
        {
            await CatchUpAsync(since!.Value, cancellationToken);
        }

        long position;
        lock (dispatcher.Gate)
        {
            position = dispatcher.Projection.HeadSeq;
            for (var i = 0; i < requests.Count; i++)
            {
                subs[i] = new Subscription(queue, requests[i].Route, requests[i].Labels)
                {
                    JoinRef = requests[i].JoinRef,
                    IsScoped = requests[i].Scope is not null,
                };
                dispatcher.Topics.Add(subs[i]);
                results[i] = new JoinResult { Epoch = dispatcher.Projection.Epoch };
                if (!wantsResume)
                {
                    TakeSnapshot(requests[i], results[i]);
                }
            }
        }

        try
        {
            int? replayed = null;
            if (wantsResume)
            {
                replayed = await CountReplayAsync(subs, since!.Value, position, cancellationToken);
                if (replayed is null)
                {
                    lock (dispatcher.Gate)
                    {
                        position = dispatcher.Projection.HeadSeq;
                        for (var i = 0; i < requests.Count; i++)
                        {
                            TakeSnapshot(requests[i], results[i]);
                        }
                    }
                }
            }

            for (var i = 0; i < requests.Count; i++)
            {
                var r = results[i];
                if (r.HasSession && r.Session is null)
                {
                    r.Session = InScope(requests[i], await FindSettledSessionAsync(requests[i].Route.SessionId!, position, cancellationToken));
                }

                r.Seq = position;
                r.Resumed = replayed is not null;
                r.Replayed = replayed ?? 0;
            }

            sendReplies(results);
            if (replayed is { } expected)
            {
                await StreamReplayAsync(queue, subs, since!.Value, position, expected, cancellationToken);
            }

            lock (dispatcher.Gate)
            {
                GoLive(subs, requests, position);
            }

            return subs;
        }
        catch
        {
            foreach (var sub in subs)
            {
                Leave(sub);
            }

            throw;
        }
    }

    /// <summary>
    /// Releases everything held since <paramref name="position"/> in seq order (several topics may hold the same
    /// event; each frame keeps its topic) and sends joiners of summary topics a fresh summary.
    /// </summary>
    private void GoLive(Subscription[] subs, IReadOnlyList<JoinRequest> requests, long position)
    {
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
            // Stable, so frames of one event keep the order the dispatcher produced them in.
            foreach (var frame in held.Where(f => f.Seq > position).OrderBy(f => f.Seq))
            {
                subs[0].Queue.Enqueue(frame);
            }
        }

        for (var i = 0; i < subs.Length; i++)
        {
            var sub = subs[i];
            if (sub.IsRemoved)
            {
                continue;
            }

            if (sub.Route.Kind is TopicKind.Sessions or TopicKind.Summary && !sub.IsScoped && dispatcher.Summary is { } summary)
            {
                sub.Deliver(summary.FrameFor(sub.Route.Topic));
            }

            if (sub.Route.Kind is TopicKind.Sessions or TopicKind.Session)
            {
                // Others hear about the new viewer; the joiner gets the full state, which already includes itself.
                if (requests[i].Viewer is { } viewer)
                {
                    Broadcast(sub.Route, presence.Track(sub, viewer), except: sub);
                }

                sub.Deliver(presence.State(sub.Route.Topic, sub.JoinRef));
            }
        }
    }

    private void Broadcast(TopicRoute route, OutboundFrame frame, Subscription? except)
    {
        var list = route.Kind == TopicKind.Sessions ? dispatcher.Topics.Sessions : dispatcher.Topics.ForSession(route.SessionId!);
        if (list is null)
        {
            return;
        }

        foreach (var other in list)
        {
            if (other != except)
            {
                other.Deliver(frame);
            }
        }
    }

    /// <summary>
    /// Same epoch but a position ahead of this node: the client comes from another node whose feed is a little
    /// ahead. The database has those events, so wait briefly for this node to see them rather than answer with a
    /// snapshot. (Real time on purpose: this bounds a wait on another process, not application logic.)
    /// </summary>
    private async Task CatchUpAsync(long seq, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + (long)CatchUpWait.TotalMilliseconds;
        while (HeadSeq < seq && Environment.TickCount64 < deadline)
        {
            await Task.Delay(10, cancellationToken);
        }
    }

    private static readonly TimeSpan CatchUpWait = TimeSpan.FromSeconds(3);

    /// <summary>Stops delivery to a subscription. Safe to call more than once.</summary>
    public void Leave(Subscription sub)
    {
        lock (dispatcher.Gate)
        {
            dispatcher.Topics.Remove(sub);
            if (presence.Untrack(sub) is { } diff)
            {
                Broadcast(sub.Route, diff, except: null);
            }
        }
    }

    private void TakeSnapshot(JoinRequest request, JoinResult result)
    {
        var projection = dispatcher.Projection;
        switch (request.Route.Kind)
        {
            case TopicKind.Sessions:
                result.Summary = request.Scope is null ? dispatcher.Summary?.Current() : null;
                result.Sessions = projection.NewestActive(request.SnapshotLimit, request.Labels, out var more);
                result.NextCursor = more && result.Sessions.Count > 0 ? result.Sessions[^1].CreatedSeq : null;
                break;
            case TopicKind.Summary:
                result.Summary = dispatcher.Summary?.Current();
                break;
            case TopicKind.Session:
                result.HasSession = true;
                result.Session = InScope(request, projection.Get(request.Route.SessionId!));
                break;
        }
    }

    /// <summary>
    /// A session absent from the projection at <paramref name="position"/> was either terminated by then (final,
    /// so the stored row is the snapshot) or created later, in which case its events arrive live instead.
    /// A session active at the position would have been in the projection.
    /// </summary>
    private async Task<Session?> FindSettledSessionAsync(string id, long position, CancellationToken cancellationToken)
    {
        var stored = await store.GetSessionAsync(id, cancellationToken);
        return stored is { State: SessionState.Terminated } && stored.CreatedSeq <= position ? stored : null;
    }

    /// <summary>
    /// How many events in (since, upTo] belong to any of <paramref name="subs"/>, or null when that range cannot be
    /// replayed exactly (retention passed, a position this log never issued, or too far behind to be worth it).
    /// </summary>
    private async Task<int?> CountReplayAsync(Subscription[] subs, long since, long upTo, CancellationToken cancellationToken)
    {
        var bounds = await store.GetLogBoundsAsync(cancellationToken);
        if (since > upTo || !bounds.CanResumeFrom(since))
        {
            return null;
        }

        var count = 0;
        await foreach (var _ in ReplayEventsAsync(subs, since, upTo, cancellationToken))
        {
            if (++count > Options.MaxReplayEvents)
            {
                return null; // a snapshot is cheaper than the replay
            }
        }

        // Retention may have run while we read: only trust the count if nothing after `since` was purged.
        var afterRead = await store.GetLogBoundsAsync(cancellationToken);
        return afterRead.CanResumeFrom(since) ? count : null;
    }

    /// <summary>
    /// Queues the replay page by page, pacing itself to the connection so a long replay never overflows its queue.
    /// </summary>
    private async Task StreamReplayAsync(SendQueue queue, Subscription[] subs, long since, long upTo, int expected, CancellationToken cancellationToken)
    {
        var sent = 0;
        await foreach (var (e, topic) in ReplayEventsAsync(subs, since, upTo, cancellationToken))
        {
            await queue.WaitForSpaceAsync(cancellationToken);
            if (!queue.Enqueue(FrameEncoder.Broadcast(topic, e.Type, FrameEncoder.Envelope(e, Epoch), e.Seq)))
            {
                return; // the connection is gone
            }

            sent++;
        }

        if (sent != expected)
        {
            throw new ReplayInterruptedException(
                $"retention purged events while they were being replayed ({sent} of {expected} sent); rejoin to get a snapshot");
        }
    }

    /// <summary>Every event in (since, upTo] that belongs to any of <paramref name="subs"/>, in seq order, each once, with its topic.</summary>
    private async IAsyncEnumerable<(EventRecord Event, string Topic)> ReplayEventsAsync(Subscription[] subs, long since, long upTo,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var relevant = subs.Where(s => s.Route.Kind != TopicKind.Summary).ToArray();
        if (relevant.Length == 0)
        {
            yield break;
        }

        // One session topic alone can use the store's per-session index; anything else reads the whole range.
        var sessionFilter = relevant.Length == 1 ? relevant[0].Route.SessionId : null;
        var sessions = new Dictionary<string, Session?>(StringComparer.Ordinal);
        var after = since;
        while (after < upTo)
        {
            var page = await store.ReadEventsAsync(
                new EventQuery { AfterSeq = after, UpToSeq = upTo, SessionId = sessionFilter, Limit = 1000 }, cancellationToken);
            if (page.Count == 0)
            {
                yield break;
            }

            foreach (var e in page)
            {
                if (await TopicForAsync(relevant, e, sessions, cancellationToken) is { } topic)
                {
                    yield return (e, topic);
                }
            }

            after = page[^1].Seq;
        }
    }

    /// <summary>The topic of the first subscription the event belongs to, or null.</summary>
    private async ValueTask<string?> TopicForAsync(Subscription[] subs, EventRecord e, Dictionary<string, Session?> sessions,
        CancellationToken cancellationToken)
    {
        foreach (var sub in subs)
        {
            Session? labelsSource = null;
            if (sub.Labels is not null && e.SessionId is { } id)
            {
                if (!sessions.TryGetValue(id, out labelsSource))
                {
                    labelsSource = await store.GetSessionAsync(id, cancellationToken);
                    sessions[id] = labelsSource;
                }
            }

            if (EventDispatcher.Belongs(sub, e, labelsSource))
            {
                return sub.Route.Topic;
            }
        }

        return null;
    }
}
