using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;

namespace Switchboard.LoadGen.Clients;

/// <summary>
/// Subscribers written the way an application writes them: .NET's own <see cref="ClientWebSocket"/>, one async receive
/// loop each, a message assembled into a buffer and handed on when its last fragment arrives. They read more slowly
/// than the epoll pool (a thread-pool continuation and a copy per read) and share the server's cores, so they show how
/// a server treats consumers that cost CPU. This is the harness issue 30 measured its overload tail with.
/// </summary>
internal sealed class ClientWebSocketPool(Uri server, SubscriberProtocol protocol) : IAsyncDisposable
{
    private readonly List<Subscriber> _subscribers = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _heartbeats;
    private int _nextJoin;

    public int Count
    {
        get
        {
            lock (_subscribers)
            {
                return _subscribers.Count;
            }
        }
    }

    /// <summary>Opens <paramref name="total"/> subscribers, 64 at a time, each joined to <paramref name="topic"/>; then keeps them alive.</summary>
    public async Task OpenAsync(int total, string topic, CancellationToken cancellationToken)
    {
        var next = 0;
        var workers = Enumerable.Range(0, 64).Select(async _ =>
        {
            int id;
            while ((id = Interlocked.Increment(ref next) - 1) < total)
            {
                var socket = new ClientWebSocket();
                socket.Options.KeepAliveInterval = TimeSpan.Zero; // the protocol's own heartbeat keeps it alive
                await socket.ConnectAsync(server, cancellationToken);
                var subscriber = new Subscriber(id, socket);
                if (protocol.Handshake is { } handshake)
                {
                    protocol.CheckReply(null, await subscriber.RequestAsync(handshake.Text, handshake.ReplyToken, cancellationToken));
                }

                var (join, token) = protocol.Join(topic, Interlocked.Increment(ref _nextJoin));
                protocol.CheckReply(topic, await subscriber.RequestAsync(join, token, cancellationToken));
                subscriber.Receiving = Task.Run(() => ReceiveAsync(subscriber), CancellationToken.None);
                lock (_subscribers)
                {
                    _subscribers.Add(subscriber);
                }
            }
        });
        await Task.WhenAll(workers);
        _heartbeats ??= Task.Run(HeartbeatAsync, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_heartbeats is not null)
        {
            await _heartbeats;
        }

        protocol.ExpectCloses = true;
        Subscriber[] all;
        lock (_subscribers)
        {
            all = [.. _subscribers];
            _subscribers.Clear();
        }

        foreach (var s in all)
        {
            s.Socket.Abort();
        }

        await Task.WhenAll(all.Select(s => s.Receiving ?? Task.CompletedTask));
        foreach (var s in all)
        {
            s.Socket.Dispose();
        }

        protocol.ExpectCloses = false;
        _stop.Dispose();
    }

    /// <summary>One receive loop: every complete message goes to the protocol with the time its last read returned.</summary>
    private async Task ReceiveAsync(Subscriber s)
    {
        var buffer = new byte[16 * 1024];
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                var result = await s.Socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                length += result.Count;
                if (result.EndOfMessage)
                {
                    protocol.Receive(buffer.AsSpan(0, length), Stopwatch.GetTimestamp(), s.Id);
                    length = 0;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        protocol.Closed();
    }

    private async Task HeartbeatAsync()
    {
        using var timer = new PeriodicTimer(protocol.HeartbeatInterval / 2);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                Subscriber[] all;
                lock (_subscribers)
                {
                    all = [.. _subscribers];
                }

                foreach (var s in all)
                {
                    try
                    {
                        await s.Socket.SendAsync(protocol.Heartbeat, WebSocketMessageType.Text, true, _stop.Token);
                    }
                    catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException)
                    {
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed class Subscriber(int id, ClientWebSocket socket)
    {
        public int Id { get; } = id;

        public ClientWebSocket Socket { get; } = socket;

        public Task? Receiving { get; set; }

        /// <summary>Before the receive loop runs: sends <paramref name="text"/> and reads until a message contains <paramref name="token"/>.</summary>
        public async Task<string> RequestAsync(string text, string token, CancellationToken cancellationToken)
        {
            await Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cancellationToken);
            var buffer = new byte[64 * 1024];
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }

                    result = await Socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        throw new IOException($"subscriber {Id}: closed while waiting for a reply to {text.TrimEnd('\u001e')}");
                    }

                    length += result.Count;
                }
                while (!result.EndOfMessage);

                var message = Encoding.UTF8.GetString(buffer, 0, length);
                if (message.Contains(token, StringComparison.Ordinal))
                {
                    return message;
                }
            }
        }
    }
}
