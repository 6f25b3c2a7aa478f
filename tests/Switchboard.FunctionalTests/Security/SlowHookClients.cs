using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Security;

/// <summary>
/// Hook requests on bare sockets, one per connection, that each announce a large body and then send it a little at a
/// time: <see cref="FirstBytes"/> with the head, then <see cref="BytesPerSecond"/> (300 B/s), a round of bytes every
/// <see cref="TrickleEvery"/>, above Kestrel's minimum request-body data rate (240 B/s after a 5 s grace). A late round
/// catches up on what is due, so a loaded machine does not fall under the rate; the server keeps every one of them open
/// and reading. Disposing closes them all mid-body.
/// </summary>
internal sealed class SlowHookClients : IAsyncDisposable
{
    public const int FirstBytes = 1500;
    public const int BytesPerSecond = 300;
    public static readonly TimeSpan TrickleEvery = TimeSpan.FromMilliseconds(500);

    private const int ConnectWave = 100;
    private static readonly byte[] Filler = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));

    private readonly List<Socket> _sockets = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _trickling;
    private long _trickled;

    private SlowHookClients() => _trickling = Task.Run(TrickleAsync);

    /// <summary>The most body bytes any one request has been sent so far (the first ones opened got every round).</summary>
    public long MostSentEach => FirstBytes + Interlocked.Read(ref _trickled);

    /// <summary>Opens <paramref name="count"/> requests to <c>POST /hooks/claude-code</c>, each announcing <paramref name="announced"/> bytes.</summary>
    public static async Task<SlowHookClients> OpenAsync(Uri server, int count, long announced)
    {
        var clients = new SlowHookClients();
        try
        {
            for (var first = 0; first < count; first += ConnectWave)
            {
                var wave = await Task.WhenAll(Enumerable.Range(first, Math.Min(ConnectWave, count - first)).Select(n => OpenOneAsync(server, n, announced)));
                lock (clients._sockets)
                {
                    clients._sockets.AddRange(wave);
                }
            }

            return clients;
        }
        catch
        {
            await clients.DisposeAsync();
            throw;
        }
    }

    /// <summary>Requests the server has neither answered nor closed: it is still reading their bodies.</summary>
    public int StillHeld() => Snapshot().Count(s => !s.Poll(0, SelectMode.SelectRead));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _trickling;
        foreach (var socket in Snapshot())
        {
            socket.Dispose();
        }

        _stop.Dispose();
    }

    private static async Task<Socket> OpenOneAsync(Uri server, int n, long announced)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(server.Host, server.Port).WaitAsync(TestTimeouts.Default);
            var head = $"POST /hooks/claude-code HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Type: application/json\r\nContent-Length: {announced}\r\n\r\n";
            var start = $"{{\"hook_event_name\":\"UserPromptSubmit\",\"session_id\":\"slow-{n}\",\"prompt\":\"";
            await socket.SendAsync(Encoding.ASCII.GetBytes(head + start + new string('x', FirstBytes - start.Length))).WaitAsync(TestTimeouts.Default);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends each open request what is due since the trickle began, every <see cref="TrickleEvery"/>: pacing, not a synchronisation.</summary>
    private async Task TrickleAsync()
    {
        var started = Stopwatch.GetTimestamp();
        using var ticks = new PeriodicTimer(TrickleEvery);
        try
        {
            while (await ticks.WaitForNextTickAsync(_stop.Token))
            {
                var due = (long)(Stopwatch.GetElapsedTime(started).TotalSeconds * BytesPerSecond) - Interlocked.Read(ref _trickled);
                var round = Filler.AsMemory(0, (int)Math.Clamp(due, 1, Filler.Length));
                Interlocked.Add(ref _trickled, round.Length); // before the bytes go out, so MostSentEach is never short of them
                foreach (var socket in Snapshot())
                {
                    try
                    {
                        socket.Send(round.Span); // into a send buffer the server keeps draining: never blocks
                    }
                    catch (SocketException)
                    {
                        // closed by the server: StillHeld counts it
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private Socket[] Snapshot()
    {
        lock (_sockets)
        {
            return [.. _sockets];
        }
    }
}
