namespace Switchboard.Server.Transports.Sse;

/// <summary>
/// Holds back an SSE stream's drains until its join has answered, without losing the wake-up of a frame queued
/// meanwhile. Its queue signals once until a drain finds it empty, so a signal dropped here would silence the stream
/// for good. Both sides decide under one lock: a pair of volatile flags let a frame's "wanted" and the join's "open"
/// each miss the other (a store followed by a load may be reordered, even on x86).
/// </summary>
internal sealed class SseStartGate
{
    private readonly object _lock = new();
    private bool _open;
    private bool _wanted;

    /// <summary>True once the join has answered and the stream may be written.</summary>
    public bool IsOpen
    {
        get
        {
            lock (_lock)
            {
                return _open;
            }
        }
    }

    /// <summary>Frames are waiting: true when the caller drains now; false when <see cref="Open"/> will say so instead.</summary>
    public bool FramesAvailable()
    {
        lock (_lock)
        {
            _wanted = !_open;
            return _open;
        }
    }

    /// <summary>The join has answered: true when frames signalled before it are waiting and the caller drains them.</summary>
    public bool Open()
    {
        lock (_lock)
        {
            _open = true;
            var wanted = _wanted;
            _wanted = false;
            return wanted;
        }
    }
}
