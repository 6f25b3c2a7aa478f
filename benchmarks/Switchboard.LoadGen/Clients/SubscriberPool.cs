using System.Net;

namespace Switchboard.LoadGen.Clients;

/// <summary>
/// N subscriber connections to one server, each joined to its topics, kept alive with the protocol's heartbeat
/// (spread evenly over the interval), read by one <see cref="EpollLoop"/> per core. Past 25,000 connections it spreads them over several 127.0.0.x
/// source addresses so one source address never runs out of ephemeral ports.
/// </summary>
internal sealed class SubscriberPool : IAsyncDisposable
{
    private const int ConnectionsPerSourceAddress = 25_000;
    private static readonly TimeSpan HeartbeatTick = TimeSpan.FromMilliseconds(250);

    private readonly IPEndPoint _server;
    private readonly List<WsClient> _clients = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _heartbeats;
    private readonly EpollLoop[] _loops;
    private int _nextJoin;

    public SubscriberPool(IPEndPoint server, SubscriberProtocol protocol)
    {
        _server = server;
        Protocol = protocol;
        _loops = [.. Enumerable.Range(0, Environment.ProcessorCount).Select(i => new EpollLoop(i))];
        _heartbeats = Task.Run(HeartbeatLoopAsync);
    }

    public SubscriberProtocol Protocol { get; }

    public int Count
    {
        get
        {
            lock (_clients)
            {
                return _clients.Count;
            }
        }
    }

    /// <summary>Opens connections until there are <paramref name="total"/>; each joins the topics <paramref name="topicsFor"/> gives its index.</summary>
    public async Task GrowToAsync(int total, Func<int, IReadOnlyList<string>> topicsFor, CancellationToken cancellationToken)
    {
        var start = Count;
        var next = start;
        var workers = Enumerable.Range(0, Math.Min(128, Math.Max(1, total - start))).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next) - 1) < total)
            {
                var source = index < ConnectionsPerSourceAddress ? null : new IPAddress([127, 0, 0, (byte)(1 + index / ConnectionsPerSourceAddress)]);
                // The handshake blocks (no .NET async operation may touch the socket), so it runs on a pool thread.
                var client = await Task.Run(() => WsClient.Connect(index, _server, source, Protocol.PathAndQuery, Protocol), cancellationToken);
                client.Start(_loops[index % _loops.Length]);
                await Protocol.HandshakeAsync(client, cancellationToken);
                foreach (var topic in topicsFor(index))
                {
                    await Protocol.JoinAsync(client, topic, Interlocked.Increment(ref _nextJoin), cancellationToken);
                }

                lock (_clients)
                {
                    _clients.Add(client);
                }
            }
        });
        await Task.WhenAll(workers);
    }

    /// <summary>Joins more topics on existing connections (the mixed scenario); <paramref name="topicsFor"/> gets each connection's position.</summary>
    public async Task JoinAsync(Func<int, IReadOnlyList<string>> topicsFor, CancellationToken cancellationToken)
    {
        WsClient[] clients;
        lock (_clients)
        {
            clients = [.. _clients];
        }

        var next = 0;
        var workers = Enumerable.Range(0, 128).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next) - 1) < clients.Length)
            {
                foreach (var topic in topicsFor(i))
                {
                    await Protocol.JoinAsync(clients[i], topic, Interlocked.Increment(ref _nextJoin), cancellationToken);
                }
            }
        });
        await Task.WhenAll(workers);
    }

    /// <summary>Closes connections (newest first) until <paramref name="keep"/> remain.</summary>
    public async Task ShrinkToAsync(int keep)
    {
        List<WsClient> closing;
        lock (_clients)
        {
            closing = _clients.GetRange(keep, _clients.Count - keep);
            _clients.RemoveRange(keep, _clients.Count - keep);
        }

        Protocol.ExpectCloses = true;
        foreach (var c in closing)
        {
            c.Close();
        }

        await Task.WhenAll(closing.Select(c => c.Completion));
        Protocol.ExpectCloses = false;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _heartbeats;
        await ShrinkToAsync(0);
        foreach (var loop in _loops)
        {
            loop.Dispose();
        }

        _stop.Dispose();
    }

    private async Task HeartbeatLoopAsync()
    {
        var slots = (int)(Protocol.HeartbeatInterval / HeartbeatTick);
        var tick = 0;
        using var timer = new PeriodicTimer(HeartbeatTick);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var slot = tick++ % slots;
                List<WsClient> due;
                lock (_clients)
                {
                    due = [];
                    for (var i = slot; i < _clients.Count; i += slots)
                    {
                        due.Add(_clients[i]);
                    }
                }

                foreach (var client in due)
                {
                    if (!client.IsClosed)
                    {
                        _ = SendHeartbeatAsync(client);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SendHeartbeatAsync(WsClient client)
    {
        try
        {
            await client.SendTextAsync(Protocol.Heartbeat);
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or ObjectDisposedException)
        {
        }
    }
}
