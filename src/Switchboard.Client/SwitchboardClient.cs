using System.Security.Cryptography;
using Switchboard.Client.Http;

namespace Switchboard.Client;

/// <summary>
/// The entry point to a Switchboard server: typed producer calls and reads over HTTP (<c>{base}/api/…</c>),
/// session handles, and live subscriptions over the Phoenix WebSocket (<c>{base}/socket/websocket</c>).
/// Thread-safe; create one per server and share it.
/// </summary>
public sealed partial class SwitchboardClient : IDisposable
{
    private const string IdAlphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
    private readonly HttpClient _http;
    private readonly ApiTransport _api;

    /// <summary>The API's transport, for the handles' durable streams.</summary>
    internal ApiTransport Api => _api;

    /// <summary>A client for the server at <paramref name="baseAddress"/>, e.g. <c>http://127.0.0.1:5080</c> or an app's <c>https://host/switchboard</c>.</summary>
    public SwitchboardClient(Uri baseAddress, SwitchboardClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        if (!baseAddress.IsAbsoluteUri || baseAddress.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"The base address must be an absolute http(s) URI; got '{baseAddress}'.", nameof(baseAddress));
        }

        Options = options ?? new SwitchboardClientOptions();
        // Paths are resolved relative to the base, so it must end with '/' to keep a prefix such as /switchboard.
        BaseAddress = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        _http = Options.HttpHandler is { } handler
            ? new HttpClient(handler, disposeHandler: false)
            : new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30) });
        _http.Timeout = Options.RequestTimeout;
        if (Options.ApiKey is { Length: > 0 } key)
        {
            _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        _api = new ApiTransport(_http, BaseAddress, Options);
    }

    /// <summary>The server's base address (ends with '/').</summary>
    public Uri BaseAddress { get; }

    /// <summary>The settings this client was created with.</summary>
    public SwitchboardClientOptions Options { get; }

    /// <summary>A new random session id such as <c>s_8k2j4n5q0p1m7x3z</c>; about 82 random bits, so nobody else will pick it.</summary>
    public static string NewSessionId() => "s_" + RandomNumberGenerator.GetString(IdAlphabet, 16);

    /// <summary>The Phoenix WebSocket endpoint, with the subscriber token as the <c>token</c> parameter when there is one.</summary>
    internal Uri SocketUri(string? token = null)
    {
        var builder = new UriBuilder(new Uri(BaseAddress, "socket/websocket"))
        {
            Scheme = BaseAddress.Scheme == "https" ? "wss" : "ws",
        };
        var query = "vsn=2.0.0";
        if ((token ?? Options.StreamToken) is { } t)
        {
            query = "token=" + Uri.EscapeDataString(t) + "&" + query;
        }

        builder.Query = query;
        return builder.Uri;
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
