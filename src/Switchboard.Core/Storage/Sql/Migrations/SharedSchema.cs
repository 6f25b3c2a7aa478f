namespace Switchboard.Core.Storage.Sql.Migrations;

internal static partial class SharedSchema
{
    public static readonly MigrationStep[] Usage =
    [
        new CreateTable("usage",
        [
            new("bucket", SqlType.Text), new("group_key", SqlType.Text), new("start", SqlType.Time), new("group_value", SqlType.Text),
            new("input_tokens", SqlType.Int64), new("output_tokens", SqlType.Int64), new("cost_usd", SqlType.Decimal),
            new("sessions_created", SqlType.Int64), new("sessions_terminated", SqlType.Int64), new("sessions_errored", SqlType.Int64),
            new("busy_ms", SqlType.Int64), new("peak_active", SqlType.Int64),
        ], ["bucket", "group_key", "start", "group_value"], WithoutRowId: true),
        new CreateTable("usage_active",
            [new("group_key", SqlType.Text), new("group_value", SqlType.Text), new("active", SqlType.Int64)], ["group_key", "group_value"], WithoutRowId: true),
    ];

    public static readonly MigrationStep[] Alerts =
    [
        new CreateTable("alerts",
        [
            new("id", SqlType.Text), new("rule_id", SqlType.Text), new("subject", SqlType.Text), new("open", SqlType.Bool),
            new("raised_seq", SqlType.Int64), new("data", SqlType.Text),
        ], ["id"], WithoutRowId: true),
        new CreateIndex("alerts_open", "alerts", "rule_id, subject", Unique: true, WhereTrue: "open"),
        new CreateIndex("alerts_by_raised", "alerts", "raised_seq"),
    ];

    public static readonly CreateTable AlertRules = new("alert_rules", [new("id", SqlType.Text), new("data", SqlType.Text)], ["id"], WithoutRowId: true);

    public static readonly CreateTable Webhooks = new("webhooks",
    [
        new("id", SqlType.Text), new("config", SqlType.Text), new("cursor", SqlType.Int64), new("state", SqlType.Text),
        new("attempts", SqlType.Int64, Default: 0), new("failures", SqlType.Int64, Default: 0), new("consecutive_failures", SqlType.Int32, Default: 0),
        new("last_error", SqlType.Text, Nullable: true), new("last_attempt_at", SqlType.Time, Nullable: true),
        new("lease_owner", SqlType.Text, Nullable: true), new("lease_expires_at", SqlType.Time, Nullable: true),
    ], ["id"], WithoutRowId: true);

    /// <summary>The OpenTelemetry dedupe keys (the span owners' table is each store's own).</summary>
    public static readonly MigrationStep[] TelemetryKeys =
    [
        new CreateTable("telemetry_keys", [new("key", SqlType.Text), new("at", SqlType.Time)], ["key"], WithoutRowId: true),
        new CreateIndex("telemetry_keys_by_at", "telemetry_keys", "at"),
    ];

    /// <summary>Before span owners had their table, the owners of spans that may start an agent (now only read to move them).</summary>
    public static readonly AddColumn TelemetryKeysSession = new("telemetry_keys", new("session_id", SqlType.Text, Nullable: true));

    public static readonly MigrationStep[] TelemetryStreams =
    [
        new CreateTable("telemetry_streams",
        [
            new("stream", SqlType.Text), new("started", SqlType.Int64), new("ended", SqlType.Int64), new("total", SqlType.Decimal), new("at", SqlType.Time),
        ], ["stream"], WithoutRowId: true),
        new CreateIndex("telemetry_streams_by_at", "telemetry_streams", "at"),
    ];

    public static readonly MigrationStep[] TelemetryWaits =
    [
        new CreateTable("telemetry_waits", [new("span", SqlType.Text), new("child", SqlType.Text), new("at", SqlType.Time)], ["span", "child"], WithoutRowId: true),
        new CreateIndex("telemetry_waits_by_at", "telemetry_waits", "at"),
    ];

    public static readonly CreateIndex SpanOwnersByAt = new("telemetry_span_owners_by_at", "telemetry_span_owners", "at");

    /// <summary>
    /// Migration 2: each approval's Slack message (<see cref="Switchboard.Core.Storage.ISlackStore"/>): which node claimed its post and its update,
    /// and where it went; the partial index holds the messages still to update.
    /// </summary>
    public static readonly MigrationStep[] SlackMessages =
    [
        new CreateTable("slack_messages",
        [
            new("approval_id", SqlType.Text), new("posted_by", SqlType.Text), new("channel", SqlType.Text, Nullable: true),
            new("ts", SqlType.Text, Nullable: true), new("updated_by", SqlType.Text, Nullable: true), new("updated_at", SqlType.Time, Nullable: true),
        ], ["approval_id"], WithoutRowId: true),
        new CreateIndex("slack_messages_open", "slack_messages", "approval_id", Where: "updated_at IS NULL"),
    ];

    /// <summary>Commands and approvals: a row per request, its JSON in <c>data</c>; the partial indexes hold only open ones.</summary>
    public static readonly MigrationStep[] Requests =
    [
        .. Request("commands", "issued_seq", "commands_outstanding", "state IN ('pending', 'delivered')"),
        .. Request("approvals", "requested_seq", "approvals_pending", "state = 'pending'"),
    ];

    private static MigrationStep[] Request(string table, string seq, string openIndex, string open) =>
    [
        new CreateTable(table,
        [
            new("id", SqlType.Text), new("session_id", SqlType.Text), new("state", SqlType.Text), new(seq, SqlType.Int64),
            new("expires_at", SqlType.Time), new("data", SqlType.Text),
        ], ["id"], WithoutRowId: true),
        new CreateIndex($"{table}_by_session", table, $"session_id, {seq}"),
        new CreateIndex(openIndex, table, "session_id", Where: open),
        new CreateIndex($"{table}_by_expiry", table, "expires_at", Where: open),
    ];

    /// <summary>Durable streams: a row per stream incarnation and the idempotent producers' states (the chunks' table is each store's own).</summary>
    public static readonly MigrationStep[] Streams =
    [
        new CreateTable("streams",
        [
            new("id", SqlType.Int64), new("path", SqlType.Text, Nullable: true, Unique: true), new("content_type", SqlType.Text),
            new("tail", SqlType.Int64), new("closed", SqlType.Bool), new("closed_producer", SqlType.Text, Nullable: true),
            new("closed_epoch", SqlType.Int64, Nullable: true), new("closed_seq", SqlType.Int64, Nullable: true),
            new("stream_seq", SqlType.Text, Nullable: true), new("ttl_seconds", SqlType.Int64, Nullable: true),
            new("expires_at", SqlType.Time, Nullable: true), new("accessed_at", SqlType.Time), new("due_at", SqlType.Time, Nullable: true),
            new("fork_of", SqlType.Int64, Nullable: true), new("fork_at", SqlType.Int64), new("forks", SqlType.Int64), new("state", SqlType.Int16),
            new("owner", SqlType.Text), new("created_at", SqlType.Time), new("session_id", SqlType.Text, Nullable: true),
        ], ["id"]),
        new CreateIndex("streams_due", "streams", "due_at", Where: "state = 0 AND due_at IS NOT NULL"),
        new CreateIndex("streams_reclaimable", "streams", "id", Where: "state = 2"),
        new CreateIndex("streams_by_owner", "streams", "owner", Where: "state = 0"),
        new CreateIndex("streams_by_session", "streams", "session_id", Where: "state = 0 AND session_id IS NOT NULL"),
    ];

    public static readonly CreateTable StreamProducers = new("stream_producers",
        [new("stream_id", SqlType.Int64), new("producer", SqlType.Text), new("epoch", SqlType.Int64), new("last_seq", SqlType.Int64)],
        ["stream_id", "producer"], WithoutRowId: true);

    /// <summary>
    /// Migration 3: the configuration's version of webhook endpoints and stored alert rules (a PUT's <c>expected_version</c>); rows
    /// written before it start at 1.
    /// </summary>
    public static readonly MigrationStep[] ConfigVersions =
    [
        new AddColumn("webhooks", new("version", SqlType.Int64, Default: 1)),
        new AddColumn("alert_rules", new("version", SqlType.Int64, Default: 1)),
    ];
}
