using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Server.Responses;
using Switchboard.Server.Security;

namespace Switchboard.Server.Transports.WebSockets.ConnectionLevel;

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
        var options = services.GetRequiredService<SocketOptions>();
        if (!options.EnableWebSocket)
        {
            await next(connection);
            return;
        }

        // The head is parsed, checked and dropped before the connection runs: nothing of the handshake stays reachable.
        var accepted = await HandshakeAsync(connection, options.HandshakeTimeout);
        if (accepted is not null)
        {
            await accepted.RunAsync(connection.ConnectionClosed);
        }
    }

    /// <summary>
    /// Reads the first request; returns the accepted connection, or null when it was handled otherwise. Until its head is
    /// classified the connection holds a slot of the connection limit (when one is free), and it has
    /// <paramref name="timeout"/> to send the whole head, on the host's clock: a silent or trickling peer gets 408 and is
    /// closed.
    /// </summary>
    private async Task<WebSocketConnection?> HandshakeAsync(ConnectionContext connection, TimeSpan timeout)
    {
        var registry = services.GetRequiredService<ConnectionRegistry>();
        var pending = registry.TryReserve();
        try
        {
            using var expiry = new CancellationTokenSource(timeout, services.GetRequiredService<TimeProvider>());
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, expiry.Token);
            var (head, notOurs) = await ReadHeadAsync(connection, deadline.Token);
            // The slot held while the head arrived is given back: any other request is Kestrel's, with its own limits, and
            // the upgrade claims a slot of its own (answering 503 when full).
            ReleaseOnce(registry, ref pending);
            if (notOurs)
            {
                await next(connection);
                return null;
            }

            return head is null ? null : await AcceptAsync(connection, head);
        }
        finally
        {
            ReleaseOnce(registry, ref pending);
        }
    }

    /// <summary>
    /// The head of a handshake for this path; or <c>NotOurs</c> when the request is another (nothing consumed, for Kestrel);
    /// or neither when the peer left or was answered here (408, 400, 431).
    /// </summary>
    private async Task<(RequestHead? Head, bool NotOurs)> ReadHeadAsync(ConnectionContext connection, CancellationToken deadline)
    {
        var input = connection.Transport.Input;
        while (true)
        {
            System.IO.Pipelines.ReadResult read;
            try
            {
                read = await input.ReadAsync(deadline);
            }
            catch (OperationCanceledException) when (!connection.ConnectionClosed.IsCancellationRequested)
            {
                await HandshakeContext.WriteStatusAsync(connection, StatusCodes.Status408RequestTimeout);
                return default;
            }
            catch (OperationCanceledException)
            {
                return default;
            }

            var buffer = read.Buffer;
            switch (RequestHead.TryRead(buffer, _requestLine, out var head, out var end))
            {
                case RequestHead.Outcome.NotOurs:
                    input.AdvanceTo(buffer.Start); // nothing consumed or examined: Kestrel reads it all again
                    return (null, true);
                case RequestHead.Outcome.NeedMore when !read.IsCompleted:
                    input.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                case RequestHead.Outcome.NeedMore:
                    return default; // the peer left mid-head
                case RequestHead.Outcome.TooLarge:
                    input.AdvanceTo(buffer.End);
                    await HandshakeContext.WriteStatusAsync(connection, StatusCodes.Status431RequestHeaderFieldsTooLarge);
                    return default;
                case RequestHead.Outcome.Malformed:
                    input.AdvanceTo(buffer.End);
                    await HandshakeContext.WriteStatusAsync(connection, StatusCodes.Status400BadRequest);
                    return default;
                case RequestHead.Outcome.NulInPath:
                    input.AdvanceTo(buffer.End);
                    await HandshakeContext.WriteProblemAsync(connection, ProblemResult.BadRequest(
                        "The request path holds %00, a NUL character, which no path of Switchboard has; percent-encode only what a path may hold."));
                    return default;
                default:
                    input.AdvanceTo(end);
                    return (head, false);
            }
        }
    }

    private static void ReleaseOnce(ConnectionRegistry registry, ref bool reserved)
    {
        if (reserved)
        {
            reserved = false;
            registry.Release();
        }
    }

    private async Task<WebSocketConnection?> AcceptAsync(ConnectionContext connection, RequestHead head)
    {
        var handshake = new HandshakeContext(connection, head);
        var accepted = await WebSocketEndpoint.AcceptAsync(handshake.Http, services.GetRequiredService<JoinCoordinator>(),
            services.GetRequiredService<ConnectionRegistry>(),
            services.GetRequiredService<TimeProvider>(), services.GetRequiredService<SocketOptions>(),
            services.GetRequiredService<OriginPolicy>(), services.GetRequiredService<StreamAuthenticator>());
        if (accepted is null)
        {
            await handshake.WriteRefusalAsync();
        }

        return accepted;
    }
}
