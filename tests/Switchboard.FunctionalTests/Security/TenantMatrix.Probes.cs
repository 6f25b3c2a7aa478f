using Switchboard.Server.Security;

namespace Switchboard.FunctionalTests.Security;

/// <summary>How a probe reaches the server.</summary>
internal enum ProbeTransport
{
    /// <summary>One HTTP request; its status and body are the answer.</summary>
    Http,

    /// <summary>An SSE stream of <see cref="Probe.Path"/>: its first <c>joined</c> record is the answer.</summary>
    Sse,

    /// <summary>A WebSocket join of the topic in <see cref="Probe.Path"/>: the join reply is the answer.</summary>
    WebSocket,

    /// <summary>A long-poll join of the topic in <see cref="Probe.Path"/>: the join reply is the answer.</summary>
    LongPoll,
}

/// <summary>
/// One request of the two-tenant matrix, for one row of <see cref="AccessTable.Routes"/>. Its path and body name the
/// target through placeholders: <c>{id}</c> a session, <c>{agent}</c> an agent's own session id (its hooks' and
/// telemetry's, <c>otel:s:{agent}</c>), <c>{cid}</c> a command of the session, <c>{aid}</c> an approval of it.
/// </summary>
internal sealed record Probe(string Method, string Route, string Path, string? Body = null, ProbeTransport Transport = ProbeTransport.Http)
{
    public string ContentType { get; init; } = "application/json";

    /// <summary>The request's <c>Accept</c>, when the route needs one (MCP's Streamable HTTP takes JSON and SSE).</summary>
    public string? Accept { get; init; }

    /// <summary>A create with the target's id: the id of a session outside the scope stays taken (409), as docs/security.md says.</summary>
    public bool CreatesTheTarget { get; init; }

    /// <summary>Whether the request names a target (its answers for the three targets are compared).</summary>
    public bool NamesATarget => Path.Contains('{') || (Body?.Contains("{id}") ?? false) || (Body?.Contains("{agent}") ?? false);
}

/// <summary>The request of every route of the access table.</summary>
internal static class TenantProbes
{
    private static readonly string Now = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private const string McpAccept = "application/json, text/event-stream";

    public static IReadOnlyList<Probe> All { get; } =
    [
        new("GET", "/api/sessions", "/api/sessions?limit=1000"),
        new("POST", "/api/sessions", "/api/sessions", """{"id":"{id}","name":"taken?"}""") { CreatesTheTarget = true },
        new("GET", "/api/sessions/count", "/api/sessions/count"),
        new("GET", "/api/sessions/{id}", "/api/sessions/{id}"),
        new("PATCH", "/api/sessions/{id}", "/api/sessions/{id}", """{"state":"working","name":"pwned","labels":{"team":"red"}}"""),
        new("PATCH", "/api/sessions/{id}", "/api/sessions/{id}", """{"labels":{"usage_from":"metrics"}}"""),
        new("POST", "/api/sessions/{id}/usage", "/api/sessions/{id}/usage", """{"input_tokens":5000}"""),
        new("POST", "/api/sessions/{id}/heartbeat", "/api/sessions/{id}/heartbeat"),
        new("POST", "/api/sessions/{id}/terminate", "/api/sessions/{id}/terminate", """{"reason":"hostile","cascade":true}"""),
        new("GET", "/api/sessions/{id}/children", "/api/sessions/{id}/children"),
        new("GET", "/api/sessions/{id}/tree", "/api/sessions/{id}/tree?limit=1"),
        new("POST", "/api/batch", "/api/batch", """{"operations":[{"op":"update","id":"{id}","state":"working"},{"op":"usage","id":"{id}","input_tokens":7},{"op":"create","id":"child-of-{id}","parent_id":"{id}"}]}"""),
        new("GET", "/api/events", "/api/events?since=0&limit=1000"),
        new("GET", "/api/events", "/api/events?since=0&limit=1&session_id={id}"),
        new("GET", "/api/usage", "/api/usage?bucket=1h&group_by=label:team&labels=team=red"),
        new("GET", "/api/summary", "/api/summary"),
        new("GET", "/api/fleet", "/api/fleet"),
        new("POST", "/api/fleet/pause", "/api/fleet/pause"),
        new("POST", "/api/fleet/resume", "/api/fleet/resume"),
        new("POST", "/api/sessions/{id}/commands", "/api/sessions/{id}/commands", """{"type":"cancel"}"""),
        new("GET", "/api/sessions/{id}/commands", "/api/sessions/{id}/commands"),
        new("GET", "/api/sessions/{id}/commands/{commandId}", "/api/sessions/{id}/commands/{cid}"),
        new("POST", "/api/sessions/{id}/commands/{commandId}/ack", "/api/sessions/{id}/commands/{cid}/ack", """{"outcome":"done"}"""),
        new("DELETE", "/api/sessions/{id}/commands/{commandId}", "/api/sessions/{id}/commands/{cid}"),
        new("POST", "/api/sessions/{id}/approvals", "/api/sessions/{id}/approvals", """{"tool":"Bash","summary":"rm -rf /"}"""),
        new("GET", "/api/sessions/{id}/approvals", "/api/sessions/{id}/approvals"),
        new("GET", "/api/sessions/{id}/approvals/{approvalId}", "/api/sessions/{id}/approvals/{aid}"),
        new("POST", "/api/sessions/{id}/approvals/{approvalId}", "/api/sessions/{id}/approvals/{aid}", """{"decision":"allow"}"""),
        new("GET", "/api/alert-rules", "/api/alert-rules"),
        new("POST", "/api/alert-rules", "/api/alert-rules", """{"name":"x","condition":{"type":"error"}}"""),
        new("GET", "/api/alert-rules/{id}", "/api/alert-rules/some-rule"),
        new("PUT", "/api/alert-rules/{id}", "/api/alert-rules/some-rule", """{"name":"x","condition":{"type":"error"}}"""),
        new("DELETE", "/api/alert-rules/{id}", "/api/alert-rules/some-rule"),
        new("GET", "/api/alerts", "/api/alerts"),
        new("GET", "/api/alerts/{id}", "/api/alerts/some-alert"),
        new("POST", "/api/alerts/{id}/ack", "/api/alerts/some-alert/ack", "{}"),
        new("GET", "/api/webhooks", "/api/webhooks"),
        new("POST", "/api/webhooks", "/api/webhooks", """{"url":"http://127.0.0.1:9/x"}"""),
        new("GET", "/api/webhooks/{id}", "/api/webhooks/some-hook"),
        new("PUT", "/api/webhooks/{id}", "/api/webhooks/some-hook", """{"url":"http://127.0.0.1:9/x"}"""),
        new("DELETE", "/api/webhooks/{id}", "/api/webhooks/some-hook"),
        new("POST", "/api/webhooks/{id}/replay", "/api/webhooks/some-hook/replay", """{"from_seq":1}"""),
        new("GET", "/api/auth", "/api/auth"),
        new("POST", "/api/tokens", "/api/tokens", """{"topics":["session:{id}"]}"""),
        new("GET", "/api/stream", "/api/stream?topics=session:{id}", Transport: ProbeTransport.Sse),
        new("GET", "/api/{**path}", "/api/no-such-route/{id}"),
        new("GET", "/socket/websocket", "session:{id}", Transport: ProbeTransport.WebSocket),
        new("GET", "/socket/longpoll", "session:{id}", Transport: ProbeTransport.LongPoll),
        new("POST", "/v1/traces", "/v1/traces", $$$"""{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"claude-code"}},{"key":"session.id","value":{"stringValue":"{agent}"}}]},"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"chat","kind":3,"startTimeUnixNano":"{{{Now}}}","endTimeUnixNano":"{{{Now}}}","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},{"key":"gen_ai.usage.input_tokens","value":{"intValue":"900"}}]}]}]}]}"""),
        new("POST", "/v1/logs", "/v1/logs", $$$"""{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"claude-code"}},{"key":"session.id","value":{"stringValue":"{agent}"}},{"key":"user.id","value":{"stringValue":"mallory"}}]},"scopeLogs":[{"logRecords":[{"timeUnixNano":"{{{Now}}}","body":{"stringValue":"claude_code.api_request"},"attributes":[{"key":"event.sequence","value":{"intValue":"1"}},{"key":"input_tokens","value":{"intValue":"900"}},{"key":"cost_usd","value":{"doubleValue":9.5}}]}]}]}]}"""),
        new("POST", "/v1/metrics", "/v1/metrics", $$$"""{"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"claude-code"}},{"key":"session.id","value":{"stringValue":"{agent}"}}]},"scopeMetrics":[{"metrics":[{"name":"claude_code.token.usage","sum":{"aggregationTemporality":1,"isMonotonic":true,"dataPoints":[{"startTimeUnixNano":"{{{Now}}}","timeUnixNano":"{{{Now}}}","asDouble":900,"attributes":[{"key":"type","value":{"stringValue":"input"}}]}]}}]}]}]}"""),
        new("POST", "/hooks/claude-code", "/hooks/claude-code", """{"hook_event_name":"UserPromptSubmit","session_id":"{agent}","cwd":"/home/mallory/pwned"}"""),
        new("POST", "/hooks/claude-code", "/hooks/claude-code", """{"hook_event_name":"SubagentStart","session_id":"{agent}","agent_id":"a1","agent_type":"general-purpose","cwd":"/tmp"}"""),
        new("POST", "/hooks/claude-code", "/hooks/claude-code", """{"hook_event_name":"PermissionRequest","session_id":"{agent}","tool_name":"Bash","tool_input":{"command":"touch x"},"cwd":"/tmp"}"""),
        new("POST", "/hooks/codex", "/hooks/codex", """{"hook_event_name":"UserPromptSubmit","session_id":"{agent}","cwd":"/tmp","prompt":"x"}"""),
        new("POST", "/hooks/gemini-cli", "/hooks/gemini-cli", """{"hook_event_name":"BeforeAgent","session_id":"{agent}","cwd":"/tmp"}"""),
        new("OPTIONS", "/v1/stream/{**path}", "/v1/stream/sessions/{id}/output"),
        new("GET", "/v1/stream/topics/{**topic}", "/v1/stream/topics/session:{id}?offset=-1"),
        new("HEAD", "/v1/stream/topics/{**topic}", "/v1/stream/topics/session:{id}"),
        new("PUT", "/v1/stream/topics/{**topic}", "/v1/stream/topics/session:{id}", "x") { ContentType = "text/plain" },
        new("POST", "/v1/stream/topics/{**topic}", "/v1/stream/topics/session:{id}", "x") { ContentType = "text/plain" },
        new("DELETE", "/v1/stream/topics/{**topic}", "/v1/stream/topics/session:{id}"),
        new("GET", "/v1/stream/sessions/{session}/{name}", "/v1/stream/sessions/{id}/output?offset=-1"),
        new("HEAD", "/v1/stream/sessions/{session}/{name}", "/v1/stream/sessions/{id}/output"),
        new("GET", "/v1/stream/{**path}", "/v1/stream/runs/1/output?offset=-1"),
        new("HEAD", "/v1/stream/{**path}", "/v1/stream/runs/1/output"),
        new("PUT", "/v1/stream/{**path}", "/v1/stream/sessions/{id}/output", "pwned") { ContentType = "text/plain" },
        new("POST", "/v1/stream/{**path}", "/v1/stream/sessions/{id}/output", "pwned") { ContentType = "text/plain" },
        new("DELETE", "/v1/stream/{**path}", "/v1/stream/sessions/{id}/output"),
        new("PUT", "/v1/stream/{**path}", "/v1/stream/runs/2/output", "x") { ContentType = "text/plain" },
        // Slack's clicks carry Slack's signature, not a key; the matrix's server has no Slack app (404 slack_off for all).
        new("POST", "/v1/slack/interactions", "/v1/slack/interactions", "payload=%7B%7D") { ContentType = "application/x-www-form-urlencoded" },
        // MCP: a session opens with initialize; a tool's scope (a session outside it answers as an unknown one) is
        // McpClientTests' part, through the reference client.
        new("POST", "/mcp", "/mcp", """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"matrix","version":"1"}}}""") { Accept = McpAccept },
        new("GET", "/mcp", "/mcp") { Accept = McpAccept },
        new("DELETE", "/mcp", "/mcp") { Accept = McpAccept },
        new("GET", "/healthz", "/healthz"),
        new("GET", "/readyz", "/readyz"),
        new("GET", "/metrics", "/metrics"),
        new("GET", "/openapi/v1.json", "/openapi/v1.json"),
        new("GET", "/", "/"),
        new("GET", "/dashboard/{**path}", "/dashboard/js/main.js"),
    ];
}
