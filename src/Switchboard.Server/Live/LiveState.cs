using Microsoft.Extensions.Logging;
using Switchboard.Core.Hosting;
using Switchboard.Server.Options;
using Switchboard.Server.Outbound;

namespace Switchboard.Server.Live;

/// <summary>
/// The state the live loop owns and its handlers share: the projection of the log head, the topic registry with every
/// subscription, and the connections that got frames in the current pass (woken once, at its end). Touched only on the
/// loop. What the rest of the server may read — position, health, counters — the loop publishes in
/// <see cref="Published"/>.
/// </summary>
internal sealed class LiveState(SocketOptions options, TimeProvider time, ILogger logger)
{
    public SessionProjection Projection { get; } = new();

    public TopicRegistry Topics { get; } = new();

    public LivePublished Published { get; } = new(time);

    public SocketOptions Options { get; } = options;

    public TimeProvider Time { get; } = time;

    public ILogger Logger { get; } = logger;

    /// <summary>The node's supervised loops, where the live loop and the presence sync report their health.</summary>
    public BackgroundLoops? Loops { get; init; }

    /// <summary>Queues that got frames in this pass, to wake at its end (see <see cref="Subscription.Deliver"/>).</summary>
    public List<SendQueue> Wake { get; } = [];

    /// <summary>Subscriptions or deliveries changed: the loop publishes fresh counters at the end of the pass.</summary>
    public bool StatsChanged { get; set; } = true;

    /// <summary>Queues a frame that is not an event (a summary, a presence change) for every subscriber of a list.</summary>
    public void Broadcast(List<Subscription> subscribers, OutboundFrame frame, Subscription? except = null, bool skipScoped = false)
    {
        foreach (var sub in subscribers)
        {
            if (sub != except && !(skipScoped && sub.IsScoped))
            {
                sub.Deliver(frame, Wake);
            }
        }
    }

    /// <summary>
    /// Wakes every connection that got frames in this pass, once: the first <paramref name="inline"/> of them may write on
    /// this thread (the loop has nothing else to do), the rest are handed to their own send loops.
    /// </summary>
    public void WakeAll(int inline)
    {
        var wake = Wake;
        for (var i = 0; i < wake.Count; i++)
        {
            if (i < inline)
            {
                wake[i].WakeInline();
            }
            else
            {
                wake[i].Wake();
            }
        }

        wake.Clear();
    }

    /// <summary>Drops every subscription and tells each connection why (it reconnects and resumes); returns how many connections.</summary>
    public int DropSubscriptions(string reason)
    {
        var queues = Topics.Clear();
        foreach (var queue in queues)
        {
            queue.Reset(reason);
        }

        StatsChanged = true;
        return queues.Count;
    }
}
