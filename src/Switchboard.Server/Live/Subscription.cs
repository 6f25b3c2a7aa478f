using Switchboard.Server.Live.Presence;
using Switchboard.Server.Outbound;

namespace Switchboard.Server.Live;

/// <summary>
/// One channel's membership in a topic, listed in the <see cref="TopicRegistry"/>. While its join is answered the
/// subscription is pending: live frames are held here, then released after the reply and the replay, so nothing is
/// missed or doubled. The immutable members may be read anywhere; everything that changes is touched only by the live
/// loop.
/// </summary>
internal sealed class Subscription(SendQueue queue, TopicRoute route, LabelFilter? filter, bool isScoped, string? joinRef) : ISubscription
{
    private List<OutboundFrame>? _held;

    public SendQueue Queue { get; } = queue;

    public TopicRoute Route { get; } = route;

    public string Topic => Route.Topic;

    /// <summary>Only sessions carrying all these labels: a <c>sessions</c> filter, or a token's scope on any topic.</summary>
    public LabelFilter? Filter { get; } = filter;

    /// <summary>Label-scoped by its credentials: fleet-wide summaries are not delivered.</summary>
    public bool IsScoped { get; } = isScoped;

    /// <summary>The join ref of the channel (null for SSE), for pushes addressed to this channel.</summary>
    public string? JoinRef { get; } = joinRef;

    /// <summary>Position in the topic's subscriber list, for O(1) removal.</summary>
    public int Index { get; set; } = -1;

    public bool IsPending { get; private set; } = true;

    public bool IsRemoved { get; set; }

    /// <summary>For the <c>usage</c> topic: the rows it follows and the increments not pushed yet.</summary>
    public Switchboard.Server.Live.Usage.UsageWatch? Usage { get; init; }

    /// <summary>A <c>session:{id}</c> joined with <c>{"subtree": true}</c>: the events of every descendant too.</summary>
    public bool IsSubtree { get; init; }

    /// <summary>
    /// The position its snapshot or replay reaches: an event at or before it is already the subscriber's, so its frame is
    /// not delivered again. Set when the subscription goes live; past the loop's position only for a snapshot read from
    /// the store ahead of the loop (a subtree's).
    /// </summary>
    public long After { get; private set; }

    /// <summary>This subscription's presence entry, when it joined with a viewer.</summary>
    public PresenceTracker.Entry? Presence { get; set; }

    /// <summary>
    /// Hands a frame to the connection, or holds it while the join is pending. With <paramref name="wakeLater"/>, a
    /// connection that needs waking is listed there for the caller to wake after its whole pass.
    /// </summary>
    public EnqueueResult Deliver(OutboundFrame frame, List<SendQueue>? wakeLater = null) => Deliver(frame, wakeLater, Queue.Clock.GetTimestamp());

    /// <summary>Like <see cref="Deliver(OutboundFrame, List{SendQueue})"/>, at <paramref name="now"/>, a timestamp of the queue's <see cref="SendQueue.Clock"/>.</summary>
    public EnqueueResult Deliver(OutboundFrame frame, List<SendQueue>? wakeLater, long now)
    {
        if (!IsPending)
        {
            return frame.Kind == FrameKind.Event && frame.Seq <= After ? EnqueueResult.Queued : Queue.Offer(frame, wakeLater, now);
        }

        if (frame.Kind == FrameKind.Event)
        {
            // Summaries are not held: the subscription gets a fresh one when it goes live.
            _held ??= [];
            if (_held.Count >= Queue.MaxFrames)
            {
                // The client is replaying slower than events arrive: cut it off; it resumes from where it got to.
                Queue.Overflow();
                return EnqueueResult.Refused;
            }

            _held.Add(frame);
        }

        return EnqueueResult.Queued;
    }

    /// <summary>
    /// Takes the frames held while pending that come after <paramref name="after"/>, and starts delivering directly. The
    /// caller queues the held ones.
    /// </summary>
    public List<OutboundFrame>? GoLive(long after = 0)
    {
        var held = _held;
        _held = null;
        IsPending = false;
        After = after;
        held?.RemoveAll(f => f.Seq <= after);
        return held;
    }
}
