using Switchboard.Core.Events;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Server.Outbound;

namespace Switchboard.Server.Live;

/// <summary>
/// Replay: count the events a resume needs, then stream them paced to the connection. A resume reads at most
/// <c>Stream:MaxReplayEvents</c> events of the log (of the session, for a lone session topic), whatever its
/// filter matches among them; past that it gets a fresh snapshot, as a topic stream's read stops at its scan bound.
/// </summary>
internal sealed partial class JoinCoordinator
{
    /// <summary>
    /// How many events in (since, upTo] belong to any of <paramref name="subs"/>, or null when that range cannot be
    /// replayed exactly (retention passed, a position this log never issued), or would read more of the log than a snapshot
    /// costs: past <c>Stream:MaxReplayEvents</c> events read, matching or not, so a narrow filter resuming
    /// from far back never reads the whole log.
    /// </summary>
    private async Task<int?> CountReplayAsync(Subscription[] subs, long since, long upTo, CancellationToken cancellationToken)
    {
        var bounds = await store.GetLogBoundsAsync(cancellationToken);
        if (since > upTo || !bounds.CanResumeFrom(since))
        {
            return null;
        }

        var count = 0;
        var scanned = 0;
        await foreach (var (_, sub) in ScanAsync(subs, since, upTo, cancellationToken))
        {
            if (++scanned > Options.MaxReplayEvents)
            {
                return null; // a snapshot is cheaper than the replay
            }

            if (sub is not null)
            {
                count++;
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
        await foreach (var (e, sub) in ScanAsync(subs, since, upTo, cancellationToken))
        {
            if (sub is null)
            {
                continue;
            }

            await queue.WaitForSpaceAsync(cancellationToken);
            var envelope = FrameEncoder.Envelope(e, live.Epoch, scoped: sub.Filter is not null);
            if (!queue.Enqueue(FrameEncoder.Broadcast(sub.Topic, e.Type, envelope, e.Seq)))
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

    /// <summary>
    /// Every event in (since, upTo] the store reads for <paramref name="subs"/>, in seq order, each once, with the first
    /// subscription it belongs to (null: none; counted as read all the same).
    /// </summary>
    private async IAsyncEnumerable<(EventRecord Event, Subscription? Subscription)> ScanAsync(Subscription[] subs, long since, long upTo,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var relevant = subs.Where(s => s.Route.Kind is not (TopicKind.SummaryOnly or TopicKind.Webhooks)).ToArray();
        if (relevant.Length == 0)
        {
            yield break;
        }

        // One session topic alone can use the store's per-session index (a subtree its root-and-path index); anything else
        // reads the whole range.
        var sessionFilter = relevant.Length == 1 && !relevant[0].IsSubtree ? relevant[0].Route.SessionId : null;
        SubtreeFilter? subtreeFilter = null;
        if (relevant is [{ IsSubtree: true } only])
        {
            subtreeFilter = await SubtreeFilterAsync(only.Route.SessionId!, cancellationToken);
            if (subtreeFilter is null)
            {
                yield break; // the session does not exist: none of its subtree's events can
            }
        }

        var sessions = new Dictionary<string, Session?>(StringComparer.Ordinal);
        var after = since;
        while (after < upTo)
        {
            var page = await store.ReadEventsAsync(
                new EventQuery { AfterSeq = after, UpToSeq = upTo, SessionId = sessionFilter, Subtree = subtreeFilter, Limit = 1000 }, cancellationToken);
            if (page.Count == 0)
            {
                yield break;
            }

            foreach (var e in page)
            {
                yield return (e, await SubscriptionForAsync(relevant, e, sessions, cancellationToken));
            }

            after = page[^1].Seq;
        }
    }

    /// <summary>
    /// The first subscription the event belongs to, or null, by the same rule as live delivery
    /// (<see cref="TopicMembership"/>). Only events logged before labels were recorded need the stored session.
    /// </summary>
    private async ValueTask<Subscription?> SubscriptionForAsync(Subscription[] subs, EventRecord e, Dictionary<string, Session?> sessions,
        CancellationToken cancellationToken)
    {
        async ValueTask<IReadOnlyDictionary<string, string>?> StoredLabels(string id)
        {
            if (!sessions.TryGetValue(id, out var stored))
            {
                stored = await store.GetSessionAsync(id, cancellationToken);
                sessions[id] = stored;
            }

            return stored?.Labels;
        }

        foreach (var sub in subs)
        {
            if (await TopicMembership.IncludesAsync(sub.Route, sub.IsSubtree, sub.Filter, sub.IsScoped, e, StoredLabels))
            {
                return sub;
            }
        }

        return null;
    }
}
