using System.Threading.Channels;

namespace Switchboard.Server.Live;

/// <summary>
/// The live loop's inbox, with its depth. Requests from outside (a join's start, a read, a read-your-writes wait) are
/// bounded: past <see cref="SocketOptions.MaxQueuedRequests"/> waiting, a new one is refused at once
/// (<see cref="LiveBusyException"/>) instead of queueing. The rest is bounded where it comes from: commits by admission
/// control (<see cref="SocketOptions.MaxPendingEvents"/>), the later steps of an admitted join by that join, leaves by
/// the subscriptions there are, remote presence by the one snapshot its poller holds back until it changed, ticks by
/// their timers (each armed once until it fires).
/// </summary>
internal sealed class LiveInbox(int maxRequests)
{
    private readonly Channel<Entry> _channel = Channel.CreateUnbounded<Entry>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false });

    private int _depth;
    private int _requests;

    /// <summary>Messages waiting, of every kind.</summary>
    public int Depth => Volatile.Read(ref _depth);

    /// <summary>Writes a message that is never refused; false once the inbox is completed (the node is stopping).</summary>
    public bool TryWrite(LiveMessage message) => Write(new Entry(message, IsRequest: false));

    /// <summary>Writes a request, or fails it with <see cref="LiveBusyException"/> when too many wait; false once completed.</summary>
    public bool TryWriteRequest(LiveMessage message)
    {
        if (Interlocked.Increment(ref _requests) > maxRequests)
        {
            Interlocked.Decrement(ref _requests);
            message.Fail(new LiveBusyException(maxRequests));
            return true; // answered
        }

        if (Write(new Entry(message, IsRequest: true)))
        {
            return true;
        }

        Interlocked.Decrement(ref _requests);
        return false;
    }

    public bool TryRead(out LiveMessage message)
    {
        if (!_channel.Reader.TryRead(out var entry))
        {
            message = null!;
            return false;
        }

        Interlocked.Decrement(ref _depth);
        if (entry.IsRequest)
        {
            Interlocked.Decrement(ref _requests);
        }

        message = entry.Message;
        return true;
    }

    public bool HasMessages => _channel.Reader.TryPeek(out _);

    public ValueTask<bool> WaitToReadAsync() => _channel.Reader.WaitToReadAsync();

    public void Complete() => _channel.Writer.TryComplete();

    private bool Write(Entry entry)
    {
        Interlocked.Increment(ref _depth);
        if (_channel.Writer.TryWrite(entry))
        {
            return true;
        }

        Interlocked.Decrement(ref _depth);
        return false;
    }

    /// <summary>A message and whether it counts against the bound on requests.</summary>
    private readonly record struct Entry(LiveMessage Message, bool IsRequest);
}
