using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server.Alerts;
using Switchboard.Server.Approvals;
using Switchboard.Server.Auth;
using Switchboard.Server.Commands;
using Switchboard.Server.Dashboard;
using Switchboard.Server.Health;
using Switchboard.Server.Hosting;
using Switchboard.Server.Http;
using Switchboard.Server.Live;
using Switchboard.Server.Metrics;
using Switchboard.Server.Options;
using Switchboard.Server.Security;
using Switchboard.Server.Sessions;
using Switchboard.Server.Transports;
using Switchboard.Server.Transports.Sse;
using Switchboard.Server.Transports.WebSockets;
using Switchboard.Server.Usage;
using Switchboard.Server.Webhooks;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps Switchboard's endpoints.</summary>
public static class SwitchboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the HTTP API under <c>{prefix}/api</c>, the Phoenix socket at <c>{prefix}/socket/websocket</c>, SSE at
    /// <c>{prefix}/api/stream</c>, health at <c>{prefix}/healthz</c> and <c>{prefix}/readyz</c>, Prometheus metrics at
    /// <c>{prefix}/metrics</c>, OTLP/HTTP at <c>{prefix}/v1/traces</c>, <c>/v1/logs</c> and <c>/v1/metrics</c>, Durable Streams at <c>{prefix}/v1/stream/{path}</c>, the MCP server at <c>{prefix}/mcp</c>, the OpenAPI document at <c>{prefix}/openapi/v1.json</c>, and the live dashboard at
    /// <c>{prefix}/</c> (an app's own endpoint for that path takes precedence). Requires <c>services.AddSwitchboard()</c>.
    /// </summary>
    public static IEndpointConventionBuilder MapSwitchboard(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        if (endpoints.ServiceProvider.GetService<SwitchboardMarker>() is null)
        {
            throw new InvalidOperationException(
                "Unable to find the Switchboard services. Call builder.Services.AddSwitchboard(...) before app.MapSwitchboard().");
        }

        var root = endpoints.MapGroup(prefix);
        // Every route's access policy, from the one table (docs/security.md, "Who may call what").
        AccessConvention.Apply(root, prefix);
        var api = root.MapGroup("/api");
        // Outermost, a crash is answered with problem+json and logged once; then origin, API key and write rate are
        // checked before anything reads a body or the store.
        api.AddEndpointFilter<UnexpectedErrorFilter>();
        api.AddEndpointFilter<StoppingFilter>();
        api.AddEndpointFilter<ApiAccessFilter>();
        api.AddEndpointFilter<StoreUnavailableFilter>();
        api.TimeWrites(endpoints.ServiceProvider.GetRequiredService<SwitchboardMetrics>(), endpoints.ServiceProvider.GetRequiredService<TimeProvider>());
        SessionEndpoints.Map(api);
        TreeEndpoints.Map(api);
        BatchEndpoint.Map(api);
        FleetEndpoints.Map(api);
        EventEndpoints.Map(api);
        UsageEndpoints.Map(api);
        AlertEndpoints.Map(api);
        CommandEndpoints.Map(api);
        ApprovalEndpoints.Map(api);
        WebhookEndpoints.Map(api);
        AuthEndpoints.Map(api);
        EventStreamRoute.Map(api);
        ApiFallback.Map(api);
        var stream = endpoints.ServiceProvider.GetRequiredService<SocketOptions>();
        if (stream.EnableWebSocket)
        {
            root.Map("/socket/websocket", (HttpContext http, JoinCoordinator hub, ConnectionRegistry registry, TimeProvider time, SocketOptions options,
                OriginPolicy origins, StreamAuthenticator auth) =>
                WebSocketEndpoint.HandleAsync(http, hub, registry, time, options, origins, auth)).ExcludeFromDescription();
        }

        if (stream.EnableLongPoll)
        {
            LongPollRoute.Map(root);
        }

        if (endpoints.ServiceProvider.GetRequiredService<SwitchboardOptions>().Otlp.Enabled)
        {
            Switchboard.Server.Otlp.OtlpHttpEndpoints.Map(root);
        }

        Switchboard.Server.Streams.StreamEndpoints.Map(root);
        if (endpoints.ServiceProvider.GetRequiredService<SwitchboardOptions>().Hooks.Enabled)
        {
            Switchboard.Server.Hooks.HookEndpoints.Map(root);
        }

        Switchboard.Server.Slack.SlackEndpoints.Map(root);
        if (endpoints.ServiceProvider.GetRequiredService<SwitchboardOptions>().Mcp.Enabled != false)
        {
            Switchboard.Server.Mcp.McpSetup.Map(root);
        }

        HealthEndpoints.Map(root);
        DashboardEndpoints.Map(root);
        MetricsEndpoint.Map(root);
        SwitchboardOpenApi.Map(root);
        return root;
    }
}
