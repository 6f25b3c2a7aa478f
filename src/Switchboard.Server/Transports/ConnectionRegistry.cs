using Microsoft.Extensions.Logging;
using Switchboard.Server.Options;

namespace Switchboard.Server.Transports;

/// <summary>
/// Every open stream connection: enforces the connection limit before upgrades, closes idle connections
/// after the heartbeat timeout with one shared timer, and closes everything with 1001 on shutdown.
/// </summary>
internal sealed class ConnectionRegistry : IDisposable
{
    private readonly object _lock = new();
    private readonly HashSet<IStreamConnection> _connections = [];
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly ITimer _sweeper;
    private int _reserved;

    public ConnectionRegistry(TimeProvider time, SocketOptions options, ILoggerFactory loggers)
    {
        _time = time;
        Logger = loggers.CreateLogger("Switchboard.Server.Transports");
        PhoenixLogger = loggers.CreateLogger("Switchboard.Server.Phoenix");
        _timeout = options.HeartbeatTimeout;
        MaxConnections = options.MaxConnections;
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, _timeout.Ticks / 6));
        _sweeper = time.CreateTimer(_ => Sweep(), null, period, period);
    }

    public int MaxConnections { get; }

    /// <summary>The transports' logger (<see cref="TransportLog"/>).</summary>
    public ILogger Logger { get; }

    /// <summary>The Phoenix channel layer's logger, handed to each connection's socket.</summary>
    public ILogger PhoenixLogger { get; }

    public int Count => Volatile.Read(ref _reserved);

    /// <summary>True once the node is stopping: no new stream connections are taken.</summary>
    public bool IsShuttingDown => Volatile.Read(ref _shuttingDown);

    private bool _shuttingDown;

    /// <summary>Takes no new stream connections from now on (the node is stopping).</summary>
    public void BeginShutdown() => Volatile.Write(ref _shuttingDown, true);

    /// <summary>Claims a slot before upgrading; false when the server is full or stopping.</summary>
    public bool TryReserve()
    {
        if (IsShuttingDown)
        {
            return false;
        }

        if (Interlocked.Increment(ref _reserved) <= MaxConnections)
        {
            return true;
        }

        Interlocked.Decrement(ref _reserved);
        return false;
    }

    public void Release() => Interlocked.Decrement(ref _reserved);

    public void Add(IStreamConnection connection)
    {
        lock (_lock)
        {
            _connections.Add(connection);
        }
    }

    public void Remove(IStreamConnection connection)
    {
        lock (_lock)
        {
            _connections.Remove(connection);
        }
    }

    /// <summary>Closes every connection with <paramref name="code"/>; used on shutdown with 1001 so clients come back.</summary>
    public void CloseAll(ushort code, string reason)
    {
        foreach (var c in Snapshot())
        {
            c.Close(code, reason);
        }
    }

    public void Dispose() => _sweeper.Dispose();

    /// <summary>Closes connections that sent nothing within the heartbeat timeout.</summary>
    internal void Sweep()
    {
        var now = _time.GetTimestamp();
        foreach (var c in Snapshot())
        {
            if (_time.GetElapsedTime(c.LastActivity, now) > _timeout)
            {
                c.Close(Switchboard.Server.Transports.WebSockets.CloseCodes.GoingAway, "heartbeat timeout");
            }
        }
    }

    /// <summary>The open connections right now.</summary>
    internal IStreamConnection[] Snapshot()
    {
        lock (_lock)
        {
            return [.. _connections];
        }
    }
}
