using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.Testing;

/// <summary>
/// Plays a server newer than the client in front of it: forwards HTTP requests, server-sent events and WebSocket
/// messages to a real server, and replaces one string with another in the data the real server sends back (JSON,
/// event streams, socket messages; pages and scripts pass unchanged). A real
/// server only speaks names it knows, so renaming <c>"waiting"</c> to <c>"napping"</c> is how a test shows a client a
/// state it has never heard of, through its real transports.
/// </summary>
public sealed class RenamingProxy : IAsyncDisposable
{
    private static readonly string[] ForwardedResponseHeaders = ["Content-Type", "Retry-After", "Cache-Control", "Location"];

    private readonly WebApplication _app;
    private readonly HttpClient _http;

    private RenamingProxy(WebApplication app, HttpClient http, Uri baseAddress)
    {
        _app = app;
        _http = http;
        BaseAddress = baseAddress;
    }

    /// <summary>The proxy's address: give it to the client instead of the real server's.</summary>
    public Uri BaseAddress { get; }

    public static async Task<RenamingProxy> StartAsync(Uri upstream, string from, string to)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = upstream, Timeout = Timeout.InfiniteTimeSpan };
        string Rename(string text) => text.Replace(from, to, StringComparison.Ordinal);
        app.UseWebSockets();
        app.Run(async context =>
        {
            if (context.WebSockets.IsWebSocketRequest)
            {
                await ForwardWebSocketAsync(context, upstream, Rename);
            }
            else
            {
                await ForwardHttpAsync(context, http, Rename);
            }
        });
        await app.StartAsync().WaitAsync(TestTimeouts.Long);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RenamingProxy(app, http, new Uri(address));
    }

    private static async Task ForwardHttpAsync(HttpContext context, HttpClient http, Func<string, string> rename)
    {
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), context.Request.Path + context.Request.QueryString);
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            request.Content = new StreamContent(context.Request.Body);
            if (context.Request.ContentType is { } type)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
        }

        foreach (var name in new[] { "Authorization", "Accept", "Last-Event-ID" })
        {
            if (context.Request.Headers.TryGetValue(name, out var value))
            {
                request.Headers.TryAddWithoutValidation(name, value.ToArray());
            }
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var name in ForwardedResponseHeaders)
        {
            if (response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        await using var body = await response.Content.ReadAsStreamAsync(context.RequestAborted);
        var media = response.Content.Headers.ContentType?.MediaType ?? "";
        if (!media.EndsWith("json", StringComparison.Ordinal) && media != "text/event-stream")
        {
            await body.CopyToAsync(context.Response.Body, context.RequestAborted); // pages and scripts: what the server says, not what it sends
            return;
        }

        using var reader = new StreamReader(body, Encoding.UTF8);
        if (media == "text/event-stream")
        {
            // A stream: renamed and passed on line by line, as it comes.
            while (await reader.ReadLineAsync(context.RequestAborted) is { } line)
            {
                await context.Response.WriteAsync(rename(line) + "\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }

            return;
        }

        var text = rename(await reader.ReadToEndAsync(context.RequestAborted));
        if (text.Length > 0)
        {
            await context.Response.WriteAsync(text, context.RequestAborted);
        }
    }

    private static async Task ForwardWebSocketAsync(HttpContext context, Uri upstream, Func<string, string> rename)
    {
        using var outbound = new ClientWebSocket();
        foreach (var protocol in context.WebSockets.WebSocketRequestedProtocols)
        {
            outbound.Options.AddSubProtocol(protocol);
        }

        if (context.Request.Headers.Authorization is { Count: > 0 } authorization)
        {
            outbound.Options.SetRequestHeader("Authorization", authorization.ToString());
        }

        var target = new UriBuilder(new Uri(upstream, context.Request.Path + context.Request.QueryString)) { Scheme = upstream.Scheme == "https" ? "wss" : "ws" }.Uri;
        await outbound.ConnectAsync(target, context.RequestAborted);
        using var inbound = await context.WebSockets.AcceptWebSocketAsync(outbound.SubProtocol);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var up = PumpAsync(inbound, outbound, text => text, done);
        var down = PumpAsync(outbound, inbound, rename, done);
        await Task.WhenAny(up, down);
        await done.CancelAsync();
        await Task.WhenAll(up, down);
    }

    /// <summary>Copies whole messages from <paramref name="source"/> to <paramref name="sink"/>, text through <paramref name="map"/>, until either side closes.</summary>
    private static async Task PumpAsync(WebSocket source, WebSocket sink, Func<string, string> map, CancellationTokenSource done)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (!done.IsCancellationRequested)
            {
                var result = await source.ReceiveAsync(buffer, done.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (sink.State == WebSocketState.Open)
                    {
                        await sink.CloseOutputAsync(result.CloseStatus ?? WebSocketCloseStatus.NormalClosure, result.CloseStatusDescription, CancellationToken.None);
                    }

                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var bytes = result.MessageType == WebSocketMessageType.Text
                    ? Encoding.UTF8.GetBytes(map(Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length)))
                    : message.ToArray();
                message.SetLength(0);
                await sink.SendAsync(bytes, result.MessageType, endOfMessage: true, done.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException)
        {
            // One side went away: the other is closed by the caller's cancellation.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TestTimeouts.Long);
        await _app.DisposeAsync();
        _http.Dispose();
    }
}
