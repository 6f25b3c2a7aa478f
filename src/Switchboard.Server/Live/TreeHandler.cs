using Switchboard.Core.Events;
using Switchboard.Core.Sessions;
using Switchboard.Core.Trees;
using Switchboard.Server.Outbound;

namespace Switchboard.Server.Live;

/// <summary>
/// Subtree subscriptions: <c>session:{id}</c> joined with <c>{"subtree": true}</c> takes the events of the session and of
/// every descendant. Each event records its session's tree path (root first), so the fan-out hands an applied event to
/// the subtree subscribers of every id on that path: a dictionary lookup per level, no index of the tree to keep. The
/// same rule decides a replay (<see cref="JoinCoordinator.InSubtree"/>), so a resumed subscriber gets what a connected
/// one got. The snapshot is read from the store off the loop (<see cref="JoinCoordinator"/>); the subscriptions
/// themselves are listed in the <see cref="TopicRegistry"/>, so leaves, recovery and the counts see them. This concern
/// takes no messages of its own: it follows the fan-out.
/// </summary>
internal sealed class TreeHandler(LiveState state) : LiveHandler
{
    public override void Register(MessageRoutes routes)
    {
    }

    /// <summary>
    /// Delivers an applied session event to the subtree subscribers of its session and of each ancestor, one frame per
    /// followed session (its topic), the envelope encoded once. A descendant's event is never conflated for a lagging
    /// subscriber: its <c>subtree_delta</c> is what keeps the ancestors it holds exact. Returns the deliveries.
    /// </summary>
    public int Deliver(EventRecord e, Session? before, Session? after, int usageMask, ref byte[]? envelope, FanoutDispatcher fanout)
    {
        if (!state.Topics.HasSubtrees || e.TreePath is not { } path)
        {
            return 0;
        }

        var lookup = state.Topics.Subtrees;
        var delivered = 0;
        var at = 0;
        while (at < path.Length)
        {
            var end = path.IndexOf(TreePath.Separator, at);
            var own = end < 0;
            if (own)
            {
                end = path.Length;
            }

            if (lookup.TryGetValue(path.AsSpan(at, end - at), out var id, out var subscribers) && subscribers.Count > 0)
            {
                envelope ??= FrameEncoder.Envelope(e, state.Projection.Epoch);
                var topic = TopicRoute.SessionPrefix + id;
                var frame = FrameEncoder.Broadcast(topic, e.Type, envelope, e.Seq, own && usageMask != 0 ? $"{topic}|{usageMask}" : null);
                delivered += fanout.DeliverTo(subscribers, frame, e, before?.Labels, after?.Labels, topic);
            }

            at = end + 1;
        }

        return delivered;
    }
}
