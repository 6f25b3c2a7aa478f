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
internal sealed class ChannelHub(EventDispatcher dispatcher, ISessionStore store, StreamOptions options)
{
    public StreamOptions Options { get; } = options;

    public string Epoch => dispatcher.Projection.Epoch;

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
        long position;
        lock (dispatcher.Gate)
        {
            position = dispatcher.Projection.HeadSeq;
            for (var i = 0; i < requests.Count; i++)
            {
                subs[i] = new Subscription(queue, requests[i].Route, requests[i].Labels);
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
            List<OutboundFrame>? replay = null;
            if (wantsResume)
            {
                replay = await ReadReplayAsync(subs, since!.Value, position, cancellationToken);
                if (replay is null)
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
                    r.Session = await FindSettledSessionAsync(requests[i].Route.SessionId!, position, cancellationToken);
                }

                r.Seq = position;
                r.Resumed = replay is not null;
                r.Replayed = replay?.Count ?? 0;
            }

            sendReplies(results);
            if (replay is not null)
            {
                foreach (var frame in replay)
                {
                    queue.Enqueue(frame);
                }
            }

            lock (dispatcher.Gate)
            {
                GoLive(subs, position);
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
    private void GoLive(Subscription[] subs, long position)
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

        foreach (var sub in subs)
        {
            if (!sub.IsRemoved && sub.Route.Kind is TopicKind.Sessions or TopicKind.Summary && dispatcher.Summary is { } summary)
            {
                sub.Deliver(summary.FrameFor(sub.Route.Topic));
            }
        }
    }

    /// <summary>Stops delivery to a subscription. Safe to call more than once.</summary>
    public void Leave(Subscription sub)
    {
        lock (dispatcher.Gate)
        {
            dispatcher.Topics.Remove(sub);
        }
    }

    private void TakeSnapshot(JoinRequest request, JoinResult result)
    {
        var projection = dispatcher.Projection;
        switch (request.Route.Kind)
        {
            case TopicKind.Sessions:
                result.Summary = dispatcher.Summary?.Current();
                result.Sessions = projection.NewestActive(request.SnapshotLimit, request.Labels, out var more);
                result.NextCursor = more && result.Sessions.Count > 0 ? result.Sessions[^1].CreatedSeq : null;
                break;
            case TopicKind.Summary:
                result.Summary = dispatcher.Summary?.Current();
                break;
            case TopicKind.Session:
                result.HasSession = true;
                result.Session = projection.Get(request.Route.SessionId!);
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
    /// Frames for every event in (since, upTo] that belongs to any of <paramref name="subs"/>, in seq order and
    /// each once, or null when that range cannot be replayed exactly (retention, or too far behind).
    /// </summary>
    private async Task<List<OutboundFrame>?> ReadReplayAsync(Subscription[] subs, long since, long upTo, CancellationToken cancellationToken)
    {
        var bounds = await store.GetLogBoundsAsync(cancellationToken);
        if (since > upTo || !bounds.CanResumeFrom(since))
        {
            return null;
        }

        var frames = new List<OutboundFrame>();
        var relevant = subs.Where(s => s.Route.Kind != TopicKind.Summary).ToArray();
        if (relevant.Length == 0 || since == upTo)
        {
            return frames;
        }

        // One session topic alone can use the store's per-session index; anything else reads the whole range.
        var sessionFilter = relevant.Length == 1 ? relevant[0].Route.SessionId : null;
        var max = Options.MaxReplayEvents;
        var sessions = new Dictionary<string, Session?>(StringComparer.Ordinal);
        var after = since;
        while (after < upTo)
        {
            var page = await store.ReadEventsAsync(
                new EventQuery { AfterSeq = after, UpToSeq = upTo, SessionId = sessionFilter, Limit = 5000 }, cancellationToken);
            if (page.Count == 0)
            {
                break;
            }

            foreach (var e in page)
            {
                var target = await TopicForAsync(relevant, e, sessions, cancellationToken);
                if (target is null)
                {
                    continue;
                }

                frames.Add(FrameEncoder.Broadcast(target, e.Type, FrameEncoder.Envelope(e, Epoch), e.Seq));
                if (frames.Count > max)
                {
                    return null; // too far behind: a snapshot is cheaper than the replay
                }
            }

            after = page[^1].Seq;
        }

        // Retention may have run while we read: only trust the replay if nothing after `since` was purged.
        var afterRead = await store.GetLogBoundsAsync(cancellationToken);
        return afterRead.CanResumeFrom(since) ? frames : null;
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
