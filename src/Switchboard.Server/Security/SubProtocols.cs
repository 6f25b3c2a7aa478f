using Microsoft.AspNetCore.Http;

namespace Switchboard.Server.Security;

/// <summary>The WebSocket subprotocols a handshake offers (<c>Sec-WebSocket-Protocol</c>), where phoenix.js carries its auth token.</summary>
internal static class SubProtocols
{
    /// <summary>The offered subprotocols, in order.</summary>
    public static List<string> Offered(HttpRequest request)
    {
        var offered = new List<string>();
        foreach (var value in request.Headers.SecWebSocketProtocol)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                offered.Add(part);
            }
        }

        return offered;
    }
}
