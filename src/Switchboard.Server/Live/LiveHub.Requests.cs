using Switchboard.Server.Outbound;

namespace Switchboard.Server.Live;

/// <summary>Joins, leaves, reads and observers, each a message to the loop.</summary>
internal sealed partial class LiveHub
{
    /// <summary>
    /// Registers subscriptions of <paramref name="queue"/> at the loop's position; with <paramref name="snapshot"/> it
    /// also takes the snapshot and, when the loop holds all of it, answers and goes live in this one trip (see
    /// <see cref="JoinCoordinator"/>).
    /// </summary>
    public Task<Joined> JoinAsync(SendQueue queue, IReadOnlyList<JoinRequest> requests, JoinReply format, bool snapshot) =>
        Request(new JoinMessage(queue, requests, format, snapshot)).Reply.Task;

    /// <summary>Takes fresh snapshots for pending subscriptions whose resume cannot be replayed, and goes live when it can.</summary>
    public Task<Joined> SnapshotAsync(Subscription[] subs, IReadOnlyList<JoinRequest> requests, JoinReply format) =>
        Ask(new SnapshotMessage(subs, requests, format)).Reply.Task;

    /// <summary>
    /// Queues <paramref name="replies"/>, then the frames held after <paramref name="position"/> (after each
    /// subscription's own start in <paramref name="starts"/>, where its snapshot reaches further), and delivers live from
    /// then on.
    /// </summary>
    public Task GoLiveAsync(Subscription[] subs, IReadOnlyList<JoinRequest> requests, long position, IReadOnlyList<OutboundFrame> replies,
        IReadOnlyList<long>? starts = null) =>
        Ask(new GoLiveMessage(subs, requests, position, replies) { Starts = starts }).Reply.Task;

    /// <summary>Stops delivery to a subscription. Returns at once; safe to call more than once.</summary>
    public void Leave(ISubscription sub) => _inbox.TryWrite(new LeaveMessage([sub]));

    /// <inheritdoc cref="Leave(ISubscription)" />
    public void Leave(IReadOnlyList<ISubscription> subs)
    {
        if (subs.Count > 0)
        {
            _inbox.TryWrite(new LeaveMessage(subs));
        }
    }

    /// <summary>
    /// Attaches <paramref name="feed"/> (once; attaching again only answers the state) and answers the state at the loop's position: from then
    /// on every event applied after that position is written to it.
    /// </summary>
    public Task<ObservedState> ObserveAsync(LiveFeed feed) => Ask(new ObserveMessage(feed)).Reply.Task;

    // Reads of live state at the loop's current position: each a message of its own, so no caller's code runs on the loop.

    /// <summary>An active session, or null.</summary>
    public Task<Switchboard.Core.Sessions.Session?> ReadSessionAsync(string id) => Request(new ReadSessionMessage(id)).Reply.Task;

    public Task<FleetSummary> ReadFleetSummaryAsync() => Request(new ReadFleetSummaryMessage()).Reply.Task;

    public Task<bool> ReadFleetPausedAsync() => Request(new ReadFleetPausedMessage()).Reply.Task;

    /// <summary>Subscriptions of every connection on this node.</summary>
    public Task<int> ReadSubscriptionCountAsync() => Request(new ReadSubscriptionCountMessage()).Reply.Task;

    /// <summary>Subscribers of <c>session:{id}</c> on this node.</summary>
    public Task<int> ReadWatchersAsync(string sessionId) => Request(new ReadWatchersMessage(sessionId)).Reply.Task;

    /// <summary>True once the loop has applied the event with <paramref name="seq"/>; false when <paramref name="timeout"/> passed first.</summary>
    public async Task<bool> WhenAppliedAsync(long seq, TimeSpan timeout)
    {
        if (HeadSeq >= seq)
        {
            return true;
        }

        // The loop also drops the waiter once it expires, so a position that never comes parks nothing for good.
        var wait = Request(new WaitAppliedMessage(seq, _time.GetTimestamp(), timeout)).Reply.Task;
        try
        {
            return await wait.WaitAsync(timeout, _time);
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// Test hook: the next event the loop fans out throws, as a bug in the fan-out would. The loop logs it, reports it on
    /// <c>/readyz</c>, waits for <paramref name="holdRecovery"/>, then recovers. Faults injected one after another are
    /// queued, one per dispatched event; the task completes when this one has fired.
    /// </summary>
    internal Task InjectFault(string reason, Task holdRecovery) => Ask(new InjectFaultMessage(reason, holdRecovery)).Fired.Task;
}
