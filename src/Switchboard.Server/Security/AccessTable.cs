using Switchboard.Server.Live;
using static Switchboard.Server.Security.Caller;
using static Switchboard.Server.Security.Reach;

namespace Switchboard.Server.Security;

/// <summary>
/// Every route's access policy, in one place (docs/security.md, "Who may call what"): each HTTP route by method and
/// pattern, each socket topic, and each kind of Durable Stream path. <see cref="AccessConvention"/> gives every endpoint
/// its row when the routes are built; a route missing here is refused to every caller, and <c>RouteAccessTests</c> fails
/// on it, so no route ships without a declared policy.
/// </summary>
internal static class AccessTable
{
    /// <summary>Any method (an endpoint mapped for every method: the sockets, the API's fallback).</summary>
    public const string AnyMethod = "*";

    /// <summary>The HTTP routes, by method and route pattern (relative to <c>MapSwitchboard</c>'s prefix).</summary>
    public static IReadOnlyList<(string Method, string Pattern, RouteAccess Access)> Routes { get; } =
    [
        // Sessions: an agent reports its own (docs/security.md, "Roles")
        ("GET", "/api/sessions", new(Reader, InScope)),
        ("POST", "/api/sessions", new(Agent, InScope)),
        ("GET", "/api/sessions/count", new(Reader, FleetWide)),
        ("GET", "/api/sessions/{id}", new(Reader, OneSession)),
        ("PATCH", "/api/sessions/{id}", new(Agent, OneSession)),
        ("POST", "/api/sessions/{id}/usage", new(Agent, OneSession)),
        ("POST", "/api/sessions/{id}/heartbeat", new(Agent, OneSession)),
        ("POST", "/api/sessions/{id}/terminate", new(Agent, OneSession)),
        ("GET", "/api/sessions/{id}/children", new(Reader, OneSession)),
        ("GET", "/api/sessions/{id}/tree", new(Reader, OneSession)),
        ("POST", "/api/batch", new(Agent, InScope)),
        ("GET", "/api/events", new(Reader, InScope)),
        ("GET", "/api/usage", new(Reader, InScope)),
        ("GET", "/api/summary", new(Reader, FleetWide)),
        // The fleet flag: readable by all (it is no session's data), switched fleet-wide by an operator
        ("GET", "/api/fleet", new(Reader, NoSessionData)),
        ("POST", "/api/fleet/pause", new(Operator, FleetWide)),
        ("POST", "/api/fleet/resume", new(Operator, FleetWide)),
        // Commands and approvals: requests to one session. An operator issues, withdraws and answers; an agent long-polls
        // and acknowledges its commands and asks for approvals, so a key an agent holds can never approve its own request.
        ("POST", "/api/sessions/{id}/commands", new(Operator, OneSession)),
        ("GET", "/api/sessions/{id}/commands", new(Reader, OneSession)),
        ("GET", "/api/sessions/{id}/commands/{commandId}", new(Reader, OneSession)),
        ("POST", "/api/sessions/{id}/commands/{commandId}/ack", new(Agent, OneSession)),
        ("DELETE", "/api/sessions/{id}/commands/{commandId}", new(Operator, OneSession)),
        ("POST", "/api/sessions/{id}/approvals", new(Agent, OneSession)),
        ("GET", "/api/sessions/{id}/approvals", new(Reader, OneSession)),
        ("GET", "/api/sessions/{id}/approvals/{approvalId}", new(Reader, OneSession)),
        ("POST", "/api/sessions/{id}/approvals/{approvalId}", new(Operator, OneSession)),
        // Alerting and webhooks: administration of the whole fleet, an operator's
        ("GET", "/api/alert-rules", new(Reader, FleetWide)),
        ("POST", "/api/alert-rules", new(Operator, FleetWide)),
        ("GET", "/api/alert-rules/{id}", new(Reader, FleetWide)),
        ("PUT", "/api/alert-rules/{id}", new(Operator, FleetWide)),
        ("DELETE", "/api/alert-rules/{id}", new(Operator, FleetWide)),
        ("GET", "/api/alerts", new(Reader, FleetWide)),
        ("GET", "/api/alerts/{id}", new(Reader, FleetWide)),
        ("POST", "/api/alerts/{id}/ack", new(Operator, FleetWide)),
        ("GET", "/api/webhooks", new(Reader, FleetWide)),
        ("POST", "/api/webhooks", new(Operator, FleetWide)),
        ("GET", "/api/webhooks/{id}", new(Reader, FleetWide)),
        ("PUT", "/api/webhooks/{id}", new(Operator, FleetWide)),
        ("DELETE", "/api/webhooks/{id}", new(Operator, FleetWide)),
        ("POST", "/api/webhooks/{id}/replay", new(Operator, FleetWide)),
        // Who the key is, and subscriber tokens inside its own scope
        ("GET", "/api/auth", new(AnyKey, NoSessionData)),
        ("POST", "/api/tokens", new(AnyKey, InScope)),
        ("GET", "/api/stream", new(Subscriber, InScope)),
        (AnyMethod, "/api/{**path}", new(AnyKey, NoSessionData)),
        // Sockets
        (AnyMethod, "/socket/websocket", new(Subscriber, InScope)),
        (AnyMethod, "/socket/longpoll", new(Subscriber, InScope)),
        // What agents report
        ("POST", "/v1/traces", new(Agent, InScope)),
        ("POST", "/v1/logs", new(Agent, InScope)),
        ("POST", "/v1/metrics", new(Agent, InScope)),
        ("POST", "/hooks/claude-code", new(Agent, InScope)),
        ("POST", "/hooks/codex", new(Agent, InScope)),
        ("POST", "/hooks/gemini-cli", new(Agent, InScope)),
        // A click in Slack: no key (Slack cannot send one), the request's signature with the app's signing secret instead
        ("POST", "/v1/slack/interactions", new(SlackApp, NoSessionData)),
        // Durable Streams: an agent creates and appends (what it reports); deleting erases what was reported, an
        // operator's. Topic streams are read-only to every key (405), so their writes need no more than an agent's key.
        ("OPTIONS", "/v1/stream/{**path}", new(Anyone, NoSessionData)),
        ("GET", "/v1/stream/topics/{**topic}", new(Subscriber, ByStreamPath)),
        ("HEAD", "/v1/stream/topics/{**topic}", new(Subscriber, ByStreamPath)),
        ("PUT", "/v1/stream/topics/{**topic}", new(Agent, ByStreamPath)),
        ("POST", "/v1/stream/topics/{**topic}", new(Agent, ByStreamPath)),
        ("DELETE", "/v1/stream/topics/{**topic}", new(Agent, ByStreamPath)),
        ("GET", "/v1/stream/sessions/{session}/{name}", new(Subscriber, ByStreamPath)),
        ("HEAD", "/v1/stream/sessions/{session}/{name}", new(Subscriber, ByStreamPath)),
        ("GET", "/v1/stream/{**path}", new(Reader, ByStreamPath)),
        ("HEAD", "/v1/stream/{**path}", new(Reader, ByStreamPath)),
        ("PUT", "/v1/stream/{**path}", new(Agent, ByStreamPath)),
        ("POST", "/v1/stream/{**path}", new(Agent, ByStreamPath)),
        ("DELETE", "/v1/stream/{**path}", new(Operator, ByStreamPath)),
        // The MCP server (docs/mcp.md): any key may connect; each tool checks the role it needs (answering and commands
        // are an operator's) and reads inside the key's scope, as the routes above do.
        ("POST", "/mcp", new(Reader, InScope)),
        ("GET", "/mcp", new(Reader, InScope)),
        ("DELETE", "/mcp", new(Reader, InScope)),
        // The node itself
        ("GET", "/healthz", new(Anyone, NoSessionData)),
        ("GET", "/readyz", new(Anyone, NoSessionData)),
        ("GET", "/metrics", new(Reader, FleetWide)),
        ("GET", "/openapi/v1.json", new(Anyone, NoSessionData)),
        ("GET", "/", new(Anyone, NoSessionData)),
        ("GET", "/dashboard/{**path}", new(Anyone, NoSessionData)),
    ];

    /// <summary>The OTLP/gRPC listener's methods, by path (<c>Otlp/Grpc/OtlpGrpcGate</c> enforces them before a message is read).</summary>
    public static IReadOnlyList<(string Path, RouteAccess Access)> GrpcMethods { get; } =
    [
        ("/opentelemetry.proto.collector.trace.v1.TraceService/Export", new(Agent, InScope)),
        ("/opentelemetry.proto.collector.logs.v1.LogsService/Export", new(Agent, InScope)),
        ("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", new(Agent, InScope)),
    ];

    /// <summary>What a scoped connection (a token's or an API key's labels) reaches on each socket topic.</summary>
    public static IReadOnlyDictionary<TopicKind, Reach> Topics { get; } = new Dictionary<TopicKind, Reach>
    {
        [TopicKind.AllSessions] = InScope,
        [TopicKind.OneSession] = OneSession,
        [TopicKind.SummaryOnly] = FleetWide,
        [TopicKind.Usage] = FleetWide,
        [TopicKind.Alerts] = FleetWide,
        [TopicKind.Commands] = FleetWide,
        [TopicKind.Approvals] = FleetWide,
        [TopicKind.Webhooks] = FleetWide, // as GET /api/webhooks
    };

    /// <summary>The kinds of Durable Stream path, and what a key scoped by labels reaches on each.</summary>
    public static IReadOnlyDictionary<StreamPathKind, Reach> StreamPaths { get; } = new Dictionary<StreamPathKind, Reach>
    {
        [StreamPathKind.Topic] = InScope, // as the topic's own row in Topics (read-only)
        [StreamPathKind.Session] = OneSession,
        [StreamPathKind.Other] = FleetWide,
    };

    /// <summary>The policy of <paramref name="method"/> on <paramref name="pattern"/>; null when the table has no row for it.</summary>
    public static RouteAccess? Find(string method, string pattern)
    {
        foreach (var (m, p, access) in Routes)
        {
            if ((m == AnyMethod || string.Equals(m, method, StringComparison.OrdinalIgnoreCase)) && string.Equals(p, pattern, StringComparison.Ordinal))
            {
                return access;
            }
        }

        return null;
    }
}

/// <summary>The kinds of path under <c>/v1/stream/</c>.</summary>
internal enum StreamPathKind
{
    /// <summary><c>topics/{topic}</c>: a logged topic, read-only.</summary>
    Topic,

    /// <summary><c>sessions/{id}/{name}</c>: a session's stream.</summary>
    Session,

    /// <summary>Any other path: a stream of nobody's session.</summary>
    Other,
}
