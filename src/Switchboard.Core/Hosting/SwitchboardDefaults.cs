namespace Switchboard.Core.Hosting;

/// <summary>
/// Every default value, in one place, so code, docs and errors agree: the options classes, the stores and the endpoints
/// read them from here. Internal (visible to the server, the stores and the executable), so no caller compiles a copy in.
/// </summary>
internal static class SwitchboardDefaults
{
    /// <summary>Default listen address of the executable.</summary>
    public const string Urls = "http://127.0.0.1:5080";
    /// <summary>Default data directory.</summary>
    public const string DataDirectory = "data";
    /// <summary>SQLite file name inside the data directory.</summary>
    public const string DatabaseFileName = "switchboard.db";
    /// <summary>Default event age limit.</summary>
    public static readonly TimeSpan RetentionMaxAge = TimeSpan.FromHours(24);
    /// <summary>Default event count limit.</summary>
    public const long RetentionMaxEvents = 1_000_000;
    /// <summary>Default purge interval.</summary>
    public static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(1);
    /// <summary>Default idle/heartbeat timeout.</summary>
    public static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromSeconds(60);
    /// <summary>Default time a new connection has to send its whole request head.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(5);
    /// <summary>Default connection limit; below the 20,000 open files a process may hold.</summary>
    public const int MaxConnections = 15_000;
    /// <summary>Default inbound frame limit.</summary>
    public const int MaxFrameBytes = 64 * 1024;
    /// <summary>Default channel limit per connection.</summary>
    public const int MaxChannelsPerConnection = 100;
    /// <summary>Default slow-consumer frame cap.</summary>
    public const int SendQueueMaxFrames = 8192;
    /// <summary>Default slow-consumer byte cap.</summary>
    public const long SendQueueMaxBytes = 8 * 1024 * 1024;
    /// <summary>Default replay limit before a snapshot is sent instead.</summary>
    public const int MaxReplayEvents = 10_000;
    /// <summary>Default number of sessions in a join snapshot.</summary>
    public const int SnapshotSessions = 100;
    /// <summary>Largest snapshot a join may ask for.</summary>
    public const int MaxSnapshotSessions = 1000;
    /// <summary>Summary coalescing window.</summary>
    public static readonly TimeSpan SummaryCoalesceWindow = TimeSpan.FromMilliseconds(100);
    /// <summary>Summary interval while active.</summary>
    public static readonly TimeSpan SummaryInterval = TimeSpan.FromSeconds(10);
    /// <summary>Long-poll window (Phoenix's default).</summary>
    public static readonly TimeSpan LongPollWindow = TimeSpan.FromSeconds(10);
    /// <summary>SSE heartbeat interval.</summary>
    public static readonly TimeSpan SseHeartbeatInterval = TimeSpan.FromSeconds(15);
    /// <summary>Default HTTP body limit.</summary>
    public const long MaxBodyBytes = 1024 * 1024;
    /// <summary>Bytes of request bodies one node buffers at once, over every route; past it 503 with Retry-After.</summary>
    public const long MaxInFlightBodyBytes = 256 * 1024 * 1024;
    /// <summary>Default batch size limit.</summary>
    public const int MaxBatchOperations = 1000;
    /// <summary>Default page size.</summary>
    public const int DefaultPageSize = 50;
    /// <summary>Largest page size.</summary>
    public const int MaxPageSize = 1000;
    /// <summary>Sustained inbound message rate per connection.</summary>
    public const double MaxMessagesPerSecond = 50;
    /// <summary>Inbound message burst per connection: room for a client rejoining its 100 channels at once.</summary>
    public const int MessageBurst = 200;
    /// <summary>Admission control: the oldest committed event not yet fanned out may be this old before writes wait.</summary>
    public static readonly TimeSpan MaxFanoutLag = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a committed write's answer may wait for its fan-out.</summary>
    public static readonly TimeSpan FanoutAnswerWait = TimeSpan.FromMilliseconds(250);
    /// <summary>Admission control: committed events waiting for fan-out before writes wait.</summary>
    public const int MaxPendingEvents = 50_000;
    /// <summary>Joins and reads that may wait for the live loop at once before new ones are refused.</summary>
    public const int MaxQueuedRequests = 4096;
    /// <summary>How long a write waits for admission before 503.</summary>
    public static readonly TimeSpan WriteWaitTimeout = TimeSpan.FromSeconds(5);
    /// <summary>The most JSON in a join reply's session snapshot.</summary>
    public const long MaxSnapshotBytes = 1024 * 1024;
    /// <summary>Default writes per key (or remote address) per window.</summary>
    public const int WriteRateLimit = 5000;
    /// <summary>Default write rate window.</summary>
    public static readonly TimeSpan WriteRateWindow = TimeSpan.FromSeconds(1);
    /// <summary>Default lifetime of a subscriber token minted over HTTP that names none.</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(15);
    /// <summary>Longest lifetime a subscriber token minted over HTTP is granted.</summary>
    public static readonly TimeSpan TokenMaxLifetime = TimeSpan.FromHours(24);
    /// <summary>File in the data directory that holds the generated token signing secret.</summary>
    public const string TokenSecretFileName = "token-secret";
    /// <summary>Shortest API key accepted.</summary>
    public const int MinApiKeyLength = 16;
    /// <summary>Shortest token signing secret accepted (HS256 needs 256 bits).</summary>
    public const int MinTokenSecretLength = 32;
    /// <summary>How often leases are checked.</summary>
    public static readonly TimeSpan LeaseCheckInterval = TimeSpan.FromSeconds(1);
    /// <summary>Events in one page of the HTTP event read when the request names no limit.</summary>
    public const int EventPageSize = 100;
    /// <summary>The deepest level a session may be below its root (Switchboard:Sessions:MaxTreeDepth).</summary>
    public const int MaxTreeDepth = 32;
    /// <summary>The largest MaxTreeDepth a node accepts.</summary>
    public const int MaxTreeDepthLimit = 64;
    /// <summary>
    /// The longest tree path (the ids from the root to a session, joined by spaces), in characters: what a PostgreSQL
    /// index entry holds with room to spare (its limit is about 2,700 bytes), so 64 levels of 31-character ids, or 15 of 128.
    /// </summary>
    public const int MaxTreePathLength = 2048;
    /// <summary>
    /// The most descendants a cascading terminate ends in one commit (deepest first); a larger subtree ends in several,
    /// with other writers' commits in between, and its request is answered once the last one committed.
    /// </summary>
    public const int CascadeChunk = 500;
    /// <summary>The most sessions a telemetry root may bring along when its span places it under a parent.</summary>
    public const int MaxAdoptedSubtree = 1000;
    /// <summary>
    /// The most sessions one telemetry source id continues in after its sessions ended by quiet or by a client
    /// (<c>otel:s:{id}</c>, <c>otel:s2:{id}</c>, …): a write looks them up in one statement. Telemetry for a source whose
    /// every continuation ended too is dropped and logged.
    /// </summary>
    public const int MaxContinuations = 32;
    /// <summary>Nodes in one page of a subtree read or subtree join snapshot unless the request asks for fewer.</summary>
    public const int TreePageSize = 100;
    /// <summary>Most events one store read returns unless the caller asks for fewer.</summary>
    public const int EventReadLimit = 1000;

    // OpenTelemetry in (Switchboard:Otlp).
    /// <summary>Spans, log records or metric points one OTLP request may carry; the rest are refused in its partial_success.</summary>
    public const int OtlpMaxRecordsPerRequest = 10_000;
    /// <summary>Attributes read per OTLP record, resource or scope (the OpenTelemetry SDKs' own default limit); the rest are ignored.</summary>
    public const int OtlpMaxAttributesPerRecord = 128;
    /// <summary>OTLP requests (HTTP and gRPC) one node handles at once; more get 503 (gRPC UNAVAILABLE) with a retry delay.</summary>
    public const int OtlpMaxConcurrentRequests = 256;

    // Usage rollups (Switchboard:Usage).
    /// <summary>How long each size of usage bucket is kept.</summary>
    public static readonly TimeSpan UsageRetention = TimeSpan.FromDays(90);
    /// <summary>The most buckets one usage query may span.</summary>
    public const int UsageMaxPoints = 10_000;

    // Alerts and webhooks (Switchboard:Alerts, Switchboard:Webhooks).
    /// <summary>How often the evaluator re-reads rules stored over HTTP.</summary>
    public static readonly TimeSpan AlertRuleRefreshInterval = TimeSpan.FromSeconds(10);
    /// <summary>Applied events the alert evaluator may have waiting before the live fan-out waits for it.</summary>
    public const int AlertMaxPendingEvents = 4096;
    /// <summary>Webhook endpoints the fleet may have: each has a worker on every node, and the list is one answer and one push.</summary>
    public const int WebhookMaxEndpoints = 100;
    /// <summary>Failed attempts in a row before a webhook endpoint goes failing.</summary>
    public const int WebhookMaxAttempts = 10;
    /// <summary>The wait after a webhook's first failure; it doubles from there.</summary>
    public static readonly TimeSpan WebhookInitialBackoff = TimeSpan.FromSeconds(1);
    /// <summary>The longest wait between webhook attempts.</summary>
    public static readonly TimeSpan WebhookMaxBackoff = TimeSpan.FromMinutes(5);
    /// <summary>How long one webhook POST may take.</summary>
    public static readonly TimeSpan WebhookRequestTimeout = TimeSpan.FromSeconds(10);
    /// <summary>How long a node's claim on a webhook endpoint lasts without renewal.</summary>
    public static readonly TimeSpan WebhookLeaseDuration = TimeSpan.FromSeconds(15);
    /// <summary>How often each node looks for new webhook endpoints and events.</summary>
    public static readonly TimeSpan WebhookPollInterval = TimeSpan.FromSeconds(1);

    // Commands to agents (Switchboard:Commands).
    /// <summary>Long-polls for commands that may wait on one node at once.</summary>
    public const int CommandMaxWaiters = 10_000;
    /// <summary>The longest <c>wait</c> a command long-poll may ask for, in seconds.</summary>
    public const int CommandMaxWaitSeconds = 60;
    /// <summary>How often expired commands are looked for.</summary>
    public static readonly TimeSpan CommandExpiryInterval = TimeSpan.FromSeconds(1);
    /// <summary>Applied events the command watch may have waiting before the live fan-out waits for it.</summary>
    public const int CommandWatchPendingEvents = 4096;
    /// <summary>Applied events the Slack app may have waiting before the live fan-out waits for it (it only sorts them).</summary>
    public const int SlackPendingEvents = 4096;
    /// <summary>Slack messages (posts and updates) waiting to be sent; past it a new one is dropped and logged.</summary>
    public const int SlackQueuedMessages = 1000;
    /// <summary>How often a node with Slack looks for messages a gone node claimed and left undone (and once at start).</summary>
    public static readonly TimeSpan SlackLeftoverInterval = TimeSpan.FromSeconds(5);
    /// <summary>Leftover messages one look takes up (the next look takes the rest).</summary>
    public const int SlackLeftoverBatch = 100;
    /// <summary>How long one call to Slack's Web API may take.</summary>
    public static readonly TimeSpan SlackRequestTimeout = TimeSpan.FromSeconds(10);
    /// <summary>The most commands one session may have outstanding (pending or delivered); past it an issue is 429.</summary>
    public const int CommandMaxOutstandingPerSession = 100;
    /// <summary>The largest MaxOutstandingPerSession a node accepts: every hand-over and issue reads that many rows at most.</summary>
    public const int CommandMaxOutstandingLimit = 10_000;
    /// <summary>A hand-over's visibility timeout: a delivered command not acknowledged within it is handed over again.</summary>
    public static readonly TimeSpan CommandRedeliverAfter = TimeSpan.FromSeconds(30);

    // Approvals (Switchboard:Approvals).
    /// <summary>The most approvals one session may have pending; past it an ask is 429 and a hook is let go with no decision.</summary>
    public const int ApprovalMaxPendingPerSession = 100;
    /// <summary>The largest MaxPendingPerSession a node accepts.</summary>
    public const int ApprovalMaxPendingLimit = 10_000;

    // Durable Streams (Switchboard:Streams).
    /// <summary>The largest append to a durable stream.</summary>
    public const long StreamMaxAppendBytes = 1024 * 1024;
    /// <summary>How long a stream long-poll waits for data.</summary>
    public static readonly TimeSpan StreamLongPollTimeout = TimeSpan.FromSeconds(3);
    /// <summary>How long an SSE read of a stream stays open before the server closes it for a reconnect.</summary>
    public static readonly TimeSpan StreamSseReconnectAfter = TimeSpan.FromSeconds(60);
    /// <summary>Live streams one key may have.</summary>
    public const int StreamMaxStreamsPerKey = 10_000;
    /// <summary>Live streams one session may have (<c>sessions/{id}/{name}</c>).</summary>
    public const int StreamMaxStreamsPerSession = 64;
    /// <summary>Long-poll and SSE stream reads that may wait on one node at once.</summary>
    public const int StreamMaxLiveReaders = 10_000;
    /// <summary>How often expired and deleted streams are swept.</summary>
    public static readonly TimeSpan StreamSweepInterval = TimeSpan.FromSeconds(1);
    /// <summary>How long a session's streams stay readable after the session ends.</summary>
    public static readonly TimeSpan StreamRetainAfterEnd = TimeSpan.FromDays(7);
    // Coding agents' hooks (Switchboard:Hooks).
    /// <summary>The largest hook body: a tool's whole output rides in PostToolUse.</summary>
    public const long HookMaxBodyBytes = 4 * 1024 * 1024;
    /// <summary>How long after SessionEnd a hooked session is terminated: its telemetry, exported as the agent exits, still counts.</summary>
    public static readonly TimeSpan HookEndGrace = TimeSpan.FromSeconds(10);
    /// <summary>How long a hook is held for a person or a command before it is answered with no decision.</summary>
    public static readonly TimeSpan HookApprovalWait = TimeSpan.FromMinutes(5);

    // The PostgreSQL store (Switchboard:Postgres).
    /// <summary>How often the feed reads the log even without a notification.</summary>
    public static readonly TimeSpan PostgresPollInterval = TimeSpan.FromSeconds(2);
    /// <summary>First delay before reconnecting the listening connection.</summary>
    public static readonly TimeSpan PostgresMinReconnectDelay = TimeSpan.FromMilliseconds(100);
    /// <summary>Longest delay between reconnection attempts.</summary>
    public static readonly TimeSpan PostgresMaxReconnectDelay = TimeSpan.FromSeconds(5);
    /// <summary>How long a write transaction may sit idle before PostgreSQL ends it.</summary>
    public static readonly TimeSpan PostgresIdleInTransactionTimeout = TimeSpan.FromSeconds(15);
    /// <summary>Npgsql's <c>Max Auto Prepare</c> when the connection string does not set it: statements kept prepared per connection.</summary>
    public const int PostgresMaxAutoPrepare = 64;
    /// <summary>How long a dead node's presence viewers stay visible elsewhere.</summary>
    public static readonly TimeSpan PostgresPresenceLiveness = TimeSpan.FromSeconds(10);
    /// <summary>How often a node renews its presence liveness.</summary>
    public static readonly TimeSpan PostgresPresenceRenewInterval = TimeSpan.FromSeconds(2);
}
