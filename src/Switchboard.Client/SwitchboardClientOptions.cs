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

    /// <summary>
    /// The API key of a server with auth on, sent as <c>Authorization: Bearer</c> on every HTTP request and, unless a
    /// subscriber token is configured, on the WebSocket handshake (a read-scoped key is enough there). The SDK reads no
    /// environment variable; the <c>switchboard</c> CLI takes <c>--api-key</c> or <c>SWITCHBOARD_API_KEY</c>.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>A subscriber token (e.g. from <see cref="SwitchboardClient.CreateSubscriberTokenAsync"/>), sent as the <c>token</c> connect parameter of the WebSocket.</summary>
    public string? StreamToken { get; set; }

    /// <summary>
    /// Supplies a subscriber token before every WebSocket connect, so a token that expired (the server closes the socket
    /// with 1008) is replaced on the reconnect, which resumes by seq. Takes precedence over <see cref="StreamToken"/>.
    /// </summary>
    public Func<CancellationToken, ValueTask<string>>? StreamTokenProvider { get; set; }

    /// <summary>Adjusts each WebSocket before it connects (headers, proxy, subprotocols).</summary>
    public Action<ClientWebSocketOptions>? ConfigureWebSocket { get; set; }

    /// <summary>
    /// Whether each <see cref="SessionHandle"/> also subscribes to its session's topic (<c>session:{id}</c>) over the
    /// WebSocket and takes commands from it the moment they are issued. Off by default: a handle then learns its commands
    /// from the answers to its own writes and heartbeats (every lease third), with no socket.
    /// </summary>
    public bool ReceiveCommandsOverSocket { get; set; }

    /// <summary>The clock for timers and backoff. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
