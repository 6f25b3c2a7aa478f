using Switchboard.Live.Presence;
using Switchboard.Events;
using Switchboard.Outbound;
using Switchboard.Live.Fanout;
using Switchboard.Hosting;
using Switchboard.Live;
using Switchboard.Sessions;
using Switchboard.Storage;

namespace Switchboard.Live;

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
}
