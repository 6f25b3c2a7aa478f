using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using Switchboard.Server.Http;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Server.Security;
using Switchboard.Server.Transports;
using Switchboard.Server.Transports.Sse;

namespace Switchboard.Server.Hosting;

/// <summary>
/// <c>GET /api/stream</c>, the SSE transport, as the API maps and documents it (transports know nothing of the HTTP
/// API's description machinery).
/// </summary>
internal static class EventStreamRoute
{
    public static void Map(IEndpointRouteBuilder api) =>
        api.MapGet("/stream", (HttpContext http, JoinCoordinator hub, ConnectionRegistry registry, TimeProvider time, SocketOptions options, StreamAuthenticator auth) =>
            SseEndpoint.HandleAsync(http, hub, registry, time, options, auth)).WithTags("Events").WithName("StreamEvents")
            .QueryParameter("topics", JsonSchemaType.String, $"Comma-separated topics: {TopicRoute.Listed} (but 'usage', served on the Phoenix socket only).", required: true)
            .QueryParameter("since", JsonSchemaType.Integer, "Resume after this seq (Last-Event-ID wins when both are sent).")
            .QueryParameter("epoch", JsonSchemaType.String, "The epoch since was read in; another one starts over with a snapshot.")
            .QueryParameter("label", JsonSchemaType.String, "key=value: only sessions with this label (the sessions topic). Repeat for more.")
            .QueryParameter("subtree", JsonSchemaType.Boolean, "true: each session:{id} topic follows the session's whole subtree.")
            .QueryParameter("token", JsonSchemaType.String, "A subscriber token (POST /api/tokens), for an EventSource that cannot send a header.")
            .RequestHeaders(new WireHeader("Last-Event-ID", "The seq to resume after: what EventSource sends on a reconnect.", JsonSchemaType.Integer))
            .Answer(StatusCodes.Status200OK, "text/event-stream", _ => new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "Server-Sent Events: `retry:`, then each topic's `event: joined` record (`data:` its join reply, with `topic`, as on the Phoenix socket), then its events (`id:` the seq, "
                    + "`event:` the type, `data:` the envelope as on the Phoenix socket) and heartbeat comments, until the client goes away.",
            }, new WireHeader("Cache-Control", "no-cache, no-store", Required: true), new WireHeader("X-Accel-Buffering", "no: proxies must not buffer the stream.", Required: true))
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status503ServiceUnavailable);
}
