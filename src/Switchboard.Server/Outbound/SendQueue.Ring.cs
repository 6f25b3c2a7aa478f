namespace Switchboard.Server.Outbound;

/// <summary>The ring the frames wait in, used only under the queue's lock.</summary>
internal sealed partial class SendQueue
{
    private const int InitialCapacity = 8;
    private const int ShrinkAbove = 256;

    private OutboundFrame?[] _ring = new OutboundFrame?[InitialCapacity];
    private long[] _queuedAt = new long[InitialCapacity]; // when each slot's frame was queued (TimeProvider timestamps)
    private int _head;
    private int _count; // ring slots in use, superseded ones included
    private int _holes; // slots of superseded frames, skipped when drained
    private long _tail; // absolute position of the next slot, for finding superseded frames

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

        if (n > 0)
        {
            _lastProgress = _time.GetTimestamp();
        }

        if (n == 0)
        {
            _signaled = false;
            ForgetUsage();
            if (_ring.Length > ShrinkAbove)
            {
                _ring = new OutboundFrame?[InitialCapacity];
                _queuedAt = new long[InitialCapacity];
                _head = 0;
            }
        }

        return n;
    }

    private void ClearLocked()
    {
        ForgetUsage();
        Array.Clear(_ring);
        _count = 0;
        _holes = 0;
        _bytes = 0;
    }

    private void Append(OutboundFrame frame, long now)
    {
        if (_count == _ring.Length)
        {
            Grow();
        }

        var position = _tail++;
        var index = (_head + _count) & (_ring.Length - 1);
        _ring[index] = frame;
        _queuedAt[index] = now;
        _count++;
        _bytes += frame.Size;
        _peakBytes = Math.Max(_peakBytes, _bytes);
        Track(frame, position);
    }

    private void Grow()
    {
        var bigger = new OutboundFrame?[_ring.Length * 2];
        var queuedAt = new long[bigger.Length];
        for (var i = 0; i < _count; i++)
        {
            var from = (_head + i) & (_ring.Length - 1);
            bigger[i] = _ring[from];
            queuedAt[i] = _queuedAt[from];
        }

        _ring = bigger;
        _queuedAt = queuedAt;
        _head = 0;
    }
}
