using Microsoft.Extensions.Logging;
using Switchboard.Options;
using Switchboard.Outbound;
using Switchboard.Sessions;
using Switchboard.Storage;

namespace Switchboard.Live;

/// <summary>
/// Joins for every transport (WebSocket, long-poll, SSE), decided atomically with the log: the live loop registers the
/// subscriptions at an exact position S (and takes the snapshot there), holds their live frames while the reply and any
/// replay of (since, S] are queued, then releases every live event after S. A resumed client so gets each event exactly
/// once, in order, or a fresh snapshot and <c>resumed: false</c>. The store is read here, never on the loop.
/// </summary>
internal sealed partial class JoinCoordinator(LiveHub live, ISessionStore store, StreamOptions options, ILogger<JoinCoordinator> logger,
    SwitchboardOptions? switchboard = null, TimeProvider? time = null)
{
    /// <summary>How long a resume from another node's later position waits for this node's feed to get there.</summary>
    private static readonly TimeSpan CatchUpWait = TimeSpan.FromSeconds(3);

    public StreamOptions Options { get; } = options;

    public string Epoch => live.Epoch;

    /// <summary>What the <c>usage</c> join params are read against, now.</summary>
    public Usage.UsageJoinContext UsageContext => new(switchboard?.Usage ?? new UsageSettings(), (time ?? TimeProvider.System).GetUtcNow());

    /// <summary>The log position fanned out so far.</summary>
    public long HeadSeq => live.HeadSeq;

    /// <summary>Joins one topic; see <see cref="JoinAllAsync"/>.</summary>
    public async Task<ISubscription> JoinAsync(SendQueue queue, JoinRequest request, Func<JoinResult, OutboundFrame> encodeReply, Action? answered,
        CancellationToken cancellationToken)
    {
        var subs = await JoinAllAsync(queue, [request], results => [encodeReply(results[0])], answered, cancellationToken);
        return subs[0];
    }

    /// <summary>
    /// Subscribes <paramref name="queue"/> to several topics at one log position. <paramref name="encodeReplies"/> runs
    /// exactly once and its frames are queued before any event; the replay that follows is one stream in <c>seq</c> order
    /// with each event once, even when it belongs to several of the topics. <paramref name="answered"/> runs once the
    /// replies are queued and the join is live, or replaying (a long replay goes on while the connection serves other
    /// messages). Without a replay the replies, the first summary and presence go out in one write. Throws
    /// <see cref="StoreUnavailableException"/> when the store cannot be read for a resume.
    /// </summary>
    public async Task<ISubscription[]> JoinAllAsync(SendQueue queue, IReadOnlyList<JoinRequest> requests,
        Func<JoinResult[], IReadOnlyList<OutboundFrame>> encodeReplies, Action? answered, CancellationToken cancellationToken)
    {
        if (requests is [{ Usage: not null } usage])
        {
            return [await JoinUsageAsync(queue, usage, encodeReplies, answered, cancellationToken)];
        }

        var since = requests[0].Since;
        var wantsResume = since is not null && requests[0].Epoch == live.Epoch;
        if (wantsResume && since > live.HeadSeq)
        {
            await CatchUpAsync(since!.Value, cancellationToken);
        }

        var (subs, position, results) = await live.SubscribeAsync(queue, requests, snapshot: !wantsResume);
        try
        {
            int? replayed = null;
            if (wantsResume)
            {
                replayed = await CountReplayAsync(subs, since!.Value, position, cancellationToken);
                if (replayed is null)
                {
                    position = await live.ResnapshotAsync(subs, requests, results);
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

            var replies = encodeReplies(results);
            if (replayed is { } expected)
            {
                foreach (var reply in replies)
                {
                    queue.Enqueue(reply);
                }

                answered?.Invoke();
                await StreamReplayAsync(queue, subs, since!.Value, position, expected, cancellationToken);
                await live.GoLiveAsync(subs, requests, position, []);
            }
            else
            {
                await live.GoLiveAsync(subs, requests, position, replies);
                answered?.Invoke();
            }

            return subs;
        }
        catch
        {
            live.Leave(subs);
            throw;
        }
    }

    /// <summary>
    /// Joins <c>usage</c>: the loop registers the subscription (it holds each later event's increments with its seq), the
    /// series is read from the store off the loop, counting the events up to its <c>as_of_seq</c> A, the reply carries
    /// both, and going live keeps only the increments of events after A. Reply plus updates count every event once.
    /// </summary>
    private async Task<ISubscription> JoinUsageAsync(SendQueue queue, JoinRequest request, Func<JoinResult[], IReadOnlyList<OutboundFrame>> encodeReplies,
        Action? answered, CancellationToken cancellationToken)
    {
        var (subs, _, results) = await live.SubscribeAsync(queue, [request], snapshot: false);
        try
        {
            var query = request.Usage!;
            var read = await store.ReadUsageAsync(query, cancellationToken);
            results[0].Seq = read.AsOfSeq;
            results[0].Usage = (query, read.Rows);
            results[0].UsageGroupKeys = switchboard?.Usage.GroupBy.Distinct(StringComparer.Ordinal).ToList() ?? [];
            await live.GoLiveAsync(subs, [request], read.AsOfSeq, encodeReplies(results));
            answered?.Invoke();
            return subs[0];
        }
        catch
        {
            live.Leave(subs);
            throw;
        }
    }

    /// <summary>Stops delivery to a subscription. Returns at once; safe to call more than once.</summary>
    public void Leave(ISubscription sub) => live.Leave(sub);

    /// <summary>Stops delivery to several subscriptions.</summary>
    public void Leave(IReadOnlyList<ISubscription> subs) => live.Leave(subs);

    /// <summary>Logs why a join failed, once, at a level that fits the cause.</summary>
    public void LogFailure(string topic, Exception error)
    {
        if (error is StoreUnavailableException)
        {
            LiveLog.JoinStoreUnavailable(logger, topic, error);
        }
        else
        {
            LiveLog.JoinCrashed(logger, topic, error);
        }
    }

    /// <summary>The session as a scoped snapshot may show it: null when it lies outside the scope.</summary>
    internal static Session? InScope(JoinRequest request, Session? session) =>
        session is null || LabelFilter.From(request.Scope) is not { } scope || scope.Matches(session.Labels) ? session : null;

    /// <summary>
    /// Same epoch but a position ahead of this node: the client comes from another node whose feed is a little ahead.
    /// The database has those events, so wait briefly for this node to see them rather than answer with a snapshot.
    /// (Real time on purpose: this bounds a wait on another process, not application logic.)
    /// </summary>
    /// <remarks>When the wait runs out, the join goes on at this node's position: the resume then finds `since` ahead of it and takes a snapshot.</remarks>
    private Task CatchUpAsync(long seq, CancellationToken cancellationToken) =>
        live.WhenAppliedAsync(seq, CatchUpWait).WaitAsync(cancellationToken);

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
}
