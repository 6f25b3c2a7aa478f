using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Switchboard.LoadGen.Soak;

/// <summary>
/// A subscriber that stays for the whole soak on <c>sessions</c> and <c>alerts</c> (every event of the log goes to
/// exactly one of them) and records every <c>seq</c> it receives, so the run can tell whether every committed event
/// reached it exactly once. It reads as fast as it can and heartbeats like phoenix.js; a close by the server is counted.
/// </summary>
internal sealed class ControlSubscriber : IAsyncDisposable
{
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(20);

    private readonly ClientWebSocket _socket = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<long> _seqs = [];
    private readonly Dictionary<string, long> _types = [];
    private readonly Dictionary<string, TaskCompletionSource<JsonElement>> _replies = [];
    private readonly object _lock = new();
    private Task _receiving = Task.CompletedTask;
    private Task _heartbeats = Task.CompletedTask;
    private long _duplicates;
    private long _highest;
    private int _ref;

    /// <summary>Why the server closed it, if it did before the run ended.</summary>
    public string? ClosedEarly { get; private set; }

    public long Received
    {
        get
        {
            lock (_lock)
            {
                return _seqs.Count;
            }
        }
    }

    public long Highest => Interlocked.Read(ref _highest);

    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Events received by type.</summary>
    public IReadOnlyDictionary<string, long> Types
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<string, long>(_types);
            }
        }
    }

    /// <summary>Connects and joins both topics from the start of the log (the server is fresh: nothing is written yet).</summary>
    public static async Task<ControlSubscriber> StartAsync(Uri webSocket, CancellationToken cancellationToken)
    {
        var control = new ControlSubscriber();
        await control._socket.ConnectAsync(webSocket, cancellationToken);
        control._receiving = Task.Run(control.ReceiveLoopAsync, CancellationToken.None);
        foreach (var topic in new[] { "sessions", "alerts" })
        {
            var reply = await control.RequestAsync(topic, "phx_join", "{}").WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            if (reply.GetProperty("status").GetString() != "ok")
            {
                throw new InvalidOperationException($"the control subscriber's join of {topic} was refused: {reply}");
            }
        }

        control._heartbeats = Task.Run(control.HeartbeatLoopAsync, CancellationToken.None);
        return control;
    }

    /// <summary>Waits until it holds <paramref name="head"/> or <paramref name="patience"/> passes.</summary>
    public async Task WaitForAsync(long head, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (Highest < head && DateTime.UtcNow < deadline && ClosedEarly is null)
        {
            await Task.Delay(100);
        }
    }

    /// <summary>The seqs in 1..<paramref name="head"/> it never received (the first few, and how many in all).</summary>
    public (long Count, IReadOnlyList<long> First) Missing(long head)
    {
        lock (_lock)
        {
            var first = new List<long>();
            long count = 0;
            for (var seq = 1L; seq <= head; seq++)
            {
                if (!_seqs.Contains(seq))
                {
                    count++;
                    if (first.Count < 10)
                    {
                        first.Add(seq);
                    }
                }
            }

            return (count, first);
        }
    }

    private Task<JsonElement> RequestAsync(string topic, string @event, string payload)
    {
        var reference = Interlocked.Increment(ref _ref).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_replies)
        {
            _replies[reference] = reply;
        }

        var joinRef = @event == "phx_join" ? $"\"{reference}\"" : "null";
        var text = $$"""[{{joinRef}},"{{reference}}","{{topic}}","{{@event}}",{{payload}}]""";
        return SendThenAsync(text, reply.Task);
    }

    private async Task<JsonElement> SendThenAsync(string text, Task<JsonElement> reply)
    {
        await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, _stop.Token);
        return await reply;
    }

    private async Task HeartbeatLoopAsync()
    {
        using var timer = new PeriodicTimer(HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                await RequestAsync("phoenix", "heartbeat", "{}").WaitAsync(TimeSpan.FromSeconds(60), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or TimeoutException)
        {
            ClosedEarly ??= _stop.IsCancellationRequested ? null : "heartbeat failed: " + ex.Message;
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var message = new ArrayBufferWriter<byte>(64 * 1024);
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(message.GetMemory(16 * 1024), _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    ClosedEarly ??= $"closed by the server: {_socket.CloseStatus} {_socket.CloseStatusDescription}";
                    return;
                }

                message.Advance(result.Count);
                if (result.EndOfMessage)
                {
                    Handle(message.WrittenSpan);
                    message.ResetWrittenCount();
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            ClosedEarly ??= _stop.IsCancellationRequested ? null : "receive failed: " + ex.Message;
        }
    }

    private void Handle(ReadOnlySpan<byte> bytes)
    {
        using var doc = JsonDocument.Parse(bytes.ToArray());
        var frame = doc.RootElement;
        var @event = frame[3].GetString();
        if (@event == "phx_reply" && frame[1].GetString() is { } reference)
        {
            TaskCompletionSource<JsonElement>? reply;
            lock (_replies)
            {
                _replies.Remove(reference, out reply);
            }

            reply?.TrySetResult(frame[4].Clone());
            return;
        }

        if (frame[4].ValueKind == JsonValueKind.Object && frame[4].TryGetProperty("seq", out var s) && s.ValueKind == JsonValueKind.Number)
        {
            var seq = s.GetInt64();
            lock (_lock)
            {
                if (!_seqs.Add(seq))
                {
                    _duplicates++;
                }

                _types[@event ?? "?"] = _types.GetValueOrDefault(@event ?? "?") + 1;
            }

            if (seq > Interlocked.Read(ref _highest))
            {
                Interlocked.Exchange(ref _highest, seq);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _heartbeats;
        try
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "soak over", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is WebSocketException or TimeoutException or ObjectDisposedException)
        {
        }

        await _receiving;
        _socket.Dispose();
        _stop.Dispose();
    }
}
