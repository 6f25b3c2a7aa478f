using Switchboard.Core.Storage.Sql;
using Switchboard.Core.Storage.Sql.Migrations;

namespace Switchboard.Storage.Postgres;

/// <summary>
/// The PostgreSQL schema, as numbered migrations (<see cref="SchemaMigrator"/>): the tables both stores keep
/// (<see cref="SharedSchema"/>) and what only PostgreSQL has. Tables are prefixed <c>switchboard_</c> so the store can
/// share a database; the connection string's <c>Search Path</c> picks another schema. Version 1 is the schema of every
/// release before versions were recorded, and every step of it checks before it changes, so a database those
/// releases made passes through it and keeps its rows. A new change is a new migration at the end.
/// </summary>
internal static class PostgresMigrations
{
    public static readonly Migration[] All =
    [
        new(1, "baseline",
        [
            new RawSql(Log),
            SharedSchema.Sessions,
            SharedSchema.AcceptsCommands,
            SharedSchema.Continues,
            SharedSchema.UsageFrom,
            SharedSchema.SessionStreams,
            SharedSchema.Activity,
            .. SharedSchema.SessionIndexes,
            new RawSql("CREATE INDEX IF NOT EXISTS switchboard_sessions_by_labels ON switchboard_sessions USING gin ((labels::jsonb) jsonb_path_ops);"),
            new CreateTable("events",
            [
                new("seq", SqlType.Int64), new("at", SqlType.Time), new("type", SqlType.Text), new("session_id", SqlType.Text, Nullable: true),
                new("data", SqlType.Bytes),
            ], ["seq"]),
            .. SharedSchema.EventLabels,
            SharedSchema.EventsBySession,
            .. SharedSchema.Usage,
            new CreateTable("nodes", [new("node_id", SqlType.Text), new("renewed_at", SqlType.Time)], ["node_id"]),
            new CreateTable("presence",
                [new("ref", SqlType.Text), new("node_id", SqlType.Text), new("topic", SqlType.Text), new("key", SqlType.Text), new("meta", SqlType.Text)], ["ref"]),
            new CreateIndex("presence_by_node", "presence", "node_id"),
            .. SharedSchema.Alerts,
            SharedSchema.Webhooks,
            .. SharedSchema.TelemetryKeys,
            SharedSchema.TelemetryKeysSession,
            .. SharedSchema.TelemetryStreams,
            .. SharedSchema.TelemetryWaits,
            new RawSql(SpanOwners),
            SharedSchema.SpanOwnersByAt,
            SharedSchema.AlertRules,
            .. SharedSchema.Requests,
            .. SharedSchema.TreeColumns,
            new RawSql(TreeBackfill),
            .. SharedSchema.TreeIndexes,
            .. SharedSchema.Streams,
            new CreateTable("stream_chunks",
                [new("stream_id", SqlType.Int64), new("end_pos", SqlType.Int64), new("start_pos", SqlType.Int64), new("data", SqlType.Bytes)],
                ["stream_id", "end_pos"]),
            SharedSchema.StreamProducers,
        ]),
        new(2, "slack_messages", SharedSchema.SlackMessages),
        new(3, "config_versions", SharedSchema.ConfigVersions),
    ];

    /// <summary>One row: the epoch, the last assigned <c>seq</c>, the active-session count and the fleet flag.</summary>
    private const string Log = """
        CREATE TABLE IF NOT EXISTS switchboard_log (
            id           smallint PRIMARY KEY CHECK (id = 1),
            epoch        text    NOT NULL,
            head_seq     bigint  NOT NULL,
            active_count bigint  NOT NULL,
            fleet_paused boolean NOT NULL
        );
        """;

    /// <summary>The owners of spans that may start an agent; before this table they were kept in the keys' session_id.</summary>
    private const string SpanOwners = """
        DO $$ BEGIN
            IF to_regclass('switchboard_telemetry_span_owners') IS NULL THEN
                CREATE TABLE switchboard_telemetry_span_owners (
                    span       text PRIMARY KEY,
                    session_id text NOT NULL,
                    at         timestamptz NOT NULL
                );
                INSERT INTO switchboard_telemetry_span_owners (span, session_id, at)
                    SELECT substr(key, 19), session_id, at FROM switchboard_telemetry_keys WHERE session_id IS NOT NULL
                    ON CONFLICT (span) DO NOTHING;
            END IF;
        END $$;
        """;

    /// <summary>Every session stored before trees becomes a root whose subtree is itself.</summary>
    private const string TreeBackfill = """
        UPDATE switchboard_sessions SET root_id = id, tree_path = id, depth = 0, subtree_sessions = 1,
            subtree_active = CASE WHEN state <> 'terminated' THEN 1 ELSE 0 END,
            subtree_input_tokens = input_tokens, subtree_output_tokens = output_tokens, subtree_cost_usd = cost_usd
        WHERE tree_path IS NULL;
        """;
}
