using Switchboard.Server.Outbound;

namespace Switchboard.Server.Live;

// The messages of topics and joins (see JoinCoordinator for the whole of a join, and why some joins take two trips).

/// <summary>
/// Registers subscriptions of <see cref="Queue"/> at the loop's position. With <see cref="Snapshot"/> the loop takes the
/// snapshot there and, when it holds all of it, queues the replies (encoded as <see cref="Format"/> says) and delivers
/// live at once: the join is answered in this one trip. Otherwise the subscriptions stay pending (holding their live
/// frames) until <see cref="GoLiveMessage"/>.
/// </summary>
internal sealed record JoinMessage(SendQueue Queue, IReadOnlyList<JoinRequest> Requests, JoinReply Format, bool Snapshot) : LiveRequest<Joined>;

/// <summary>
/// A resume that cannot be replayed: snapshots for the pending subscriptions at the loop's position now, answered and
/// live in this trip when the loop holds all of it, as a fresh <see cref="JoinMessage"/> is.
/// </summary>
internal sealed record SnapshotMessage(Subscription[] Subscriptions, IReadOnlyList<JoinRequest> Requests, JoinReply Format) : LiveRequest<Joined>;

/// <summary>
/// The loop's answer to a join: its subscriptions, the position they start after, and the replies' results. When
/// <see cref="IsLive"/> the replies are queued and delivery is live; otherwise the subscriptions are pending and the
/// joiner completes the results off the loop, queues them and sends <see cref="GoLiveMessage"/>.
/// </summary>
internal sealed record Joined(Subscription[] Subscriptions, long Position, IReadOnlyList<JoinResult> Results, bool IsLive);

/// <summary>
/// The join is answered (and replayed): queue <see cref="Replies"/> (when there was no replay to put between them and the
/// live frames), then what was held after <see cref="Position"/>, and deliver live from then on.
/// </summary>
internal sealed record GoLiveMessage(Subscription[] Subscriptions, IReadOnlyList<JoinRequest> Requests, long Position, IReadOnlyList<OutboundFrame> Replies)
    : LiveRequest<bool>
{
    /// <summary>
    /// Where each subscription's snapshot reaches, when that is past <see cref="Position"/> (a subtree read from the store
    /// ahead of the loop): events up to it are not delivered to it again, held or live. Null: every one starts at Position.
    /// </summary>
    public IReadOnlyList<long>? Starts { get; init; }
}

/// <summary>Stops delivery to subscriptions; safe for ones already gone.</summary>
internal sealed record LeaveMessage(IReadOnlyList<ISubscription> Subscriptions) : LiveMessage;
