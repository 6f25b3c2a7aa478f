using Switchboard.Core.Storage.Sql;
using Switchboard.Core.Storage.Sql.Migrations;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// The SQLite schema, as numbered migrations (<see cref="SchemaMigrator"/>): the tables both stores keep
/// (<see cref="SharedSchema"/>) and the SQL only SQLite has. Version 1 is the schema of every release before versions
/// were recorded, and every step of it checks before it changes, so a database those releases made passes through it
/// and keeps its rows. A new change is a new migration at the end.
/// </summary>
internal static class SqliteMigrations
{
    /// <summary>
    /// Appended in time order and read whole into the writer's index (<see cref="SqliteSpanOwners"/>): no index on the random
    /// span. Declared before <see cref="All"/>, which reads it.
    /// </summary>
    private static readonly CreateTable SpanOwners = new("telemetry_span_owners",
        [new("span", SqlType.Text), new("session_id", SqlType.Text), new("at", SqlType.Time)], []);

    public static readonly Migration[] All =
    [
        new(1, "baseline",
        [
            new CreateTable("meta", [new("key", SqlType.Text), new("value", SqlType.Text)], ["key"], WithoutRowId: true),
            new RawSql(Log),
            SharedSchema.Sessions,
            .. SharedSchema.SessionIndexes,
            new RawSql(Events),
            SharedSchema.EventsBySession,
            .. SharedSchema.Usage,
            .. SharedSchema.Alerts,
            SharedSchema.Webhooks,
            .. SharedSchema.TelemetryKeys,
            .. SharedSchema.TelemetryStreams,
            .. SharedSchema.TelemetryWaits,
            SpanOwners,
            SharedSchema.SpanOwnersByAt,
            SharedSchema.AlertRules,
            .. SharedSchema.Requests,
            .. SharedSchema.Streams,
            // A rowid table: the chunks' blobs are large, and the index on their end position covers a read's range scan.
            new CreateTable("stream_chunks",
                [new("stream_id", SqlType.Int64), new("start_pos", SqlType.Int64), new("end_pos", SqlType.Int64), new("data", SqlType.Bytes)], []),
            new CreateIndex("stream_chunks_by_end", "stream_chunks", "stream_id, end_pos, start_pos", Unique: true),
            SharedSchema.StreamProducers,
            .. SharedSchema.EventLabels,
            SharedSchema.AcceptsCommands,
            SharedSchema.Activity,
            SharedSchema.TelemetryKeysSession,
            .. SharedSchema.TreeColumns,
            SharedSchema.Continues,
            SharedSchema.UsageFrom,
            SharedSchema.SessionStreams,
            new RawSql(LogRow),
            new RawSql(TreeBackfill),
            .. SharedSchema.TreeIndexes,
            new RawSql(SpanOwnersAppendOnly,
                When: "SELECT sql LIKE '%WITHOUT ROWID%' FROM sqlite_master WHERE type = 'table' AND name = 'telemetry_span_owners';"),
            new RawSql(SpanOwnersFromKeys, When: "SELECT NOT EXISTS (SELECT 1 FROM meta WHERE key = 'span_owners');"),
        ]),
        new(2, "slack_messages", SharedSchema.SlackMessages),
        new(3, "config_versions", SharedSchema.ConfigVersions),
    ];

    /// <summary>The log row, as PostgreSQL's switchboard_log: the head seq, the active sessions, the fleet flag (<see cref="LogRow"/>).</summary>
    private const string Log = """
        CREATE TABLE IF NOT EXISTS log (
            id           INTEGER PRIMARY KEY CHECK (id = 1),
            head_seq     INTEGER NOT NULL,
            active_count INTEGER NOT NULL,
            fleet_paused INTEGER NOT NULL
        );
        """;

    /// <summary><c>AUTOINCREMENT</c> keeps the highest <c>seq</c> in sqlite_sequence, so a purge never lets one be reused.</summary>
    private const string Events = """
        CREATE TABLE IF NOT EXISTS events (
            seq        INTEGER PRIMARY KEY AUTOINCREMENT,
            at         INTEGER NOT NULL,
            type       TEXT NOT NULL,
            session_id TEXT,
            data       BLOB NOT NULL,
            labels     TEXT,
            prior_labels TEXT
        );
        """;

    /// <summary>
    /// The log row, from the tables of a database that kept the fleet flag in <c>meta</c> and counted the rest at every
    /// start (a new one starts at zero). It writes nothing when the row exists.
    /// </summary>
    private const string LogRow = """
        INSERT INTO log(id, head_seq, active_count, fleet_paused)
            SELECT 1, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0),
                (SELECT COUNT(*) FROM sessions WHERE state <> 'terminated'),
                COALESCE((SELECT value = 'true' FROM meta WHERE key = 'fleet_paused'), 0)
            WHERE NOT EXISTS (SELECT 1 FROM log);
        """;

    /// <summary>Every session stored before trees becomes a root whose subtree is itself.</summary>
    private const string TreeBackfill = """
        UPDATE sessions SET root_id = id, tree_path = id, depth = 0, subtree_sessions = 1,
            subtree_active = CASE WHEN state <> 'terminated' THEN 1 ELSE 0 END,
            subtree_input_tokens = input_tokens, subtree_output_tokens = output_tokens, subtree_cost_usd = cost_usd
        WHERE tree_path IS NULL;
        """;

    /// <summary>For a database whose span owners were keyed by span (before <see cref="SqliteSpanOwners"/>): the rows move to the append-only table, oldest first.</summary>
    private const string SpanOwnersAppendOnly = """
        ALTER TABLE telemetry_span_owners RENAME TO telemetry_span_owners_keyed;
        DROP INDEX telemetry_span_owners_by_at;
        CREATE TABLE telemetry_span_owners (
            span       TEXT NOT NULL,
            session_id TEXT NOT NULL,
            at         INTEGER NOT NULL
        );
        CREATE INDEX telemetry_span_owners_by_at ON telemetry_span_owners(at);
        INSERT INTO telemetry_span_owners(span, session_id, at) SELECT span, session_id, at FROM telemetry_span_owners_keyed ORDER BY at;
        DROP TABLE telemetry_span_owners_keyed;
        """;

    /// <summary>
    /// Once: the owners of spans that may start an agent were kept in the dedupe keys before they had their own table (the
    /// key, past its 18 characters of prefix and end second, is the span).
    /// </summary>
    private const string SpanOwnersFromKeys = """
        INSERT INTO telemetry_span_owners(span, session_id, at)
            SELECT substr(key, 19), session_id, at FROM telemetry_keys WHERE session_id IS NOT NULL ORDER BY at;
        INSERT INTO meta(key, value) VALUES ('span_owners', 'true') ON CONFLICT(key) DO NOTHING;
        """;
}
