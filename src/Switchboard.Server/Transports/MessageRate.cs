using Switchboard.Server.Options;

namespace Switchboard.Server.Transports;

/// <summary>
/// A token bucket for one connection's inbound messages: <see cref="SocketOptions.MessageBurst"/> messages at once, then
/// <see cref="SocketOptions.MaxMessagesPerSecond"/> sustained. A struct on the connection, so an idle connection pays
/// two fields and no allocation. Not thread-safe: each transport reads one message at a time.
/// </summary>
internal struct MessageRate
{
    private double _tokens;
    private long _last;

    /// <summary>Takes one message; false when the connection is over its rate.</summary>
    public bool TryTake(TimeProvider time, SocketOptions options)
    {
        var now = time.GetTimestamp();
        _tokens = _last == 0
            ? options.MessageBurst
            : Math.Min(options.MessageBurst, _tokens + time.GetElapsedTime(_last, now).TotalSeconds * options.MaxMessagesPerSecond);
        _last = now;
        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }
}
