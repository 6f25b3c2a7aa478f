using System.Threading.Channels;
using Switchboard.Phoenix;
using Switchboard.Live;
using Switchboard.Events;
using Switchboard.Outbound;
using Switchboard.Live.Fanout;
using Switchboard.Sessions;
using Switchboard.Storage;

namespace Switchboard.Live;

/// <summary>
/// Takes committed events in <c>seq</c> order from the store's feed, applies each to the projection and
/// fans it out: the envelope is encoded once, each topic's frame once, and every subscriber gets a
/// reference to the same bytes. Everything here runs under <see cref="Gate"/>, which joins also take,
/// so a join sees the projection and the subscriber lists at one exact log position.
/// </summary>
internal sealed class EventDispatcher : IEventSink
{
    private readonly Channel<CommittedBatch> _inbox = Channel.CreateUnbounded<CommittedBatch>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = false });
    private readonly TimeProvider _time;
    private readonly List<SendQueue> _wake = [];
    private Task? _loop;

    public EventDispatcher(SessionProjection projection, TopicRegistry topics, TimeProvider time)
    {
        Projection = projection;
        Topics = topics;
        _time = time;
    }

    /// <summary>Serializes dispatch with joins and leaves.</summary>
    public object Gate { get; } = new();

    public SessionProjection Projection { get; }

    public TopicRegistry Topics { get; }

    /// <summary>Told after each dispatched batch; set once at start-up.</summary>
    public SummaryPublisher? Summary { get; set; }

    /// <summary>
    /// Raised under the gate after each event is applied and delivered (metrics, in-process observers), with the number
    /// of subscribers it went to and the time since the store handed its batch over after the commit.
    /// </summary>
    public event Action<EventRecord, int, TimeSpan>? Dispatched;

    /// <summary>Subscriber deliveries since start.</summary>
    public long Deliveries { get; private set; }

    public void OnCommitted(IReadOnlyList<EventRecord> events) => _inbox.Writer.TryWrite(new CommittedBatch(events, _time.GetTimestamp()));

    public void Start() => _loop = Task.Run(RunAsync);

    public async Task StopAsync()
    {
        _inbox.Writer.TryComplete();
        if (_loop is not null)
        {
            await _loop;
        }
    }

    private async Task RunAsync()
    {
        var reader = _inbox.Reader;
        while (await reader.WaitToReadAsync())
        {
            lock (Gate)
            {
                try
                {
                    while (reader.TryRead(out var batch))
                    {
                        Apply(batch.Events, batch.CommittedAt);
                    }

                    // A summary goes to queues already waiting to be woken, so it rides along in the same write.
                    Summary?.OnChanged();
                }
                finally
                {
                    // Waiting reads first, so their answers are not queued behind a whole fan-out's drains.
                    ReleaseWaiters();
                    WakeSubscribers();
                }
            }
        }
    }

    private readonly List<(long Seq, TaskCompletionSource Applied)> _waiters = [];

    /// <summary>
    /// Completes once this node has applied the event with <paramref name="seq"/>: reads of the projection await it for
    /// what this node has committed, so a client that got a 2xx sees its own write (<see cref="LiveState"/>).
    /// </summary>
    public Task WhenAppliedAsync(long seq)
    {
        lock (Gate)
        {
            if (Projection.HeadSeq >= seq)
            {
                return Task.CompletedTask;
            }

            var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((seq, applied));
            return applied.Task;
        }
    }

    /// <summary>Called under <see cref="Gate"/> after each pass.</summary>
    private void ReleaseWaiters()
    {
        if (_waiters.Count == 0)
        {
            return;
        }

        var head = Projection.HeadSeq;
        _waiters.RemoveAll(w =>
        {
            if (w.Seq > head)
            {
                return false;
            }

            w.Applied.TrySetResult();
            return true;
        });
    }

    /// <summary>
    /// Wakes every connection that got frames since the last call. Frames are queued for all pending events first, so
    /// each connection drains everything in one write instead of racing the dispatcher frame by frame.
    /// </summary>
    internal void WakeSubscribers()
    {
        foreach (var queue in _wake)
        {
            queue.Wake();
        }

        _wake.Clear();
    }

    /// <summary>
    /// Applies and fans out one committed batch in order; the connections are woken by <see cref="WakeSubscribers"/>.
    /// The caller holds <see cref="Gate"/>.
    /// </summary>
    internal void Apply(IReadOnlyList<EventRecord> events, long committedAt)
    {
        foreach (var e in events)
        {
            if (e.Seq <= Projection.HeadSeq)
            {
                continue; // already applied (a feed may repeat after reconnecting)
            }

            Dispatch(e, committedAt);
        }
    }

    private void Dispatch(EventRecord e, long committedAt)
    {
        var (before, after) = Projection.Apply(e);
        byte[]? envelope = null;
        var delivered = 0;
        // A usage-only update may be conflated with a pending one of the same session and fields for a lagging subscriber.
        var usageMask = e.Type == EventTypes.SessionUpdated && before is not null && after is not null
            ? SessionChanges.UsageOnlyMask(before, after) : 0;

        var sessions = Topics.Sessions;
        if (sessions.Count > 0)
        {
            envelope = FrameEncoder.Envelope(e, Projection.Epoch);
            var frame = FrameEncoder.Broadcast(TopicRoute.SessionsTopic, e.Type, envelope, e.Seq,
                usageMask == 0 ? null : $"{TopicRoute.SessionsTopic}|{e.SessionId}|{usageMask}");
            foreach (var sub in sessions)
            {
                if (sub.Labels is null || e.SessionId is null
                    || LabelFilter.Matches(sub.Labels, after) || LabelFilter.Matches(sub.Labels, before))
                {
                    sub.Deliver(frame, _wake);
                    delivered++;
                }
            }
        }

        if (e.SessionId is { } id && Topics.ForSession(id) is { Count: > 0 } watchers)
        {
            envelope ??= FrameEncoder.Envelope(e, Projection.Epoch);
            var topic = TopicRoute.SessionPrefix + id;
            var frame = FrameEncoder.Broadcast(topic, e.Type, envelope, e.Seq, usageMask == 0 ? null : $"{topic}|{usageMask}");
            foreach (var sub in watchers)
            {
                // Labels on a session topic are a token's scope: a session outside it stays invisible.
                if (sub.Labels is null || LabelFilter.Matches(sub.Labels, after) || LabelFilter.Matches(sub.Labels, before))
                {
                    sub.Deliver(frame, _wake);
                    delivered++;
                }
            }
        }

        Deliveries += delivered;
        Dispatched?.Invoke(e, delivered, _time.GetElapsedTime(committedAt));
    }

    /// <summary>Whether an event belongs on a subscription's topic; used to filter replays the same way as live delivery.</summary>
    public static bool Belongs(Subscription sub, EventRecord e, Session? labelsSource)
    {
        return sub.Route.Kind switch
        {
            TopicKind.Sessions => sub.Labels is null || e.SessionId is null || LabelFilter.Matches(sub.Labels, labelsSource),
            TopicKind.Session => e.SessionId == sub.Route.SessionId && (sub.Labels is null || LabelFilter.Matches(sub.Labels, labelsSource)),
            _ => false,
        };
    }
}

/// <summary>Events from one commit, with the <see cref="TimeProvider.GetTimestamp"/> of when they were handed over.</summary>
internal readonly record struct CommittedBatch(IReadOnlyList<EventRecord> Events, long CommittedAt);
