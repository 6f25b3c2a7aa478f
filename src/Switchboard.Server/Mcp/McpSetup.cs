using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Switchboard.Server.Health;
using Switchboard.Server.Http;
using Switchboard.Server.Security;

namespace Switchboard.Server.Mcp;

/// <summary>
/// The MCP server's wiring: the SDK's Streamable HTTP transport (stateful for clients of the initialize handshake, so they
/// can subscribe; stateless for the 2026-07-28 revision's), its handlers, and <c>/mcp</c> behind the API's own filters.
/// </summary>
internal static class McpSetup
{
    public const string Path = "/mcp";

    public static void AddServices(IServiceCollection services)
    {
        services.TryAddSingleton<SessionTools>();
        services.TryAddSingleton<ApprovalTools>();
        services.TryAddSingleton<CommandTools>();
        services.TryAddSingleton<LogTools>();
        services.TryAddSingleton<WaitTool>();
        services.TryAddSingleton<McpWrites>();
        services.TryAddSingleton<McpToolbox>();
        services.TryAddSingleton<McpResources>();
        services.TryAddSingleton<McpSubscriptions>();
        services.TryAddSingleton<McpUpdates>();
        services.TryAddSingleton<McpGate>();
        services.AddHostedService(sp => sp.GetRequiredService<McpUpdates>());
        services.AddMcpServer(o =>
            {
                o.ServerInfo = new Implementation { Name = "switchboard", Title = "Switchboard", Version = typeof(McpSetup).Assembly.GetName().Version?.ToString(3) ?? "0" };
                o.ServerInstructions =
                    "Switchboard tracks a fleet of coding agents. list_sessions (waiting_only, sort=waiting_longest) finds who is stuck; " +
                    "list_pending_approvals shows what they ask; answer_approval allows or denies (operator keys only); send_command steers; " +
                    "wait_for blocks until something happens. Leave what you are unsure of pending for a person.";
                o.Capabilities = new ServerCapabilities
                {
                    Tools = new ToolsCapability { ListChanged = false },
                    Resources = new ResourcesCapability { Subscribe = true, ListChanged = false },
                };
            })
            .WithHttpTransport(o =>
            {
                o.SessionMode = HttpServerSessionMode.StatefulForInitializeClients;
#pragma warning disable MCPEXP002 // RunSessionHandler: the one place a session's end is heard, to drop its subscriptions
                o.RunSessionHandler = RunSessionAsync;
#pragma warning restore MCPEXP002
            })
            .WithListToolsHandler((r, ct) => r.Services!.GetRequiredService<McpToolbox>().ListAsync(r, ct))
            .WithCallToolHandler((r, ct) => r.Services!.GetRequiredService<McpToolbox>().CallAsync(r, ct))
            .WithListResourcesHandler((r, ct) => r.Services!.GetRequiredService<McpResources>().ListAsync(r, ct))
            .WithListResourceTemplatesHandler((r, ct) => r.Services!.GetRequiredService<McpResources>().TemplatesAsync(r, ct))
            .WithReadResourceHandler((r, ct) => r.Services!.GetRequiredService<McpResources>().ReadAsync(r, ct))
            .WithSubscribeToResourcesHandler((r, ct) => r.Services!.GetRequiredService<McpResources>().SubscribeAsync(r, ct))
            .WithUnsubscribeFromResourcesHandler((r, ct) => r.Services!.GetRequiredService<McpResources>().UnsubscribeAsync(r, ct));
    }

    /// <summary>Maps <c>/mcp</c> under the API's filters: a crash answered once, the stopping node, the key and its role, then the gate.</summary>
    public static void Map(IEndpointRouteBuilder root) => root.MapMcp(Path)
        .AddEndpointFilter<IEndpointConventionBuilder, UnexpectedErrorFilter>()
        .AddEndpointFilter<IEndpointConventionBuilder, StoppingFilter>()
        .AddEndpointFilter<IEndpointConventionBuilder, ApiAccessFilter>()
        .AddEndpointFilter<IEndpointConventionBuilder, McpGate>()
        .ExcludeFromDescription();

    private static async Task RunSessionAsync(HttpContext http, McpServer server, CancellationToken ct)
    {
        if (server.SessionId is not { } id)
        {
            await server.RunAsync(ct);
            return;
        }

        var subscriptions = http.RequestServices.GetRequiredService<McpSubscriptions>();
        subscriptions.Open(server);
        try
        {
            await server.RunAsync(ct);
        }
        finally
        {
            subscriptions.Close(id);
        }
    }
}
