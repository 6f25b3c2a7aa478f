using Switchboard.Phoenix;
using Switchboard.Live;
using Switchboard.Outbound;
using Switchboard.Live.Fanout;
using Switchboard.Hosting;

namespace Switchboard.Live;

/// <summary>
/// Decides when <c>summary</c> goes out (requirements §2): on join (see the channel hub), within the
/// coalescing window after a change, at the periodic interval while sessions are active, and never
/// while idle except the summary that reports the drop to zero. One timer, driven by <see cref="TimeProvider"/>.
/// All methods run under the dispatcher's gate.
/// </summary>
internal sealed class SummaryPublisher : IDisposable
{
    private readonly EventDispatcher _dispatcher;
    private readonly TimeProvider _time;
    private readonly TimeSpan _window;
    private readonly TimeSpan _interval;
    private readonly ITimer _timer;
    private DateTimeOffset _lastSent = DateTimeOffset.MinValue;
    private SummaryValues? _lastValues;
    private bool _dirty;

    public SummaryPublisher(EventDispatcher dispatcher, TimeProvider time, StreamOptions options)
    {
        _dispatcher = dispatcher;
        _time = time;
        _window = options.SummaryCoalesceWindow;
        _interval = options.SummaryInterval;
        _timer = time.CreateTimer(_ => OnTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Summaries sent since start.</summary>
    public long Sent { get; private set; }

    /// <summary>Something was dispatched; the summary may have changed.</summary>
    public void OnChanged()
    {
        _dirty = true;
        var now = _time.GetUtcNow();
        if (now - _lastSent >= _window)
        {
            Publish(now, periodic: false);
        }

        Reschedule(now);
    }

    /// <summary>Builds the current summary (for join replies and the HTTP API).</summary>
    public Summary Current() => _dispatcher.Projection.BuildSummary(_time.GetUtcNow());

    /// <summary>Encodes the current summary for one topic, for a single subscriber that just joined.</summary>
    public OutboundFrame FrameFor(string topic)
    {
        var now = _time.GetUtcNow();
        var envelope = FrameEncoder.SummaryEnvelope(_dispatcher.Projection.BuildSummary(now), _dispatcher.Projection.Epoch, now);
        return FrameEncoder.Broadcast(topic, Events.EventTypes.Summary, envelope, 0);
    }

    public void Dispose() => _timer.Dispose();

    private void OnTimer()
    {
        lock (_dispatcher.Gate)
        {
            var now = _time.GetUtcNow();
            if (_dirty && now - _lastSent >= _window)
            {
                Publish(now, periodic: false);
            }
            else if (_dispatcher.Projection.ActiveCount > 0 && now - _lastSent >= _interval)
            {
                Publish(now, periodic: true);
            }

            Reschedule(now);
        }
    }

    private void Publish(DateTimeOffset now, bool periodic)
    {
        var projection = _dispatcher.Projection;
        var summary = projection.BuildSummary(now);
        _dirty = false;
        if (!periodic && summary.Values == _lastValues)
        {
            return; // nothing a summary shows has changed
        }

        _lastValues = summary.Values;
        _lastSent = now;
        Sent++;
        var topics = _dispatcher.Topics;
        if (topics.Sessions.Count == 0 && topics.Summary.Count == 0)
        {
            return;
        }

        var envelope = FrameEncoder.SummaryEnvelope(summary, projection.Epoch, now);
        Broadcast(topics.Sessions, TopicRoute.SessionsTopic, envelope);
        Broadcast(topics.Summary, TopicRoute.SummaryTopic, envelope);
    }

    private static void Broadcast(List<Subscription> subscribers, string topic, byte[] envelope)
    {
        if (subscribers.Count == 0)
        {
            return;
        }

        var frame = FrameEncoder.Broadcast(topic, Events.EventTypes.Summary, envelope, 0);
        foreach (var sub in subscribers)
        {
            if (!sub.IsScoped)
            {
                sub.Deliver(frame);
            }
        }
    }

    private void Reschedule(DateTimeOffset now)
    {
        TimeSpan? due = null;
        if (_dirty)
        {
            due = _lastSent + _window - now;
        }
        else if (_dispatcher.Projection.ActiveCount > 0)
        {
            due = _lastSent + _interval - now;
        }

        _timer.Change(due is { } d ? (d < TimeSpan.Zero ? TimeSpan.Zero : d) : Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }
}
