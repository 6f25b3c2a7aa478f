
namespace Switchboard.Server.Outbound;

/// <summary>
/// A connection's bounded outbound queue of shared frames. Enqueueing stores a reference, so a broadcast
/// allocates nothing per subscriber. A pending summary is replaced by a newer one for the same topic. Once a client has
/// fallen behind (a quarter of the cap waiting), a pending usage-only <c>session_updated</c> is also replaced by a newer
/// one for the same topic, session and fields (the newer carries every value the older did); lifecycle events and every
/// other change are never dropped, and a client keeping up gets every event.
/// Past the frame or byte cap the queue overflows and the consumer is told to disconnect, so the client resumes by
/// <c>seq</c> instead of the server buffering without bound.
/// <para>
/// Once its oldest frame has waited longer than <see cref="BacklogMilliseconds"/> while its consumer still drains, the
/// queue reports itself <see cref="EnqueueResult.Backlogged"/>: the live loop pauses its fan-out (and the writers) when
/// most of its deliveries go to such queues (the node is behind), and keeps going when only a few do (those clients
/// are slow, and meet the cap on their own). The mark is a time, not a count, because what a deep queue costs is
/// latency: the same number of frames is a few milliseconds for a fast reader and seconds for a slow one.
/// </para>
/// </summary>
internal sealed partial class SendQueue
{
    /// <summary>Frames waiting this long with no drain mean the consumer stopped reading, not that it is slow.</summary>
    internal const long StallMilliseconds = 1000;

    /// <summary>
    /// The backlog mark: the oldest waiting frame has waited this long. Long enough that a busy connection still writes
    /// many frames at once, short enough that under overload what a subscriber waits for stays a small part of a second.
    /// </summary>
    internal const long BacklogMilliseconds = 20;

    private readonly object _lock = new();
    private readonly ISendQueueConsumer _consumer;
    private readonly int _maxFrames;
    private readonly long _maxBytes;
    private readonly TimeProvider _time;
    private readonly long _backlogTicks; // BacklogMilliseconds and StallMilliseconds in the clock's timestamp units
    private readonly long _stallTicks;
    private long _lastProgress; // TimeProvider timestamp of the last drain, or the last time the queue was empty
    private long _bytes;
    private bool _signaled;
    private bool _overflowed;
    private bool _completed;
    private TaskCompletionSource? _spaceWaiter;

    public SendQueue(ISendQueueConsumer consumer, int maxFrames, long maxBytes, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _lastProgress = _time.GetTimestamp();
        _backlogTicks = BacklogMilliseconds * _time.TimestampFrequency / 1000;
        _stallTicks = StallMilliseconds * _time.TimestampFrequency / 1000;
        _consumer = consumer;
        _maxFrames = maxFrames;
        _maxBytes = maxBytes;
    }

    /// <summary>The clock of the queue's timestamps (what a frame waited, when it last drained).</summary>
    public TimeProvider Clock => _time;

    /// <summary>Frames waiting to be written.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return Waiting;
            }
        }
    }

    /// <summary>Bytes of the frames waiting to be written.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>The most bytes this queue ever held: never above the cap, by construction and by test.</summary>
    public long PeakBytes
    {
        get
        {
            lock (_lock)
            {
                return _peakBytes;
            }
        }
    }

    private long _peakBytes;

    /// <summary>Slots the ring holds, superseded frames' included: what the queue costs in memory beyond the frames.</summary>
    public int Slots
    {
        get
        {
            lock (_lock)
            {
                return _ring.Length;
            }
        }
    }

    /// <summary>The frame cap; past it the consumer is disconnected.</summary>
    public int MaxFrames => _maxFrames;

    /// <summary>
    /// Completes once the queue is at most half full, so a producer of many frames for one connection (a replay)
    /// can pace itself to the consumer instead of overflowing the queue.
    /// </summary>
    public Task WaitForSpaceAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_completed || _overflowed || HasRoom())
            {
                return Task.CompletedTask;
            }

            _spaceWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _spaceWaiter.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Declares the consumer too slow (e.g. too many frames held for it elsewhere) and disconnects it.</summary>
    public void Overflow()
    {
        lock (_lock)
        {
            if (_completed || _overflowed)
            {
                return;
            }

            _overflowed = true;
        }

        ReportOverflow();
    }

    /// <summary>
    /// The server lost this connection's place in the stream: pending frames are dropped and the consumer is told to
    /// close, so the client reconnects and resumes by <c>seq</c>.
    /// </summary>
    public void Reset(string reason)
    {
        lock (_lock)
        {
            if (_completed || _overflowed)
            {
                return;
            }

            ClearLocked();
        }

        ThreadPool.UnsafeQueueUserWorkItem(static s => s.Consumer.OnReset(s.Reason), (Consumer: _consumer, Reason: reason), preferLocal: false);
    }

    /// <summary>Whether the queue's oldest frame is past its backlog mark while its consumer still drains (see <see cref="EnqueueResult.Backlogged"/>).</summary>
    public bool IsBackloggedAndDraining()
    {
        lock (_lock)
        {
            return !_completed && !_overflowed && IsBackloggedLocked(_time.GetTimestamp());
        }
    }

    private bool IsBackloggedLocked(long now) =>
        Waiting > 0 && now - _queuedAt[_head] > _backlogTicks && now - _lastProgress <= _stallTicks;

    private void ReportOverflow()
    {
        OutboundCounters.SlowConsumerDisconnected();
        // Never on the enqueuer's thread: that may be the live loop, and closing a connection leaves its channels.
        ThreadPool.UnsafeQueueUserWorkItem(static c => c.OnOverflow(), _consumer, preferLocal: false);
    }

    private bool HasRoom() => _bytes <= _maxBytes / 2 && Waiting <= _maxFrames / 2;

    /// <summary>Frames waiting: the ring's slots less those of superseded frames.</summary>
    private int Waiting => _count - _holes;

    /// <summary>Adds a frame and wakes the consumer if nobody is draining. Returns false when the queue is closed or just overflowed.</summary>
    public bool Enqueue(OutboundFrame frame) => Offer(frame, wakeLater: null) != EnqueueResult.Refused;

    /// <summary>Like <see cref="Offer"/>; returns false when the frame was refused.</summary>
    public bool Enqueue(OutboundFrame frame, List<SendQueue>? wakeLater) => Offer(frame, wakeLater) != EnqueueResult.Refused;

    /// <summary>
    /// Adds a frame; when the consumer needs waking and <paramref name="wakeLater"/> is given, this queue is added there
    /// (once) instead, and the caller calls <see cref="Wake"/> after it has queued everything it has. A broadcaster that
    /// queues several frames for many connections so gives each connection one drain, and one socket write, for all of them.
    /// </summary>
    public EnqueueResult Offer(OutboundFrame frame, List<SendQueue>? wakeLater) => Offer(frame, wakeLater, _time.GetTimestamp());

    /// <summary>
    /// Like <see cref="Offer(OutboundFrame, List{SendQueue})"/>, at <paramref name="now"/>, a timestamp of <see cref="Clock"/>: a
    /// broadcast reads the clock once for all its subscribers (one read per delivery was a few per cent of the fan-out).
    /// </summary>
    public EnqueueResult Offer(OutboundFrame frame, List<SendQueue>? wakeLater, long now)
    {
        bool signal;
        bool backlogged;
        lock (_lock)
        {
            if (_completed || _overflowed)
            {
                return EnqueueResult.Refused;
            }

            DropSupersededBy(frame);
            if (Waiting >= _maxFrames || _bytes + frame.Size > _maxBytes)
            {
                _overflowed = true;
                signal = false;
                backlogged = false;
            }
            else
            {
                if (Waiting == 0)
                {
                    _lastProgress = now; // caught up until this frame
                }

                Append(frame, now);
                signal = !_signaled;
                _signaled = true;
                backlogged = IsBackloggedLocked(now);
            }
        }

        if (signal)
        {
            if (wakeLater is null)
            {
                _consumer.OnFramesAvailable();
            }
            else
            {
                wakeLater.Add(this);
            }
        }
        else if (_overflowed)
        {
            ReportOverflow();
            return EnqueueResult.Refused;
        }

        return backlogged ? EnqueueResult.Backlogged : EnqueueResult.Queued;
    }

    /// <summary>Wakes the consumer for frames queued with a deferred wake-up.</summary>
    public void Wake() => _consumer.OnFramesAvailable();

    /// <summary>Like <see cref="Wake"/>, letting the consumer start writing on this thread (<see cref="ISendQueueConsumer.OnFramesAvailableInline"/>).</summary>
    public void WakeInline() => _consumer.OnFramesAvailableInline();

    /// <summary>
    /// Moves up to <paramref name="into"/>.Length frames out, oldest first. Returns 0 and clears the signal
    /// when the queue is empty, so the next enqueue signals again.
    /// </summary>
    public int Drain(OutboundFrame[] into)
    {
        TaskCompletionSource? room = null;
        try
        {
            lock (_lock)
            {
                var n = DrainLocked(into);
                if (_spaceWaiter is not null && HasRoom())
                {
                    room = _spaceWaiter;
                    _spaceWaiter = null;
                }

                return n;
            }
        }
        finally
        {
            room?.TrySetResult();
        }
    }

    /// <summary>Stops accepting frames; pending ones are dropped.</summary>
    public void Complete()
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            _completed = true;
            ClearLocked();
            waiter = _spaceWaiter;
            _spaceWaiter = null;
        }

        waiter?.TrySetResult();
    }
}
