using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Live;
using Switchboard.Security;

namespace Switchboard.Transports.WebSockets.ConnectionLevel;

/// <summary>
/// Accepts Phoenix WebSockets at the connection level: when a connection's first request is <c>GET /socket/websocket</c>,
/// the handshake is read here, checked by <see cref="WebSocketEndpoint.AcceptAsync"/> exactly as on the HTTP path, and
/// the connection then runs on the socket's pipes with no HTTP request kept alive behind it — less memory per idle
/// connection and less work per write. Any other first request is left, byte for byte, to Kestrel's HTTP handling.
/// </summary>
internal sealed class WebSocketConnectionMiddleware(ConnectionDelegate next, IServiceProvider services, string path)
{
    private readonly byte[] _requestLine = Encoding.ASCII.GetBytes("GET " + path);

    public async Task OnConnectedAsync(ConnectionContext connection)
    {
        if (!services.GetRequiredService<StreamOptions>().EnableWebSocket)
        {
            await next(connection);
            return;
        }

        // The head is parsed, checked and dropped before the connection runs: nothing of the handshake stays reachable.
        var accepted = await HandshakeAsync(connection);
        if (accepted is not null)
        {
            await accepted.RunAsync(connection.ConnectionClosed);
        }
    }

    /// <summary>Reads the first request; returns the accepted connection, or null when it was handled otherwise.</summary>
    private async Task<WebSocketConnection?> HandshakeAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        while (true)
        {
            System.IO.Pipelines.ReadResult read;
            try
            {
                read = await input.ReadAsync(connection.ConnectionClosed);
            }
            catch (OperationCanceledException)
            {
                return null;
            }

            var buffer = read.Buffer;
            switch (RequestHead.TryRead(buffer, _requestLine, out var head, out var end))
            {
                case RequestHead.Outcome.NotOurs:
                    input.AdvanceTo(buffer.Start); // nothing consumed or examined: Kestrel reads it all again
                    await next(connection);
                    return null;
                case RequestHead.Outcome.NeedMore when !read.IsCompleted:
                    input.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                case RequestHead.Outcome.NeedMore:
                    return null; // the peer left mid-head
                case RequestHead.Outcome.TooLarge:
                    input.AdvanceTo(buffer.End);
                    await HandshakeContext.WriteStatusAsync(connection, StatusCodes.Status431RequestHeaderFieldsTooLarge);
                    return null;
                case RequestHead.Outcome.Malformed:
                    input.AdvanceTo(buffer.End);
                    await HandshakeContext.WriteStatusAsync(connection, StatusCodes.Status400BadRequest);
                    return null;
                default:
                    input.AdvanceTo(end);
                    return await AcceptAsync(connection, head!);
            }
        }
    }

    private async Task<WebSocketConnection?> AcceptAsync(ConnectionContext connection, RequestHead head)
    {
        var handshake = new HandshakeContext(connection, head);
        var accepted = await WebSocketEndpoint.AcceptAsync(handshake.Http, services.GetRequiredService<JoinCoordinator>(),
            services.GetRequiredService<ConnectionRegistry>(),
            services.GetRequiredService<TimeProvider>(), services.GetRequiredService<StreamOptions>(),
            services.GetRequiredService<OriginPolicy>(), services.GetRequiredService<StreamAuthenticator>());
        if (accepted is null)
        {
            await handshake.WriteRefusalAsync();
        }

        return accepted;
    }
}
