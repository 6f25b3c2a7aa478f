using System.Net.WebSockets;

namespace Switchboard.Client;

/// <summary>Settings of a <see cref="SwitchboardClient"/>. The defaults suit a producer talking to a nearby server.</summary>
public sealed class SwitchboardClientOptions
{
    /// <summary>
    /// The HTTP handler to send requests through (e.g. one that adds an API key header). Not disposed by the client.
    /// Default: a new <see cref="SocketsHttpHandler"/>.
    /// </summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>How long one HTTP attempt may take. Default 30 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts per request, the first included, for failures that are safe to retry. Default 6.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>Delay before the first retry; it doubles per attempt, with jitter. Default 200 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest delay between retries (a server's Retry-After may ask for more). Default 5 s.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A <see cref="SessionHandle"/> sends at most one request per session per this interval, coalescing the
    /// changes made meanwhile. Default 50 ms.
    /// </summary>
    public TimeSpan UpdateInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>A subscriber token, sent as the <c>token</c> connect parameter of the WebSocket.</summary>
    public string? StreamToken { get; set; }

    /// <summary>Adjusts each WebSocket before it connects (headers, proxy, subprotocols).</summary>
    public Action<ClientWebSocketOptions>? ConfigureWebSocket { get; set; }

    /// <summary>The clock for timers and backoff. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
