using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Switchboard.Server.Transports.WebSockets;

/// <summary>The server side of the RFC 6455 opening handshake.</summary>
internal static class WebSocketHandshake
{
    private const string Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>Returns the client's key, or null when the request is not a valid WebSocket upgrade.</summary>
    public static string? ValidateRequest(HttpRequest request)
    {
        if (!HttpMethods.IsGet(request.Method))
        {
            return null;
        }

        if (!ContainsToken(request.Headers.Connection, "upgrade") || !ContainsToken(request.Headers.Upgrade, "websocket"))
        {
            return null;
        }

        if (request.Headers.SecWebSocketVersion != "13")
        {
            return null;
        }

        var key = request.Headers.SecWebSocketKey.ToString();
        return IsValidKey(key) ? key : null;
    }

    /// <summary>Sets the 101 response headers. <paramref name="subProtocol"/> is echoed when the client offered one.</summary>
    public static void WriteResponseHeaders(HttpResponse response, string key, string? subProtocol)
    {
        response.Headers.Connection = HeaderNames.Upgrade;
        response.Headers.Upgrade = "websocket";
        response.Headers.SecWebSocketAccept = AcceptKey(key);
        if (subProtocol is not null)
        {
            response.Headers.SecWebSocketProtocol = subProtocol;
        }
    }

    public static string AcceptKey(string key) =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + Guid)));

    private static bool IsValidKey(string key)
    {
        Span<byte> decoded = stackalloc byte[18];
        return key.Length == 24 && Convert.TryFromBase64String(key, decoded, out var written) && written == 16;
    }

    private static bool ContainsToken(Microsoft.Extensions.Primitives.StringValues values, string token)
    {
        foreach (var value in values)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var part in value.Split(',', StringSplitOptions.TrimEntries))
            {
                if (part.Equals(token, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
