using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Channels;
using Switchboard.Hosting;
using Switchboard.Http;
using Switchboard.Metrics;
using Switchboard.Transports;
using Switchboard.Transports.Sse;
using Switchboard.Transports.WebSockets;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps Switchboard's endpoints.</summary>
public static class SwitchboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the HTTP API under <c>{prefix}/api</c>, the Phoenix socket at <c>{prefix}/socket/websocket</c>, SSE at
    /// <c>{prefix}/api/stream</c>, health at <c>{prefix}/healthz</c> and <c>{prefix}/readyz</c>, Prometheus metrics at <c>{prefix}/metrics</c>, and
    /// the OpenAPI document at <c>{prefix}/openapi/v1.json</c>. Requires <c>services.AddSwitchboard()</c>.
    /// </summary>
    public static IEndpointConventionBuilder MapSwitchboard(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        if (endpoints.ServiceProvider.GetService<SwitchboardMarker>() is null)
        {
            throw new InvalidOperationException(
                "Unable to find the Switchboard services. Call builder.Services.AddSwitchboard(...) before app.MapSwitchboard().");
        }

        var root = endpoints.MapGroup(prefix);
        var api = root.MapGroup("/api");
        api.TimeWrites(endpoints.ServiceProvider.GetRequiredService<SwitchboardMetrics>());
        SessionEndpoints.Map(api);
        BatchEndpoint.Map(api);
        FleetEndpoints.Map(api);
        EventEndpoints.Map(api);
        api.MapGet("/stream", (HttpContext http, ChannelHub hub, ConnectionRegistry registry, TimeProvider time, StreamOptions options) =>
            SseEndpoint.HandleAsync(http, hub, registry, time, options)).WithTags("Events").ExcludeFromDescription();
        root.Map("/socket/websocket", (HttpContext http, ChannelHub hub, ConnectionRegistry registry, TimeProvider time, StreamOptions options) =>
            WebSocketEndpoint.HandleAsync(http, hub, registry, time, options)).ExcludeFromDescription();
        HealthEndpoints.Map(root);
        MetricsEndpoint.Map(root);
        root.MapOpenApi();
        return root;
    }
}
