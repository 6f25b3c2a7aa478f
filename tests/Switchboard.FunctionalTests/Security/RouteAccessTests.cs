using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server.Live;
using Switchboard.Server.Security;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Security;

/// <summary>
/// Every route declares its access policy in one place (<see cref="AccessTable"/>): the application's endpoints, as
/// ASP.NET Core's endpoint data source lists them, the socket topics and the kinds of stream path. A route added without
/// a row fails here (and is refused to every caller), so none ships without a declared policy.
/// </summary>
public sealed class RouteAccessTests
{
    [Fact]
    public async Task EveryEndpointOfTheApplicationCarriesADeclaredPolicy()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Security.AddApiKeys("route-key-0123456789abcdef"));
        var endpoints = Endpoints(server);
        endpoints.Count.ShouldBeGreaterThan(60, "the whole application is listed, hooks, OTLP and streams included");
        var undeclared = endpoints.Where(e => e.Metadata.GetMetadata<RouteAccess>() is not { IsDeclared: true }).Select(Describe).ToList();
        undeclared.ShouldBeEmpty("every route needs its row in Security/AccessTable.cs");
    }

    [Fact]
    public async Task EveryRowOfTheTableIsARouteTheApplicationServes()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var served = Endpoints(server).SelectMany(e => Methods(e).Select(m => (m, AccessConvention.Relative(e.RoutePattern.RawText ?? "", "")))).ToHashSet();
        var stale = AccessTable.Routes.Where(r => !served.Contains((r.Method, r.Pattern))).Select(r => $"{r.Method} {r.Pattern}").ToList();
        stale.ShouldBeEmpty("a row for a route that no longer exists misleads the reader of the table and of docs/security.md");
    }

    [Fact]
    public async Task UnderAPrefixEveryEndpointStillFindsItsRow()
    {
        await using var host = await EmbeddedHost.StartAsync(prefix: "/switchboard");
        var endpoints = host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => (e.RoutePattern.RawText ?? "").StartsWith("/switchboard", StringComparison.Ordinal)).ToList();
        endpoints.ShouldNotBeEmpty();
        endpoints.Where(e => e.Metadata.GetMetadata<RouteAccess>() is not { IsDeclared: true }).Select(Describe).ShouldBeEmpty();
    }

    [Fact]
    public async Task EveryMethodOfTheOtlpGrpcListenerHasItsRow()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Otlp.GrpcUrls = "http://127.0.0.1:0");
        var listener = server.Services.GetRequiredService<Switchboard.Server.Otlp.Grpc.OtlpGrpcListener>();
        var methods = listener.Services!.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern.RawText ?? "").Where(p => !p.Contains("{unimplemented", StringComparison.Ordinal)).Order().ToList();
        methods.ShouldBe(AccessTable.GrpcMethods.Select(m => m.Path).Order().ToList());
    }

    [Fact]
    public void EverySocketTopicAndEveryKindOfStreamPathDeclaresWhatAScopedKeyReaches()
    {
        Enum.GetValues<TopicKind>().Where(k => !AccessTable.Topics.ContainsKey(k)).ShouldBeEmpty("every topic needs its row");
        Enum.GetValues<StreamPathKind>().Where(k => !AccessTable.StreamPaths.ContainsKey(k)).ShouldBeEmpty("every kind of stream path needs its row");
        SessionStreamsKind("topics/sessions").ShouldBe(StreamPathKind.Topic);
        SessionStreamsKind("sessions/a-1/output").ShouldBe(StreamPathKind.Session);
        SessionStreamsKind("runs/1/output").ShouldBe(StreamPathKind.Other);
    }

    [Fact]
    public void ARouteWithoutARowIsUndeclaredAndMethodsThatDisagreeAreToo()
    {
        AccessConvention.Of("/api/brand-new", ["GET"], "").IsDeclared.ShouldBeFalse();
        AccessConvention.Of("/api/sessions", ["GET", "DELETE"], "").IsDeclared.ShouldBeFalse("DELETE /api/sessions has no row");
        AccessConvention.Of("/api/sessions/{id}", ["GET", "PATCH"], "").IsDeclared.ShouldBeFalse("one endpoint, two different policies");
        AccessConvention.Of("/sb/api/sessions/{id}", ["GET"], "/sb").ShouldBe(new RouteAccess(Caller.Reader, Reach.OneSession));
        AccessConvention.Of("/socket/websocket", null, "").Caller.ShouldBe(Caller.Subscriber);
    }

    [Fact]
    public void OnlyAnOperatorAnswersSteersOrAdministersAndAgentsReportOverEveryTransport()
    {
        // Issue 56: a key an agent holds must never answer its own approval or steer. Pinned here, so that moving a row
        // to the agent's role is a deliberate change of this list, not a slip in the table.
        AccessTable.Routes.Where(r => r.Access.Caller == Caller.Operator).Select(r => $"{r.Method} {r.Pattern}").ShouldBe(
        [
            "POST /api/fleet/pause", "POST /api/fleet/resume",
            "POST /api/sessions/{id}/commands", "DELETE /api/sessions/{id}/commands/{commandId}",
            "POST /api/sessions/{id}/approvals/{approvalId}",
            "POST /api/alert-rules", "PUT /api/alert-rules/{id}", "DELETE /api/alert-rules/{id}", "POST /api/alerts/{id}/ack",
            "POST /api/webhooks", "PUT /api/webhooks/{id}", "DELETE /api/webhooks/{id}", "POST /api/webhooks/{id}/replay",
            "DELETE /v1/stream/{**path}",
        ]);
        string[] reports =
        [
            "POST /api/sessions", "PATCH /api/sessions/{id}", "POST /api/sessions/{id}/usage", "POST /api/sessions/{id}/heartbeat",
            "POST /api/sessions/{id}/terminate", "POST /api/batch", "POST /api/sessions/{id}/commands/{commandId}/ack",
            "POST /api/sessions/{id}/approvals", "POST /v1/traces", "POST /v1/logs", "POST /v1/metrics",
            "POST /hooks/claude-code", "POST /hooks/codex", "POST /hooks/gemini-cli", "PUT /v1/stream/{**path}", "POST /v1/stream/{**path}",
        ];
        reports.Where(r => AccessTable.Find(r.Split(' ')[0], r.Split(' ')[1])?.Caller != Caller.Agent).ShouldBeEmpty();
        AccessTable.GrpcMethods.Where(m => m.Access.Caller != Caller.Agent).ShouldBeEmpty("OTLP over gRPC is what agents report, as over HTTP");
    }

    [Fact]
    public void TheTableInSecurityDocsIsTheTableInTheCode()
    {
        var doc = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "security.md"));
        var start = doc.IndexOf("<!-- access-table:begin -->", StringComparison.Ordinal);
        var end = doc.IndexOf("<!-- access-table:end -->", StringComparison.Ordinal);
        start.ShouldBeGreaterThan(0);
        var documented = doc[start..end].Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)).Select(l => l.Trim()).ToList();
        var code = AccessTable.Routes.Select(r => $"| `{r.Method} {r.Pattern}` | {Words(r.Access.Caller)} | {Words(r.Access.Reach)} |").ToList();
        documented.ShouldBe(code, "docs/security.md's \"Who may call what\" lists every row of Security/AccessTable.cs, in its order");
    }

    private static string Words(Caller caller) => caller switch
    {
        Caller.Anyone => "anyone",
        Caller.Subscriber => "key or token",
        Caller.AnyKey => "any key",
        Caller.Reader => "read",
        Caller.Agent => "agent",
        Caller.SlackApp => "Slack's signature",
        _ => "operator",
    };

    private static string Words(Reach reach) => reach switch
    {
        Reach.NoSessionData => "no session data",
        Reach.FleetWide => "fleet-wide",
        Reach.OneSession => "one session",
        Reach.InScope => "in scope",
        _ => "by stream path",
    };

    private static StreamPathKind SessionStreamsKind(string path) => Switchboard.Server.Streams.SessionStreams.KindOf(path);

    private static List<RouteEndpoint> Endpoints(SwitchboardServer server) =>
        [.. server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()];

    private static IEnumerable<string> Methods(RouteEndpoint e) =>
        e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods is { Count: > 0 } methods ? methods : [AccessTable.AnyMethod];

    private static string Describe(RouteEndpoint e) => $"{string.Join(",", Methods(e))} {e.RoutePattern.RawText}";
}
