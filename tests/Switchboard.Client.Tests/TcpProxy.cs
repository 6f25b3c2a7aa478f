using System.Net;
using System.Net.Sockets;

namespace Switchboard.Client.Tests;

/// <summary>
/// A loopback TCP relay in front of a real server, so a test can break a client's connection for real: reset every
/// connection (<see cref="CutAll"/>), refuse new ones for a while (<see cref="Refusing"/>), or stop forwarding bytes
/// without closing anything (<see cref="Freeze"/>), which only heartbeats can detect; or deliver every session event
/// twice (<see cref="RepeatSessionEvents"/>), as a relay that retransmits would.
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

    /// <summary>
    /// Set before connecting: on connections accepted from then on, every WebSocket text frame from the server that
    /// carries a session event on <c>sessions</c> reaches the client twice.
    /// </summary>
    public bool RepeatSessionEvents { get; init; }

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

        var down = RepeatSessionEvents ? RepeatingPumpAsync(pair, upstream, client) : PumpAsync(pair, upstream, client);
        await Task.WhenAll(PumpAsync(pair, client, upstream), down);
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

    /// <summary>
    /// Forwards the server's upgrade response, then its WebSocket frames one whole frame at a time, each session event
    /// twice. (Frames from a server are never masked; this relay carries no extensions, so none is compressed.)
    /// </summary>
    private static async Task RepeatingPumpAsync(Pair pair, Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        var filled = 0;
        var upgraded = false;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                var n = await from.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
                if (n == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                filled += n;
                var used = 0;
                if (!upgraded)
                {
                    var end = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
                    if (end < 0)
                    {
                        continue;
                    }

                    used = end + 4;
                    upgraded = true;
                    await to.SendAsync(buffer.AsMemory(0, used), SocketFlags.None);
                }

                while (FrameLength(buffer.AsSpan(used, filled - used)) is { } length)
                {
                    var frame = buffer.AsMemory(used, length);
                    await to.SendAsync(frame, SocketFlags.None);
                    if (IsSessionEvent(frame.Span))
                    {
                        await to.SendAsync(frame, SocketFlags.None);
                    }

                    used += length;
                }

                buffer.AsSpan(used, filled - used).CopyTo(buffer);
                filled -= used;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            pair.Reset();
        }
    }

    /// <summary>The whole length of the frame at the start of <paramref name="bytes"/>, or null until all of it is there.</summary>
    private static int? FrameLength(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 2)
        {
            return null;
        }

        var (header, payload) = (bytes[1] & 0x7F) switch
        {
            126 when bytes.Length >= 4 => (4, (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(bytes[2..])),
            127 when bytes.Length >= 10 => (10, (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[2..])),
            126 or 127 => (0, 0L),
            var small => (2, (long)small),
        };
        return header > 0 && bytes.Length >= header + payload ? (int)(header + payload) : null;
    }

    private static bool IsSessionEvent(ReadOnlySpan<byte> frame) =>
        (frame[0] & 0x0F) == 1 && frame.IndexOf("\"sessions\",\"session_"u8) >= 0;

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
