using Switchboard.Metrics;

namespace Switchboard.Outbound;

/// <summary>
/// A connection's bounded outbound queue of shared frames. Enqueueing stores a reference, so a broadcast
/// allocates nothing per subscriber. A pending summary is replaced by a newer one for the same topic. Once a client has
/// fallen behind (a quarter of the cap waiting), a pending usage-only <c>session_updated</c> is also replaced by a newer
/// one for the same topic, session and fields (the newer carries every value the older did); lifecycle events and every
/// other change are never dropped, and a client keeping up gets every event.
/// Past the frame or byte cap the queue overflows and the consumer is told to disconnect, so the client resumes by
/// <c>seq</c> instead of the server buffering without bound.
/// </summary>
internal sealed partial class SendQueue
{
    private const int InitialCapacity = 8;
    private const int ShrinkAbove = 256;

    private readonly object _lock = new();
    private readonly ISendQueueConsumer _consumer;
    private readonly int _maxFrames;
    private readonly long _maxBytes;
    private OutboundFrame?[] _ring = new OutboundFrame?[InitialCapacity];
    private int _head;
    private int _count; // ring slots in use, superseded ones included
    private int _holes; // slots of superseded frames, skipped when drained
    private long _bytes;
    private long _tail; // absolute position of the next slot, for finding superseded frames
    private bool _signaled;
    private bool _overflowed;
    private bool _completed;
    private TaskCompletionSource? _spaceWaiter;

    public SendQueue(ISendQueueConsumer consumer, int maxFrames, long maxBytes)
    {
        _consumer = consumer;
        _maxFrames = maxFrames;
        _maxBytes = maxBytes;
    }

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

        OutboundCounters.SlowConsumerDisconnected();
        _consumer.OnOverflow();
    }

    private bool HasRoom() => _bytes <= _maxBytes / 2 && Waiting <= _maxFrames / 2;

    /// <summary>Frames waiting: the ring's slots less those of superseded frames.</summary>
    private int Waiting => _count - _holes;

    /// <summary>Adds a frame and wakes the consumer if nobody is draining. Returns false when the queue is closed or just overflowed.</summary>
    public bool Enqueue(OutboundFrame frame) => Enqueue(frame, wakeLater: null);

    /// <summary>
    /// Adds a frame; when the consumer needs waking, this queue is added to <paramref name="wakeLater"/> (once) instead,
    /// and the caller calls <see cref="Wake"/> after it has queued everything it has. A broadcaster that queues several
    /// frames for many connections so gives each connection one drain, and one socket write, for all of them.
    /// </summary>
    public bool Enqueue(OutboundFrame frame, List<SendQueue>? wakeLater)
    {
        bool signal;
        lock (_lock)
        {
            if (_completed || _overflowed)
            {
                return false;
            }

            DropSupersededBy(frame);
            if (Waiting >= _maxFrames || _bytes + frame.Size > _maxBytes)
            {
                _overflowed = true;
            }
            else
            {
                Append(frame);
            }

            signal = !_overflowed && !_signaled;
            _signaled |= signal;
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
            OutboundCounters.SlowConsumerDisconnected();
            _consumer.OnOverflow();
            return false;
        }

        return true;
    }

    /// <summary>Wakes the consumer for frames queued with a deferred wake-up.</summary>
    public void Wake() => _consumer.OnFramesAvailable();

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

    private int DrainLocked(OutboundFrame[] into)
    {
        var n = 0;
        while (_count > 0 && n < into.Length)
        {
            var frame = _ring[_head];
            _ring[_head] = null;
            _head = (_head + 1) & (_ring.Length - 1);
            _count--;
            if (frame is null)
            {
                _holes--;
                continue; // a summary or usage update superseded by a newer one
            }

            _bytes -= frame.Size;
            into[n++] = frame;
        }

        if (n == 0)
        {
            _signaled = false;
            ForgetUsage();
            if (_ring.Length > ShrinkAbove)
            {
                _ring = new OutboundFrame?[InitialCapacity];
                _head = 0;
            }
        }

        return n;
    }

    /// <summary>Stops accepting frames; pending ones are dropped.</summary>
    public void Complete()
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            _completed = true;
            ForgetUsage();
            Array.Clear(_ring);
            _count = 0;
            _holes = 0;
            _bytes = 0;
            waiter = _spaceWaiter;
            _spaceWaiter = null;
        }

        waiter?.TrySetResult();
    }

    private void Append(OutboundFrame frame)
    {
        if (_count == _ring.Length)
        {
            Grow();
        }

        var position = _tail++;
        _ring[(_head + _count) & (_ring.Length - 1)] = frame;
        _count++;
        _bytes += frame.Size;
        _peakBytes = Math.Max(_peakBytes, _bytes);
        Track(frame, position);
    }

    private void Grow()
    {
        var bigger = new OutboundFrame?[_ring.Length * 2];
        for (var i = 0; i < _count; i++)
        {
            bigger[i] = _ring[(_head + i) & (_ring.Length - 1)];
        }

        _ring = bigger;
        _head = 0;
    }

}
