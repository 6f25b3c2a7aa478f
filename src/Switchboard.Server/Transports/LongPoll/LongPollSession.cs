using Microsoft.Extensions.Logging;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Server.Outbound;
using Switchboard.Server.Phoenix;
using Switchboard.Server.Security;

namespace Switchboard.Server.Transports.LongPoll;

/// <summary>
/// One long-poll "connection": the same <see cref="PhoenixSocket"/> and <see cref="SendQueue"/> as a WebSocket, but
/// the queue is drained by GET requests instead of a socket writer, and messages arrive in POSTed batches.
/// </summary>
internal sealed class LongPollSession : ISendQueueConsumer, IStreamConnection
{
    private readonly object _lock = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _inbound = new(1, 1);
    private readonly ConnectionAccess? _access;
    private readonly SocketOptions _options;
    private MessageRate _rate;
    private long _lastActivity;
    private bool _closed;

    public LongPollSession(string connectionKey, JoinCoordinator hub, TimeProvider time, ConnectionRegistry registry, PhoenixSerializer serializer,
        ConnectionAccess? access = null)
    {
        ConnectionKey = connectionKey;
        Serializer = serializer;
        _time = time;
        _options = hub.Options;
        _lastActivity = time.GetTimestamp();
        Queue = new SendQueue(this, hub.Options.SendQueueMaxFrames, hub.Options.SendQueueMaxBytes);
        Waiter = new LongPollWaiter(Queue);
        _access = access;
        _logger = registry.Logger;
        Socket = new PhoenixSocket(hub, Queue, registry.PhoenixLogger, access);
        access?.Start(() =>
        {
            TokenExpired = true;
            Abort("token expired");
        });
    }

    /// <summary>Why the session ended, once it has.</summary>
    public string? CloseReason { get; private set; }

    /// <summary>The session ended because its token expired.</summary>
    public bool TokenExpired { get; private set; }

    /// <summary>The random key that names this session in the client's requests (Phoenix's <c>token</c> parameter); not a credential.</summary>
    public string ConnectionKey { get; }

    /// <summary>The serializer the connecting poll asked for; every later request of the session uses it.</summary>
    public PhoenixSerializer Serializer { get; }

    public SendQueue Queue { get; }

    /// <summary>Where GET requests wait for the queue's frames.</summary>
    internal LongPollWaiter Waiter { get; }

    public PhoenixSocket Socket { get; }

    public long LastActivity => Volatile.Read(ref _lastActivity);

    public bool IsClosed
    {
        get
        {
            lock (_lock)
            {
                return _closed;
            }
        }
    }

    public void Touch() => Volatile.Write(ref _lastActivity, _time.GetTimestamp());

    /// <summary>Waits up to <paramref name="window"/> for frames, then takes everything queued (possibly nothing).</summary>
    public async Task<List<OutboundFrame>> PollAsync(TimeSpan window, CancellationToken cancellationToken)
    {
        Touch();
        var frames = await Waiter.PollAsync(window, cancellationToken);
        Touch();
        return frames;
    }

    /// <summary>
    /// Handles POSTed messages one at a time, in order, and returns once a join among them is answered (as Phoenix answers
    /// a POST only after its joins). Returns false when they went over the connection's message rate: the session is then
    /// ended (the client reconnects and rejoins).
    /// </summary>
    public async Task<bool> HandleAsync(IReadOnlyList<PhoenixMessage> messages, CancellationToken cancellationToken)
    {
        Touch();
        var withinRate = true;
        await _inbound.WaitAsync(cancellationToken);
        try
        {
            foreach (var m in messages)
            {
                withinRate = withinRate && _rate.TryTake(_time, _options);
                if (!IsClosed && withinRate)
                {
                    await Socket.HandleAsync(m);
                }
            }

            await Socket.JoinAnswered.WaitAsync(cancellationToken);
        }
        finally
        {
            _inbound.Release();
        }

        if (!withinRate)
        {
            Abort("message rate exceeded");
        }

        return withinRate;
    }

    public void Close(ushort code, string reason) => Abort(reason);

    /// <summary>Ends the session: its channels leave (and its presence with them) and the next request gets 410.</summary>
    public void Abort(string reason)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            CloseReason = reason;
        }

        Queue.Complete();
        Waiter.Close();
        _access?.Dispose();
        _ = CloseSocketAsync();
    }

    void ISendQueueConsumer.OnFramesAvailable() => Waiter.Wake();

    void ISendQueueConsumer.OnOverflow()
    {
        TransportLog.SlowConsumer(_logger, "Long-poll");
        Abort("slow consumer: send queue full");
    }

    void ISendQueueConsumer.OnReset(string reason)
    {
        TransportLog.Reset(_logger, "Long-poll", reason);
        Abort(reason);
    }

    private async Task CloseSocketAsync()
    {
        // Leave channels only when no POST is being handled, since the channel state is not thread-safe.
        await _inbound.WaitAsync();
        try
        {
            await Socket.CloseAsync();
        }
        finally
        {
            _inbound.Release();
        }
    }
}
