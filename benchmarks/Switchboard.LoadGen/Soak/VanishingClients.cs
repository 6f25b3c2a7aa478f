using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Switchboard.LoadGen.Soak;

/// <summary>
/// The clients of a soak that go away badly: long-poll sessions that join, poll once and are never heard from again
/// (the server reaps them after 1.5 poll windows), SSE streams that stop reading (the server cuts them off when their
/// queue reaches its cap), and SSE streams that read for a while and hang up.
/// </summary>
internal sealed class VanishingClients(Uri server)
{
    private static readonly TimeSpan LongPollEvery = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan SseEvery = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StalledKeptFor = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan ReaderKeptFor = TimeSpan.FromSeconds(15);

    private long _longPolls;
    private long _stalled;
    private long _readers;
    private long _failures;

    public long LongPollsAbandoned => Interlocked.Read(ref _longPolls);

    public long SseStalled => Interlocked.Read(ref _stalled);

    public long SseReaders => Interlocked.Read(ref _readers);

    /// <summary>Connects that failed outright (a refusal, an error): any is a failed run.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    public Task RunAsync(CancellationToken stop) => Task.WhenAll(LongPollLoopAsync(stop), SseLoopAsync(stop));

    private async Task LongPollLoopAsync(CancellationToken stop)
    {
        using var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(60) };
        using var timer = new PeriodicTimer(LongPollEvery);
        var n = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    var key = JsonDocument.Parse(await http.GetStringAsync("/socket/longpoll?vsn=2.0.0", stop)).RootElement.GetProperty("token").GetString()!;
                    var path = "/socket/longpoll?vsn=2.0.0&token=" + Uri.EscapeDataString(key);
                    var join = $$$"""["1","1","sessions","phx_join",{"viewer":{"name":"lp-{{{++n}}}"}}]""";
                    using (var post = await http.PostAsync(path, new StringContent(join, Encoding.UTF8, "application/x-ndjson"), stop))
                    {
                        post.EnsureSuccessStatusCode();
                    }

                    (await http.GetStringAsync(path, stop)).ShouldHoldMessages();
                    Interlocked.Increment(ref _longPolls); // and never polls again
                }
                catch (Exception ex) when (ex is HttpRequestException or JsonException or InvalidOperationException)
                {
                    Interlocked.Increment(ref _failures);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SseLoopAsync(CancellationToken stop)
    {
        var stalled = new Queue<(Socket Socket, DateTime At)>();
        var readers = new List<Task>();
        using var timer = new PeriodicTimer(SseEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    stalled.Enqueue((await OpenStalledAsync(stop), DateTime.UtcNow));
                    Interlocked.Increment(ref _stalled);
                }
                catch (SocketException)
                {
                    Interlocked.Increment(ref _failures);
                }

                while (stalled.TryPeek(out var oldest) && DateTime.UtcNow - oldest.At > StalledKeptFor)
                {
                    stalled.Dequeue().Socket.Dispose();
                }

                readers.RemoveAll(r => r.IsCompleted);
                readers.Add(ReadForAWhileAsync(stop));
            }
        }
        catch (OperationCanceledException)
        {
        }

        foreach (var (socket, _) in stalled)
        {
            socket.Dispose();
        }

        await Task.WhenAll(readers);
    }

    /// <summary>An SSE request on a socket with a tiny receive buffer that is then never read.</summary>
    private async Task<Socket> OpenStalledAsync(CancellationToken stop)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port), stop);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /api/stream?topics=sessions HTTP/1.1\r\nHost: 127.0.0.1:{server.Port}\r\n\r\n"), stop);
        return socket;
    }

    private async Task ReadForAWhileAsync(CancellationToken stop)
    {
        using var http = new HttpClient { BaseAddress = server, Timeout = Timeout.InfiniteTimeSpan };
        using var window = CancellationTokenSource.CreateLinkedTokenSource(stop);
        window.CancelAfter(ReaderKeptFor);
        try
        {
            using var response = await http.GetAsync("/api/stream?topics=sessions,alerts", HttpCompletionOption.ResponseHeadersRead, window.Token);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(window.Token);
            await body.CopyToAsync(Stream.Null, window.Token);
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref _readers); // read its window, then hung up
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            Interlocked.Increment(ref _failures);
        }
    }
}

internal static class LongPollAnswers
{
    /// <summary>The first poll after a join answers at once with the join reply.</summary>
    public static void ShouldHoldMessages(this string answer)
    {
        var status = JsonDocument.Parse(answer).RootElement.GetProperty("status").GetInt32();
        if (status != 200)
        {
            throw new InvalidOperationException($"the long-poll answered {status}: {answer[..Math.Min(answer.Length, 200)]}");
        }
    }
}
