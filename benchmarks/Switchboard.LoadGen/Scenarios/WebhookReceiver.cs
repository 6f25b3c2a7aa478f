using System.Net;
using System.Net.Sockets;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>A minimal local webhook receiver (HttpListener): answers 200 to every POST and counts them.</summary>
internal sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private long _received;

    public WebhookReceiver()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        for (var i = 0; i < 4; i++)
        {
            _ = Task.Run(LoopAsync);
        }
    }

    public int Port { get; }

    public long Received => Interlocked.Read(ref _received);

    public void Dispose() => _listener.Close();

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            await context.Request.InputStream.CopyToAsync(Stream.Null);
            context.Response.StatusCode = 200;
            context.Response.Close();
            Interlocked.Increment(ref _received);
        }
    }
}
