using System.Collections.Concurrent;
using System.Security.Cryptography;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Server.Phoenix;
using Switchboard.Server.Security;

namespace Switchboard.Server.Transports.LongPoll;

/// <summary>Long-poll sessions by connection key; reaps the ones nobody polled for 1.5 × the window.</summary>
internal sealed class LongPollRegistry : IDisposable
{
    private readonly ConcurrentDictionary<string, LongPollSession> _sessions = new(StringComparer.Ordinal);
    private readonly JoinCoordinator _hub;
    private readonly ConnectionRegistry _connections;
    private readonly TimeProvider _time;
    private readonly ITimer _reaper;

    public LongPollRegistry(JoinCoordinator hub, ConnectionRegistry connections, TimeProvider time, SocketOptions options)
    {
        _hub = hub;
        _connections = connections;
        _time = time;
        Window = options.LongPollWindow;
        var period = Window / 2;
        _reaper = time.CreateTimer(_ => Reap(), null, period, period);
    }

    public TimeSpan Window { get; }

    public TimeProvider Time => _time;

    public int Count => _sessions.Count;

    /// <summary>Creates a session, or returns null when the server is at its connection limit.</summary>
    public LongPollSession? Create(PhoenixSerializer serializer, ConnectionAccess? access = null)
    {
        if (!_connections.TryReserve())
        {
            access?.Dispose();
            return null;
        }

        var session = new LongPollSession(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_'), _hub, _time, _connections, serializer, access);
        _sessions[session.ConnectionKey] = session;
        _connections.Add(session);
        TransportLog.Opened(_connections.Logger, "Long-poll", _connections.Count);
        return session;
    }

    public LongPollSession? Find(string? connectionKey)
    {
        if (string.IsNullOrEmpty(connectionKey) || !_sessions.TryGetValue(connectionKey, out var session))
        {
            return null;
        }

        if (session.IsClosed)
        {
            Remove(session);
            return null;
        }

        return session;
    }

    public void Dispose()
    {
        _reaper.Dispose();
        foreach (var session in _sessions.Values)
        {
            Remove(session);
        }
    }

    /// <summary>Ends sessions idle for more than 1.5 × the window (Phoenix's rule).</summary>
    internal void Reap()
    {
        var now = _time.GetTimestamp();
        foreach (var session in _sessions.Values)
        {
            if (session.IsClosed || _time.GetElapsedTime(session.LastActivity, now) > Window * 1.5)
            {
                Remove(session);
            }
        }
    }

    private void Remove(LongPollSession session)
    {
        if (_sessions.TryRemove(new KeyValuePair<string, LongPollSession>(session.ConnectionKey, session)))
        {
            session.Abort("long-poll session expired");
            TransportLog.Closed(_connections.Logger, "Long-poll", session.CloseReason ?? "long-poll session expired");
            _connections.Remove(session);
            _connections.Release();
        }
    }
}
