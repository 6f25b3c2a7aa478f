using Microsoft.Extensions.Logging;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Server.Ingest;
using Switchboard.Server.Options;
using Switchboard.Server.Outbound;

namespace Switchboard.Server.Live;

/// <summary>
/// Joins for every transport (WebSocket, long-poll, SSE), decided atomically with the log: the live loop registers the
/// subscriptions at an exact position S (and takes the snapshot there), holds their live frames while the reply and any
/// replay of (since, S] are queued, then releases every live event after S. A resumed client so gets each event exactly
/// once, in order, or a fresh snapshot and <c>resumed: false</c>. The store is read here, never on the loop.
/// <para>
/// Trips to the loop. A fresh join whose snapshot the loop holds is answered in one: registered, snapshotted, its
/// replies queued (the loop encodes them, as <see cref="JoinReply"/> says) and live in the same message. A second trip is
/// needed only where the store must be read between fixing the position and going live, and the read must not run on
/// the loop: a resume (it counts and streams the replay of (since, S] from the log; if the range cannot be replayed, the
/// second trip takes a fresh snapshot instead and goes live), a <c>session:{id}</c> snapshot of a session not active at
/// S (its stored row says whether it ended by then), and <c>usage</c> (its series up to the reply's <c>as_of_seq</c>).
/// A resume from a position this node has not reached yet first waits for it (<see cref="CatchUpAsync"/>).
/// </para>
/// <para>
/// Read-your-writes, as for HTTP reads (<see cref="LiveReads"/>): a join first waits, at most
/// <see cref="AppliedWait"/>, until the loop has applied everything this node had committed when the join arrived, so a
/// client that got a 2xx and then subscribes finds its write in the snapshot, not only in the stream after it.
/// </para>
/// </summary>
internal sealed partial class JoinCoordinator(LiveHub live, GroupCommit pipeline, ISessionStore store, SocketOptions options, ILogger<JoinCoordinator> logger,
    SwitchboardOptions? switchboard = null, TimeProvider? time = null, Switchboard.Core.Trees.TreeCursor? cursors = null)
{
    /// <summary>How long a resume from another node's later position waits for this node's feed to get there.</summary>
    private static readonly TimeSpan CatchUpWait = TimeSpan.FromSeconds(3);

    /// <summary>How long a join waits for the loop to apply this node's commits; after it, the snapshot is what the loop has.</summary>
    private static readonly TimeSpan AppliedWait = TimeSpan.FromSeconds(2);

    private long _busyRefusals;

    public SocketOptions Options { get; } = options;

    public string Epoch => live.Epoch;

    /// <summary>What the <c>usage</c> join params are read against, now.</summary>
    public Switchboard.Server.Live.Usage.UsageJoinContext UsageContext => new(switchboard?.Usage ?? new UsageSettings(), (time ?? TimeProvider.System).GetUtcNow());

    /// <summary>The log position fanned out so far.</summary>
    public long HeadSeq => live.HeadSeq;

    /// <summary>Joins one topic; see <see cref="JoinAllAsync"/>.</summary>
    public async Task<ISubscription> JoinAsync(SendQueue queue, JoinRequest request, JoinReply reply, Action? answered, CancellationToken cancellationToken)
    {
        var subs = await JoinAllAsync(queue, [request], reply, answered, cancellationToken);
        return subs[0];
    }

    /// <summary>
    /// Subscribes <paramref name="queue"/> to several topics at one log position. The replies (framed as
    /// <paramref name="reply"/> says) are queued before any event; the replay that follows is one stream in <c>seq</c>
    /// order with each event once, even when it belongs to several of the topics. <paramref name="answered"/> runs once
    /// the replies are queued and the join is live, or replaying (a long replay goes on while the connection serves other
    /// messages). Without a replay the replies, the first summary and presence go out in one write. Throws
    /// <see cref="StoreUnavailableException"/> when the store cannot be read for a resume.
    /// </summary>
    public async Task<ISubscription[]> JoinAllAsync(SendQueue queue, IReadOnlyList<JoinRequest> requests, JoinReply reply, Action? answered,
        CancellationToken cancellationToken)
    {
        await live.WhenAppliedAsync(pipeline.LastCommittedSeq, AppliedWait);
        if (requests is [{ Usage: not null } usage])
        {
            return [await JoinUsageAsync(queue, usage, reply, answered, cancellationToken)];
        }

        var since = requests[0].Since;
        var wantsResume = since is not null && requests[0].Epoch == live.Epoch;
        if (wantsResume && since > live.HeadSeq)
        {
            await CatchUpAsync(since!.Value, cancellationToken);
        }

        // Trip 1: the position S. A fresh join the loop can answer from memory is live when this returns.
        var joined = await live.JoinAsync(queue, requests, reply, snapshot: !wantsResume);
        var subs = joined.Subscriptions;
        try
        {
            if (!joined.IsLive && wantsResume)
            {
                var replayed = await CountReplayAsync(subs, since!.Value, joined.Position, cancellationToken);
                if (replayed is { } expected)
                {
                    foreach (var frame in reply.Encode(requests, [.. joined.Results.Select(r => r with { Resumed = true, Replayed = expected })]))
                    {
                        queue.Enqueue(frame);
                    }

                    answered?.Invoke();
                    await StreamReplayAsync(queue, subs, since.Value, joined.Position, expected, cancellationToken);
                    await live.GoLiveAsync(subs, requests, joined.Position, []); // trip 2: release what arrived after S
                    return subs;
                }

                // Trip 2: the range cannot be replayed; a fresh snapshot at the loop's position now, live there if it can be.
                joined = await live.SnapshotAsync(subs, requests, reply);
            }

            if (!joined.IsLive)
            {
                // A session:{id} whose session was not active at the position: its stored row, read here; a subtree: its first
                // page, read from the store as of a position at or after S. Then live (one more trip).
                var results = new JoinResult[requests.Count];
                long[]? starts = null;
                for (var i = 0; i < requests.Count; i++)
                {
                    var r = joined.Results[i];
                    if (requests[i].Subtree)
                    {
                        results[i] = await SubtreeSnapshotAsync(requests[i], r, joined.Position, cancellationToken);
                        (starts ??= [.. requests.Select(_ => joined.Position)])[i] = results[i].Seq;
                        continue;
                    }

                    results[i] = r.HasSession && r.Session is null
                        ? r with { Session = InScope(requests[i], await FindSettledSessionAsync(requests[i].Route.SessionId!, joined.Position, cancellationToken)) }
                        : r;
                }

                await live.GoLiveAsync(subs, requests, joined.Position, reply.Encode(requests, results), starts);
            }

            answered?.Invoke();
            return subs;
        }
        catch
        {
            live.Leave(subs);
            throw;
        }
    }

    /// <summary>
    /// Joins <c>usage</c> in two trips: the loop registers the subscription (it holds each later event's increments with
    /// its seq), the series is read from the store off the loop, counting the events up to its <c>as_of_seq</c> A, the
    /// reply carries both, and going live keeps only the increments of events after A. Reply plus updates count every
    /// event once.
    /// </summary>
    private async Task<ISubscription> JoinUsageAsync(SendQueue queue, JoinRequest request, JoinReply reply, Action? answered,
        CancellationToken cancellationToken)
    {
        var joined = await live.JoinAsync(queue, [request], reply, snapshot: false);
        var subs = joined.Subscriptions;
        try
        {
            var query = request.Usage!;
            var read = await store.ReadUsageAsync(query, cancellationToken);
            var groupKeys = switchboard?.Usage.GroupBy.Distinct(StringComparer.Ordinal).ToList() ?? [];
            var result = joined.Results[0] with { Seq = read.AsOfSeq, Usage = new UsageSeries(query, read.Rows, groupKeys) };
            await live.GoLiveAsync(subs, [request], read.AsOfSeq, reply.Encode([request], [result]));
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
        if (error is LiveBusyException)
        {
            // A storm would log a line per refused join: the first and every thousandth.
            var refused = Interlocked.Increment(ref _busyRefusals);
            if (refused == 1 || refused % 1000 == 0)
            {
                LiveLog.JoinsRefused(logger, refused, error.Message);
            }
        }
        else if (error is StoreUnavailableException)
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
