using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Server.Phoenix;
using Switchboard.Server.Responses;
using Switchboard.Server.Security;

namespace Switchboard.Server.Transports.WebSockets;

/// <summary><c>/socket/websocket</c>: checks the Phoenix <c>vsn</c>, the upgrade and the connection limit, then runs the connection.</summary>
internal static class WebSocketEndpoint
{
    /// <summary>The HTTP path (embedded hosts): accept, then run the connection for the life of the request.</summary>
    public static async Task HandleAsync(HttpContext context, JoinCoordinator hub, ConnectionRegistry registry, TimeProvider time, SocketOptions options,
        OriginPolicy origins, StreamAuthenticator authenticator)
    {
        if (await AcceptAsync(context, hub, registry, time, options, origins, authenticator) is { } connection)
        {
            await connection.RunAsync(context.RequestAborted);
        }
    }

    /// <summary>
    /// Every check of the handshake, then the upgrade. On refusal the problem is written to the response and the result is
    /// null. On success the connection holds a reserved slot that its run gives back; it keeps nothing of
    /// <paramref name="context"/> but its abort, so a connection accepted at the connection level sheds all HTTP state.
    /// </summary>
    public static async Task<WebSocketConnection?> AcceptAsync(HttpContext context, JoinCoordinator hub, ConnectionRegistry registry, TimeProvider time,
        SocketOptions options, OriginPolicy origins, StreamAuthenticator authenticator)
    {
        // Phoenix assumes 1.0.0 when vsn is missing, and the last vsn counts.
        var vsn = context.Request.Query["vsn"];
        if (PhoenixSerializers.FromVsn(vsn) is not { } serializer)
        {
            await new ProblemResult(StatusCodes.Status403Forbidden, "unsupported_vsn", "Forbidden",
                $"Serializer version '{PhoenixSerializers.Describe(vsn)}' is not served; connect with vsn=2.0.0 (the phoenix client's default) or 1.0.0.",
                "vsn").ExecuteAsync(context);
            return null;
        }

        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        var key = WebSocketHandshake.ValidateRequest(context.Request);
        if (key is null || upgrade is not { IsUpgradableRequest: true })
        {
            await new ProblemResult(StatusCodes.Status400BadRequest, "websocket_required", "Bad request",
                "This endpoint speaks Phoenix Channels over WebSocket: send a WebSocket upgrade (version 13), e.g. with the phoenix client.")
                .ExecuteAsync(context);
            return null;
        }

        if (origins.Refusal(context.Request) is { } refused)
        {
            await refused.ExecuteAsync(context);
            return null;
        }

        var auth = await authenticator.AuthenticateAsync(context.Request);
        if (auth.Grant is null)
        {
            await SecurityProblems.StreamRefused(auth.Error!).ExecuteAsync(context);
            return null;
        }

        if (!registry.TryReserve())
        {
            await ConnectionRefusal.For(registry).ExecuteAsync(context);
            return null;
        }

        try
        {
            var offered = SubProtocols.Offered(context.Request);
            WebSocketHandshake.WriteResponseHeaders(context.Response, key, offered.Contains("phoenix") ? "phoenix" : null);
            var transport = await upgrade.UpgradeAsync();
            var access = authenticator.Enabled ? new ConnectionAccess(auth.Grant, authenticator, time) : null;
            var lifetime = context.Features.GetRequiredFeature<IHttpRequestLifetimeFeature>();
            return new WebSocketConnection(lifetime.Abort, transport, hub, options, time, access, registry, serializer);
        }
        catch
        {
            registry.Release();
            throw;
        }
    }
}
