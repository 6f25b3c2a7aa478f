namespace Switchboard.Core.Diagnostics;

/// <summary>
/// The one registry of log event ids: each component takes its ids from its own range, so no two components can collide.
/// A test checks every <c>[LoggerMessage]</c> in Switchboard's assemblies against these ranges. Ids are stable: a message
/// may be retired, never renumbered.
/// </summary>
public static class LogEventIds
{
    /// <summary>Start-up, shutdown, leases, retention (1–99).</summary>
    public const int Hosting = 1;

    /// <summary>API keys, tokens, origins, exposure (100–199).</summary>
    public const int Security = 100;

    /// <summary>The PostgreSQL store and its event feed (200–299).</summary>
    public const int Postgres = 200;

    /// <summary>The SQLite store (300–399).</summary>
    public const int Sqlite = 300;

    /// <summary>The write pipeline and admission control (400–499).</summary>
    public const int Ingest = 400;

    /// <summary>The live loop: fan-out, joins, presence, recovery (500–599).</summary>
    public const int Live = 500;

    /// <summary>The Phoenix channel layer (600–699).</summary>
    public const int Phoenix = 600;

    /// <summary>WebSocket, long-poll and SSE connections (700–799).</summary>
    public const int Transports = 700;

    /// <summary>The HTTP API (800–899).</summary>
    public const int Http = 800;

    /// <summary>Metrics (900–999).</summary>
    public const int Metrics = 900;

    /// <summary>The command line (1000–1099).</summary>
    public const int Cli = 1000;

    /// <summary>Alert rules and the alert evaluator (1100–1199).</summary>
    public const int Alerts = 1100;

    /// <summary>Webhook delivery (1200–1299).</summary>
    public const int Webhooks = 1200;

    /// <summary>OpenTelemetry in: the OTLP receivers and the quiet monitor (1300–1399).</summary>
    public const int Otlp = 1300;

    /// <summary>Commands to agents: the long-poll watch and the expiry job (1500–1599).</summary>
    public const int Commands = 1500;

    /// <summary>Durable Streams: live readers and the sweeper (1600–1699).</summary>
    public const int Streams = 1600;

    /// <summary>Coding agents' hooks: the receivers (1700–1799).</summary>
    public const int Hooks = 1700;

    /// <summary>The Slack app: approval messages and their buttons (1800–1899).</summary>
    public const int Slack = 1800;

    /// <summary>The MCP server: tools, resources and subscriptions (1900–1999).</summary>
    public const int Mcp = 1900;

    /// <summary>The size of each range.</summary>
    public const int RangeSize = 100;
}
