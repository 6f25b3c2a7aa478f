using Switchboard.Core.Hosting;
using Switchboard.Server.Alerts.Options;
using Switchboard.Server.Approvals.Options;
using Switchboard.Server.Commands.Options;
using Switchboard.Server.Hooks.Options;
using Switchboard.Server.Mcp.Options;
using Switchboard.Server.Otlp.Options;
using Switchboard.Server.Sessions.Options;
using Switchboard.Server.Slack.Options;
using Switchboard.Server.Streams.Options;
using Switchboard.Server.Webhooks.Options;

namespace Switchboard.Server.Options;

/// <summary>
/// Everything that configures a Switchboard node except its store, which the builder names (<c>UseSqlite</c>,
/// <c>UsePostgres</c>). Each setting out of range stops start-up with a line naming it.
/// </summary>
public sealed class SwitchboardOptions
{
    /// <summary>How long events are kept.</summary>
    public RetentionOptions Retention { get; } = new();

    /// <summary>Usage rollups: what they are split by, how long they are kept, how much one query may return.</summary>
    public UsageSettings Usage { get; } = new();

    /// <summary>Alert rules and the evaluator. See docs/alerts.md.</summary>
    public AlertOptions Alerts { get; } = new();

    /// <summary>Webhook delivery. See docs/alerts.md.</summary>
    public WebhookOptions Webhooks { get; } = new();

    /// <summary>OpenTelemetry in: the OTLP receivers. See docs/otel.md.</summary>
    public OtlpOptions Otlp { get; } = new();

    /// <summary>Coding agents' hooks: the receivers under <c>/hooks</c>. See docs/hooks.md.</summary>
    public HooksOptions Hooks { get; } = new();

    /// <summary>Commands to agents: the producers' long-polls. See docs/commands.md.</summary>
    public CommandOptions Commands { get; } = new();

    /// <summary>Approvals: how many one session may have pending. See docs/approvals.md.</summary>
    public ApprovalOptions Approvals { get; } = new();

    /// <summary>The Slack app: approvals with Allow, Deny and Open buttons in a channel. See docs/slack.md.</summary>
    public SlackOptions Slack { get; } = new();

    /// <summary>The MCP server at <c>/mcp</c>: tools and resources for a supervising agent. See docs/mcp.md.</summary>
    public McpOptions Mcp { get; } = new();

    /// <summary>Session rules: how deep a tree of sessions may grow.</summary>
    public SessionOptions Sessions { get; } = new();

    /// <summary>Live stream settings.</summary>
    public SocketOptions Sockets { get; } = new();

    /// <summary>Durable Streams at <c>/v1/stream/{path}</c>. See docs/streams.md.</summary>
    public DurableStreamOptions Streams { get; } = new();

    /// <summary>HTTP API settings.</summary>
    public HttpApiOptions Http { get; } = new();

    /// <summary>API keys, subscriber tokens and origin checks. See docs/security.md.</summary>
    public SecurityOptions Security { get; } = new();

    /// <summary>
    /// On shutdown, how long the node keeps serving while reporting not ready (so a load balancer moves traffic away)
    /// before it closes stream connections with 1001 and stops. Zero by default.
    /// </summary>
    public TimeSpan ShutdownDrainDelay { get; set; }

    /// <summary>
    /// The absolute http(s) URL people reach this server (its dashboard) at, e.g. <c>https://switchboard.example.com/</c>:
    /// what links to a session from outside, such as a Slack message, start with. Unset (the default): no links.
    /// </summary>
    public Uri? PublicUrl { get; set; }
}

/// <summary>Event log retention: both limits apply.</summary>
public sealed class RetentionOptions
{
    /// <summary>Events older than this are purged. Default 24 h.</summary>
    public TimeSpan MaxAge { get; set; } = SwitchboardDefaults.RetentionMaxAge;

    /// <summary>At most this many events are kept. Default 1,000,000.</summary>
    public long MaxEvents { get; set; } = SwitchboardDefaults.RetentionMaxEvents;

    /// <summary>How often the purge runs. Default 1 min.</summary>
    public TimeSpan PurgeInterval { get; set; } = SwitchboardDefaults.PurgeInterval;
}

/// <summary>Usage rollups (<c>Switchboard:Usage</c>). See docs/usage.md.</summary>
public sealed class UsageSettings
{
    /// <summary>Label keys rollups are split by, besides "all", e.g. <c>["team", "model"]</c>. Every node must use the same list.</summary>
    public List<string> GroupBy { get; } = [];

    /// <summary>False turns rollups off (writes skip them; <c>/api/usage</c> then answers from whatever is stored). Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long minute buckets are kept. Default 90 days.</summary>
    public TimeSpan MinuteRetention { get; set; } = SwitchboardDefaults.UsageRetention;

    /// <summary>How long hour buckets are kept. Default 90 days.</summary>
    public TimeSpan HourRetention { get; set; } = SwitchboardDefaults.UsageRetention;

    /// <summary>How long day buckets are kept. Default 90 days.</summary>
    public TimeSpan DayRetention { get; set; } = SwitchboardDefaults.UsageRetention;

    /// <summary>The most buckets one <c>/api/usage</c> range may span. Default 10,000.</summary>
    public int MaxPoints { get; set; } = SwitchboardDefaults.UsageMaxPoints;

    /// <summary>The settings as the store takes them.</summary>
    internal Switchboard.Core.UsageRollups.UsageOptions ToStoreOptions() => new()
    {
        GroupBy = [.. GroupBy.Distinct(StringComparer.Ordinal)],
        Enabled = Enabled,
        MinuteRetention = MinuteRetention,
        HourRetention = HourRetention,
        DayRetention = DayRetention,
    };
}

/// <summary>WebSocket, long-poll and SSE settings.</summary>
public sealed class SocketOptions
{
    /// <summary>A connection that sends nothing for this long is closed. Default 60 s.</summary>
    public TimeSpan HeartbeatTimeout { get; set; } = SwitchboardDefaults.HeartbeatTimeout;

    /// <summary>
    /// How long a new connection may take to send its first request head; a slower or silent one gets 408 and is closed.
    /// Connections still sending their head count against <see cref="MaxConnections"/>. Default 5 s.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; set; } = SwitchboardDefaults.HandshakeTimeout;

    /// <summary>Most open stream connections (WebSocket, long-poll, SSE). Further upgrades get 503. Default 15,000.</summary>
    public int MaxConnections { get; set; } = SwitchboardDefaults.MaxConnections;

    /// <summary>Largest inbound WebSocket message. Larger ones close the socket with 1009. Default 64 KiB.</summary>
    public int MaxFrameBytes { get; set; } = SwitchboardDefaults.MaxFrameBytes;

    /// <summary>Most channels one connection may join. Default 100.</summary>
    public int MaxChannelsPerConnection { get; set; } = SwitchboardDefaults.MaxChannelsPerConnection;

    /// <summary>Frames a connection may have waiting before it is disconnected as a slow consumer. Default 8,192.</summary>
    public int SendQueueMaxFrames { get; set; } = SwitchboardDefaults.SendQueueMaxFrames;

    /// <summary>Bytes a connection may have waiting before it is disconnected. Default 8 MiB.</summary>
    public long SendQueueMaxBytes { get; set; } = SwitchboardDefaults.SendQueueMaxBytes;

    /// <summary>
    /// A resume whose range holds more events than this to read (the log's, or the session's for one session topic),
    /// matching its filter or not, gets a fresh snapshot instead. Default 10,000.
    /// </summary>
    public int MaxReplayEvents { get; set; } = SwitchboardDefaults.MaxReplayEvents;

    /// <summary>Active sessions in the <c>sessions</c> join snapshot unless the join asks for fewer. Default 100.</summary>
    public int SnapshotSessions { get; set; } = SwitchboardDefaults.SnapshotSessions;

    /// <summary>Summaries are coalesced to at most one per this window. Default 100 ms.</summary>
    public TimeSpan SummaryCoalesceWindow { get; set; } = SwitchboardDefaults.SummaryCoalesceWindow;

    /// <summary>While sessions are active, a summary goes out at least this often. Default 10 s.</summary>
    public TimeSpan SummaryInterval { get; set; } = SwitchboardDefaults.SummaryInterval;

    /// <summary>Serve the WebSocket transport at <c>/socket/websocket</c>. Default true.</summary>
    public bool EnableWebSocket { get; set; } = true;

    /// <summary>Serve the long-poll transport at <c>/socket/longpoll</c>. Default true.</summary>
    public bool EnableLongPoll { get; set; } = true;

    /// <summary>How long a long-poll GET waits for messages before answering 204; idle sessions die after 1.5×. Default 10 s.</summary>
    public TimeSpan LongPollWindow { get; set; } = SwitchboardDefaults.LongPollWindow;

    /// <summary>SSE comment heartbeat interval. Default 15 s.</summary>
    public TimeSpan SseHeartbeatInterval { get; set; } = SwitchboardDefaults.SseHeartbeatInterval;

    /// <summary>Inbound messages a connection may send per second, sustained; beyond it the socket is closed with 1008. Default 50.</summary>
    public double MaxMessagesPerSecond { get; set; } = SwitchboardDefaults.MaxMessagesPerSecond;

    /// <summary>Inbound messages a connection may send in a burst before the sustained rate applies. Default 200.</summary>
    public int MessageBurst { get; set; } = SwitchboardDefaults.MessageBurst;

    /// <summary>
    /// Admission control: when the oldest committed event not yet fanned out is older than this, writes wait until the
    /// fan-out is back under half of it. Bounds the latency from a commit to the subscribers' queues under overload.
    /// </summary>
    public TimeSpan MaxFanoutLag { get; set; } = SwitchboardDefaults.MaxFanoutLag;

    /// <summary>
    /// Admission control: a committed write is answered once this node has queued its events for every subscriber, or
    /// after this long if the fan-out is held up (the write is durable at its commit either way). Under overload the
    /// producers' requests in flight then wait for the fan-out instead of piling events up behind it, which keeps the
    /// delivery latency's tail short. Zero answers at the commit. Default 250 ms.
    /// </summary>
    public TimeSpan FanoutAnswerWait { get; set; } = SwitchboardDefaults.FanoutAnswerWait;

    /// <summary>Admission control: at most this many committed events wait to be fanned out before writes wait.</summary>
    public int MaxPendingEvents { get; set; } = SwitchboardDefaults.MaxPendingEvents;

    /// <summary>
    /// Joins, reads and read-your-writes waits that may wait for the live loop at once; past it a new one is refused at
    /// once (HTTP 503, a Phoenix error reply with reason <c>overloaded</c>) instead of queueing. Default 4096.
    /// </summary>
    public int MaxQueuedRequests { get; set; } = SwitchboardDefaults.MaxQueuedRequests;

    /// <summary>How long a write waits for admission before it is refused with 503 and <c>Retry-After</c> (nothing is written).</summary>
    public TimeSpan WriteWaitTimeout { get; set; } = SwitchboardDefaults.WriteWaitTimeout;

    /// <summary>The most JSON a join reply's session snapshot carries; the rest is paged with <c>next_cursor</c>.</summary>
    public long MaxSnapshotBytes { get; set; } = SwitchboardDefaults.MaxSnapshotBytes;
}

/// <summary>HTTP API settings.</summary>
public sealed class HttpApiOptions
{
    /// <summary>Largest request body. Larger ones get 413. Default 1 MiB.</summary>
    public long MaxBodyBytes { get; set; } = SwitchboardDefaults.MaxBodyBytes;

    /// <summary>
    /// Bytes this node buffers for request bodies at once, over every route that reads a whole body (the API, the hooks,
    /// OTLP/HTTP, Durable Streams). A body's buffer grows as its bytes arrive; a request whose next growth would pass this
    /// is refused with 503 and <c>Retry-After</c>, and what it held is released. Default 256 MiB.
    /// </summary>
    public long MaxInFlightBodyBytes { get; set; } = SwitchboardDefaults.MaxInFlightBodyBytes;

    /// <summary>Most operations in one <c>/api/batch</c>. Default 1,000.</summary>
    public int MaxBatchOperations { get; set; } = SwitchboardDefaults.MaxBatchOperations;

    /// <summary>Default page size of listings. Default 50.</summary>
    public int DefaultPageSize { get; set; } = SwitchboardDefaults.DefaultPageSize;

    /// <summary>Largest page size of listings and event reads. Default 1,000.</summary>
    public int MaxPageSize { get; set; } = SwitchboardDefaults.MaxPageSize;

    /// <summary>
    /// Writes (POST/PATCH requests under <c>/api</c>) one API key may make per <see cref="WriteRateWindow"/>, as a token
    /// bucket that refills that many per window; without keys the remote address is the partition. Beyond it: 429 with
    /// Retry-After. Default 5,000.
    /// </summary>
    public int WriteRateLimit { get; set; } = SwitchboardDefaults.WriteRateLimit;

    /// <summary>The window of <see cref="WriteRateLimit"/>. Default 1 s.</summary>
    public TimeSpan WriteRateWindow { get; set; } = SwitchboardDefaults.WriteRateWindow;
}
