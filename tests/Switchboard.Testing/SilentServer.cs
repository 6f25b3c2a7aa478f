using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Switchboard.Testing;

/// <summary>
/// A server that accepts connections on 127.0.0.1:0, reads what arrives, and never answers unless a test tells it to:
/// a hung node behind a load balancer, as a hook sees it. Each connection records what it received and how long its
/// client kept it open.
/// </summary>
public sealed class SilentServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<SilentConnection> _connections = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;

    public SilentServer()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Uri Url(string path) => new($"http://127.0.0.1:{Port}{path}");

    /// <summary>Every connection so far, in the order accepted.</summary>
    public IReadOnlyList<SilentConnection> Connections
    {
        get
        {
            lock (_connections)
            {
                return [.. _connections];
            }
        }
    }

    /// <summary>The first connection that has received <paramref name="text"/>.</summary>
    public async Task<SilentConnection> WaitForAsync(string text, TimeSpan? timeout = null)
    {
        SilentConnection? found = null;
        await TestTimeouts.Eventually(() => (found = Connections.FirstOrDefault(c => c.Received.Contains(text, StringComparison.Ordinal))) is not null,
            $"a connection that received '{text}'", timeout);
        return found!;
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var connection = new SilentConnection(client, _stopping.Token);
            lock (_connections)
            {
                _connections.Add(connection);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _accepting;
        foreach (var connection in Connections)
        {
            await connection.DisposeAsync();
        }

        _stopping.Dispose();
    }
}

/// <summary>One connection to a <see cref="SilentServer"/>.</summary>
public sealed class SilentConnection : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly StringBuilder _received = new();
    private readonly long _accepted = Stopwatch.GetTimestamp();
    private long _closed;

    internal SilentConnection(TcpClient client, CancellationToken stopping)
    {
        _client = client;
        Closed = ReadAsync(stopping);
    }

    /// <summary>Completes when the client closes the connection (or the server stops).</summary>
    public Task Closed { get; }

    /// <summary>Everything received so far, as text.</summary>
    public string Received
    {
        get
        {
            lock (_received)
            {
                return _received.ToString();
            }
        }
    }

    /// <summary>How long the client kept the connection open, or null while it still does.</summary>
    public TimeSpan? OpenFor
    {
        get
        {
            var closed = Interlocked.Read(ref _closed);
            return closed > 0 ? Stopwatch.GetElapsedTime(_accepted, closed) : null;
        }
    }

    /// <summary>Answers the request at last: 200 with <paramref name="json"/>.</summary>
    public async Task AnswerAsync(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        var stream = _client.GetStream();
        await stream.WriteAsync(head);
        await stream.WriteAsync(body);
        await stream.FlushAsync();
    }

    private async Task ReadAsync(CancellationToken stopping)
    {
        var buffer = new byte[8192];
        try
        {
            var stream = _client.GetStream();
            int read;
            while ((read = await stream.ReadAsync(buffer, stopping)) > 0)
            {
                lock (_received)
                {
                    _received.Append(Encoding.UTF8.GetString(buffer, 0, read));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // A reset is a close too: the client gave up.
        }
        finally
        {
            Interlocked.Exchange(ref _closed, Stopwatch.GetTimestamp());
        }
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await Closed;
    }
}
