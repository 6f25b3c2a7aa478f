using System.Net;
using System.Net.Sockets;

namespace Switchboard.Client.Tests;

/// <summary>
/// A loopback TCP relay in front of a real server, so a test can break a client's connection for real: reset every
/// connection (<see cref="CutAll"/>), refuse new ones for a while (<see cref="Refusing"/>), or stop forwarding bytes
/// without closing anything (<see cref="Freeze"/>), which only heartbeats can detect.
/// </summary>
internal sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Pair> _pairs = [];
    private readonly Task _accepting;
    private int _accepted;

    public TcpProxy(Uri target)
    {
        _target = new IPEndPoint(IPAddress.Loopback, target.Port);
        _listener.Start();
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptLoopAsync();
    }

    public Uri BaseAddress { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>While true, new connections are accepted and closed at once, as if nothing listened.</summary>
    public bool Refusing { get; set; }

    /// <summary>Resets every open connection (both sides see an abortive close).</summary>
    public int CutAll()
    {
        List<Pair> pairs;
        lock (_pairs)
        {
            pairs = [.. _pairs];
            _pairs.Clear();
        }

        foreach (var p in pairs)
        {
            p.Reset();
        }

        return pairs.Count;
    }

    /// <summary>Stops forwarding on every open connection, leaving the sockets open: a silent, dead link.</summary>
    public void Freeze()
    {
        lock (_pairs)
        {
            foreach (var p in _pairs)
            {
                p.Frozen = true;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        CutAll();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            Interlocked.Increment(ref _accepted);
            if (Refusing)
            {
                client.LingerState = new LingerOption(true, 0);
                client.Dispose();
                continue;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await upstream.ConnectAsync(_target, _stop.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            // The server is down: the client sees its connection reset, as it would without the proxy.
            client.LingerState = new LingerOption(true, 0);
            client.Dispose();
            upstream.Dispose();
            return;
        }

        var pair = new Pair(client, upstream);
        lock (_pairs)
        {
            _pairs.Add(pair);
        }

        await Task.WhenAll(PumpAsync(pair, client, upstream), PumpAsync(pair, upstream, client));
        pair.Reset();
        lock (_pairs)
        {
            _pairs.Remove(pair);
        }
    }

    private static async Task PumpAsync(Pair pair, Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (n == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                if (pair.Frozen)
                {
                    continue; // swallow: the link looks alive but carries nothing
                }

                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            pair.Reset();
        }
    }

    private sealed class Pair(Socket client, Socket upstream)
    {
        private int _reset;

        public volatile bool Frozen;

        public void Reset()
        {
            if (Interlocked.Exchange(ref _reset, 1) != 0)
            {
                return;
            }

            foreach (var s in new[] { client, upstream })
            {
                try
                {
                    s.LingerState = new LingerOption(true, 0);
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                }

                s.Dispose();
            }
        }
    }
}
