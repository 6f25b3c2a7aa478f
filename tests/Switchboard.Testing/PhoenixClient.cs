using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Switchboard.Testing;

/// <summary>
/// A deliberately raw Phoenix V2 client over <see cref="ClientWebSocket"/>: it sends exactly the bytes a test
/// gives it (including malformed ones) and records every frame and the close status.
/// </summary>
public sealed class PhoenixClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly Channel<PhoenixFrame> _frames = Channel.CreateUnbounded<PhoenixFrame>();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<(WebSocketCloseStatus? Status, string? Description)> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _reader;
    private int _ref;

    /// <summary>Frames received but not yet taken by a Wait call.</summary>
    public List<PhoenixFrame> Backlog { get; } = [];

    public WebSocket Socket => _socket;

    /// <summary>Completes with the close status when the server closes (or the connection drops: null status).</summary>
    public Task<(WebSocketCloseStatus? Status, string? Description)> Closed => _closed.Task;

    public static async Task<PhoenixClient> ConnectAsync(Uri uri, Action<ClientWebSocketOptions>? options = null)
    {
        var client = new PhoenixClient();
        options?.Invoke(client._socket.Options);
        await client._socket.ConnectAsync(uri, CancellationToken.None).WaitAsync(TestTimeouts.Default);
        client._reader = Task.Run(client.ReadLoopAsync);
        return client;
    }

    public string NextRef() => Interlocked.Increment(ref _ref).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public Task SendRawAsync(string text) => SendRawAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public async Task SendRawAsync(byte[] bytes, WebSocketMessageType type, bool endOfMessage = true) =>
        await _socket.SendAsync(bytes, type, endOfMessage, CancellationToken.None).WaitAsync(TestTimeouts.Default);

    public Task SendAsync(string? joinRef, string? @ref, string topic, string @event, object? payload = null) =>
        SendRawAsync(JsonSerializer.Serialize(new object?[] { joinRef, @ref, topic, @event, payload ?? new { } }));

    /// <summary>Joins and returns the reply. The join ref is also the message ref, as phoenix.js does it.</summary>
    public async Task<PhoenixFrame> JoinAsync(string topic, object? payload = null)
    {
        var r = NextRef();
        await SendAsync(r, r, topic, "phx_join", payload);
        return await WaitForAsync(f => f.Event == "phx_reply" && f.Ref == r && f.Topic == topic);
    }

    public async Task<PhoenixFrame> HeartbeatAsync()
    {
        var r = NextRef();
        await SendAsync(null, r, "phoenix", "heartbeat");
        return await WaitForAsync(f => f.Event == "phx_reply" && f.Ref == r && f.Topic == "phoenix");
    }

    /// <summary>Returns the first frame (in arrival order) matching <paramref name="match"/>, keeping the rest in the backlog.</summary>
    public async Task<PhoenixFrame> WaitForAsync(Func<PhoenixFrame, bool> match, TimeSpan? timeout = null)
    {
        lock (Backlog)
        {
            var found = Backlog.FindIndex(f => match(f));
            if (found >= 0)
            {
                var frame = Backlog[found];
                Backlog.RemoveAt(found);
                return frame;
            }
        }

        using var cts = new CancellationTokenSource(timeout ?? TestTimeouts.Default);
        try
        {
            while (true)
            {
                var frame = await _frames.Reader.ReadAsync(cts.Token);
                if (match(frame))
                {
                    return frame;
                }

                lock (Backlog)
                {
                    Backlog.Add(frame);
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("No matching frame arrived. Received meanwhile:\n" + string.Join('\n', Backlog.Select(f => f.Raw)));
        }
        catch (ChannelClosedException)
        {
            var (status, description) = await Closed;
            throw new InvalidOperationException($"The socket closed ({status} {description}) before a matching frame arrived.");
        }
    }

    /// <summary>Everything received so far plus whatever arrives within <paramref name="quiet"/>.</summary>
    public async Task<List<PhoenixFrame>> DrainAsync(TimeSpan quiet)
    {
        var all = new List<PhoenixFrame>();
        lock (Backlog)
        {
            all.AddRange(Backlog);
            Backlog.Clear();
        }

        while (true)
        {
            using var cts = new CancellationTokenSource(quiet);
            try
            {
                all.Add(await _frames.Reader.ReadAsync(cts.Token));
            }
            catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
            {
                return all;
            }
        }
    }

    public async Task CloseAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).WaitAsync(TestTimeouts.Default);
            }
            catch (Exception ex) when (ex is WebSocketException or TimeoutException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _socket.Abort();
        if (_reader is not null)
        {
            await _reader.WaitAsync(TestTimeouts.Default);
        }

        _socket.Dispose();
        _stop.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _closed.TrySetResult((result.CloseStatus, result.CloseStatusDescription));
                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
                message.SetLength(0);
                _frames.Writer.TryWrite(PhoenixFrame.Parse(text));
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            _closed.TrySetResult((null, ex.Message));
        }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }
}
