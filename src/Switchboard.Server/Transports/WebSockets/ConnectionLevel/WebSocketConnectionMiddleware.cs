using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Channels;
using Switchboard.Hosting;
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
                return;
            }

            var buffer = read.Buffer;
            switch (RequestHead.TryRead(buffer, _requestLine, out var head, out var end))
            {
                case RequestHead.Outcome.NotOurs:
                    input.AdvanceTo(buffer.Start); // nothing consumed or examined: Kestrel reads it all again
                    await next(connection);
                    return;
                case RequestHead.Outcome.NeedMore when !read.IsCompleted:
                    input.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                case RequestHead.Outcome.NeedMore:
                    return; // the peer left mid-head
                case RequestHead.Outcome.TooLarge:
                    input.AdvanceTo(buffer.End);
                    await HandshakeContext.WriteStatusAsync(connection, StatusCodes.Status431RequestHeaderFieldsTooLarge);
                    return;
                case RequestHead.Outcome.Malformed:
                    input.AdvanceTo(buffer.End);
                    await HandshakeContext.WriteStatusAsync(connection, StatusCodes.Status400BadRequest);
                    return;
                default:
                    input.AdvanceTo(end);
                    await HandshakeAsync(connection, head!);
                    return;
            }
        }
    }

    private async Task HandshakeAsync(ConnectionContext connection, RequestHead head)
    {
        var registry = services.GetRequiredService<ConnectionRegistry>();
        var accepted = await AcceptAsync(connection, head, registry);
        if (accepted is not null)
        {
            await WebSocketEndpoint.RunAsync(accepted, registry, connection.ConnectionClosed);
        }
    }

    /// <summary>Kept apart so that nothing of the handshake stays reachable while the connection runs.</summary>
    private async Task<WebSocketConnection?> AcceptAsync(ConnectionContext connection, RequestHead head, ConnectionRegistry registry)
    {
        var handshake = new HandshakeContext(connection, head);
        var accepted = await WebSocketEndpoint.AcceptAsync(handshake.Http, services.GetRequiredService<ChannelHub>(), registry,
            services.GetRequiredService<TimeProvider>(), services.GetRequiredService<StreamOptions>(),
            services.GetRequiredService<OriginPolicy>(), services.GetRequiredService<StreamAuthenticator>());
        if (accepted is null)
        {
            await handshake.WriteRefusalAsync();
        }

        return accepted;
    }
}
