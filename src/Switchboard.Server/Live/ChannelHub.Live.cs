using Switchboard.Outbound;
using Switchboard.Live.Fanout;

namespace Switchboard.Live;

/// <summary>Going live: release held frames in order, then the joiner's summary and presence.</summary>
internal sealed partial class ChannelHub
{
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
}
