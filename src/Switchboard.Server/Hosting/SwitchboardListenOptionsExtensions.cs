using Switchboard.Server.Transports.WebSockets.ConnectionLevel;

namespace Microsoft.AspNetCore.Server.Kestrel.Core;

/// <summary>Kestrel listen options for Switchboard.</summary>
public static class SwitchboardListenOptionsExtensions
{
    /// <summary>
    /// Accepts Switchboard's Phoenix WebSockets at the connection level on this endpoint: a connection whose first request is
    /// the socket handshake skips the HTTP request pipeline and keeps no HTTP state while it lives, with the same checks
    /// (origin, token, connection limit) as the endpoint mapped by <c>MapSwitchboard</c>. Other requests are untouched.
    /// <paramref name="prefix"/> must match the prefix given to <c>MapSwitchboard</c>. Plain HTTP endpoints only.
    /// </summary>
    public static ListenOptions UseSwitchboardWebSockets(this ListenOptions listen, string prefix = "")
    {
        var path = "/" + prefix.Trim('/') + "/socket/websocket";
        path = path.Replace("//", "/", StringComparison.Ordinal);
        listen.Use(next => new WebSocketConnectionMiddleware(next, listen.ApplicationServices, path).OnConnectedAsync);
        return listen;
    }
}
