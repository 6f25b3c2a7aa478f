using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Switchboard.Server.Mcp;

/// <summary>
/// Which MCP sessions subscribed to which resources, and the updates each still has to be sent. <see cref="McpUpdates"/>
/// marks URIs changed as the live log moves; each subscriber then gets one <c>notifications/resources/updated</c> per
/// changed URI, sent by one task of its own at a time, so a slow client delays only itself and what waits for it is
/// bounded by what it subscribed to (at most <see cref="MaxPerSession"/> URIs). Owns its state under its lock; nothing
/// it calls out to runs under it.
/// </summary>
internal sealed class McpSubscriptions(ILogger<McpSubscriptions> logger)
{
    public const int MaxPerSession = 1000;

    private readonly object _gate = new();
    private readonly Dictionary<string, Subscriber> _bySession = new(StringComparer.Ordinal); // under _gate
    private readonly Dictionary<string, HashSet<Subscriber>> _byUri = new(StringComparer.Ordinal); // under _gate

    /// <summary>MCP sessions open on this node that may subscribe.</summary>
    public int Sessions
    {
        get
        {
            lock (_gate)
            {
                return _bySession.Count;
            }
        }
    }

    public void Open(McpServer server)
    {
        lock (_gate)
        {
            _bySession[server.SessionId!] = new Subscriber(server);
        }
    }

    public void Close(string sessionId)
    {
        lock (_gate)
        {
            if (_bySession.Remove(sessionId, out var subscriber))
            {
                foreach (var uri in subscriber.Uris)
                {
                    Forget(uri, subscriber);
                }
            }
        }
    }

    /// <summary>False when the session already holds <see cref="MaxPerSession"/> subscriptions, or is no stateful session.</summary>
    public bool Subscribe(string? sessionId, string uri)
    {
        lock (_gate)
        {
            if (sessionId is null || !_bySession.TryGetValue(sessionId, out var subscriber))
            {
                return false;
            }

            if (!subscriber.Uris.Contains(uri) && subscriber.Uris.Count >= MaxPerSession)
            {
                return false;
            }

            subscriber.Uris.Add(uri);
            if (!_byUri.TryGetValue(uri, out var set))
            {
                _byUri[uri] = set = [];
            }

            set.Add(subscriber);
            return true;
        }
    }

    public void Unsubscribe(string? sessionId, string uri)
    {
        lock (_gate)
        {
            if (sessionId is not null && _bySession.TryGetValue(sessionId, out var subscriber) && subscriber.Uris.Remove(uri))
            {
                Forget(uri, subscriber);
            }
        }
    }

    /// <summary>Marks <paramref name="uris"/> changed (null: everything subscribed) and starts the sends that are not running.</summary>
    public void Changed(IEnumerable<string>? uris)
    {
        List<Subscriber>? start = null;
        lock (_gate)
        {
            if (_byUri.Count == 0)
            {
                return;
            }

            foreach (var uri in uris ?? [.. _byUri.Keys])
            {
                if (!_byUri.TryGetValue(uri, out var set))
                {
                    continue;
                }

                foreach (var subscriber in set)
                {
                    subscriber.Pending.Add(uri);
                    if (!subscriber.Sending)
                    {
                        subscriber.Sending = true;
                        (start ??= []).Add(subscriber);
                    }
                }
            }
        }

        foreach (var subscriber in start ?? [])
        {
            _ = Task.Run(() => SendAsync(subscriber));
        }
    }

    private async Task SendAsync(Subscriber subscriber)
    {
        while (true)
        {
            string[] due;
            lock (_gate)
            {
                if (subscriber.Pending.Count == 0)
                {
                    subscriber.Sending = false;
                    return;
                }

                due = [.. subscriber.Pending];
                subscriber.Pending.Clear();
            }

            foreach (var uri in due)
            {
                try
                {
                    await subscriber.Server.SendNotificationAsync(NotificationMethods.ResourceUpdatedNotification, new ResourceUpdatedNotificationParams { Uri = uri });
                }
                catch (Exception ex)
                {
                    McpLog.NotifyFailed(logger, subscriber.Server.SessionId ?? "", ex);
                }
            }
        }
    }

    private void Forget(string uri, Subscriber subscriber)
    {
        if (_byUri.TryGetValue(uri, out var set) && set.Remove(subscriber) && set.Count == 0)
        {
            _byUri.Remove(uri);
        }
    }

    private sealed class Subscriber(McpServer server)
    {
        public McpServer Server { get; } = server;

        public HashSet<string> Uris { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Pending { get; } = new(StringComparer.Ordinal);

        public bool Sending { get; set; }
    }
}
