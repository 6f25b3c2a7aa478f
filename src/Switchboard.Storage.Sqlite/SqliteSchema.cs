using Switchboard.Core.Sessions;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// The SQLite schema. <c>AUTOINCREMENT</c> keeps the highest <c>seq</c> in sqlite_sequence, so a purge never lets one be
/// reused. The plain session fields' columns come from their generated table (<see cref="SessionFields.PlainColumns"/>).
/// </summary>
internal static class SqliteSchema
{
    public static readonly string Create = $$"""
        CREATE TABLE IF NOT EXISTS meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;

        -- The log row, as PostgreSQL's switchboard_log: the head seq, the active sessions, the fleet flag (LogRow).
        CREATE TABLE IF NOT EXISTS log (
            id           INTEGER PRIMARY KEY CHECK (id = 1),
            head_seq     INTEGER NOT NULL,
            active_count INTEGER NOT NULL,
            fleet_paused INTEGER NOT NULL
        );

        CREATE TABLE IF NOT EXISTS sessions (
            id               TEXT PRIMARY KEY,
            created_seq      INTEGER NOT NULL,
            state            TEXT NOT NULL,
            name             TEXT,
            labels           TEXT NOT NULL,
            metadata         TEXT NOT NULL,
            error_message    TEXT,
            input_tokens     INTEGER NOT NULL,
            output_tokens    INTEGER NOT NULL,
            cost_usd         TEXT NOT NULL,
            {{SqliteDialect.Instance.Columns(SessionFields.PlainColumns)}}
            lease_seconds    INTEGER,
            lease_expires_at INTEGER,
            created_at       INTEGER NOT NULL,
            updated_at       INTEGER NOT NULL,
            terminated_at    INTEGER,
            version          INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS sessions_by_created ON sessions(created_seq);
        CREATE INDEX IF NOT EXISTS sessions_by_state ON sessions(state, created_seq);
        CREATE INDEX IF NOT EXISTS sessions_by_lease ON sessions(lease_expires_at) WHERE lease_expires_at IS NOT NULL;

        CREATE TABLE IF NOT EXISTS events (
            seq        INTEGER PRIMARY KEY AUTOINCREMENT,
            at         INTEGER NOT NULL,
            type       TEXT NOT NULL,
            session_id TEXT,
            data       BLOB NOT NULL,
            labels     TEXT,
            prior_labels TEXT
        );
        CREATE INDEX IF NOT EXISTS events_by_session ON events(session_id, seq);

        CREATE TABLE IF NOT EXISTS usage_rollups (
            bucket              TEXT NOT NULL,
            group_key           TEXT NOT NULL,
            start               INTEGER NOT NULL,
            group_value         TEXT NOT NULL,
            input_tokens        INTEGER NOT NULL,
            output_tokens       INTEGER NOT NULL,
            cost_usd            TEXT NOT NULL,
            sessions_created    INTEGER NOT NULL,
            sessions_terminated INTEGER NOT NULL,
            sessions_errored    INTEGER NOT NULL,
            busy_ms             INTEGER NOT NULL,
            peak_active         INTEGER NOT NULL,
            PRIMARY KEY (bucket, group_key, start, group_value)
        ) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS usage_active (
            group_key   TEXT NOT NULL,
            group_value TEXT NOT NULL,
            active      INTEGER NOT NULL,
            PRIMARY KEY (group_key, group_value)
        ) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS alerts (
            id         TEXT PRIMARY KEY,
            rule_id    TEXT NOT NULL,
            subject    TEXT NOT NULL,
            open       INTEGER NOT NULL,
            raised_seq INTEGER NOT NULL,
            data       TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX IF NOT EXISTS alerts_open ON alerts(rule_id, subject) WHERE open = 1;
        CREATE INDEX IF NOT EXISTS alerts_by_raised ON alerts(raised_seq);

        CREATE TABLE IF NOT EXISTS webhooks (
            id                   TEXT PRIMARY KEY,
            config               TEXT NOT NULL,
            cursor               INTEGER NOT NULL,
            state                TEXT NOT NULL,
            attempts             INTEGER NOT NULL DEFAULT 0,
            failures             INTEGER NOT NULL DEFAULT 0,
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            last_error           TEXT,
            last_attempt_at      INTEGER,
            lease_owner          TEXT,
            lease_expires_at     INTEGER
        ) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS telemetry_keys (
            key        TEXT PRIMARY KEY,
            at         INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS telemetry_keys_by_at ON telemetry_keys(at);

        CREATE TABLE IF NOT EXISTS telemetry_streams (
            stream  TEXT PRIMARY KEY,
            started INTEGER NOT NULL,
            ended   INTEGER NOT NULL,
            total   TEXT NOT NULL,
            at      INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS telemetry_streams_by_at ON telemetry_streams(at);

        CREATE TABLE IF NOT EXISTS telemetry_waits (
            span  TEXT NOT NULL,
            child TEXT NOT NULL,
            at    INTEGER NOT NULL,
            PRIMARY KEY (span, child)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS telemetry_waits_by_at ON telemetry_waits(at);

        -- Appended in time order and read whole into the writer's index (SqliteSpanOwners): no index on the random span.
        CREATE TABLE IF NOT EXISTS telemetry_span_owners (
            span       TEXT NOT NULL,
            session_id TEXT NOT NULL,
            at         INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS telemetry_span_owners_by_at ON telemetry_span_owners(at);

        CREATE TABLE IF NOT EXISTS alert_rules (
            id   TEXT PRIMARY KEY,
            data TEXT NOT NULL
        ) WITHOUT ROWID;
        """;

    /// <summary>
    /// Once per database: the log row, from the tables of a database that kept the fleet flag in <c>meta</c> and counted the
    /// rest at every start (a new one starts at zero). It writes nothing when the row exists.
    /// </summary>
    public const string LogRow = """
        INSERT INTO log(id, head_seq, active_count, fleet_paused)
            SELECT 1, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0),
                (SELECT COUNT(*) FROM sessions WHERE state <> 'terminated'),
                COALESCE((SELECT value = 'true' FROM meta WHERE key = 'fleet_paused'), 0)
            WHERE NOT EXISTS (SELECT 1 FROM log);
        """;

    /// <summary>
    /// Once, after the columns exist: the owners of spans that may start an agent were kept in the dedupe keys before they
    /// had their own table (the key, past its 18 characters of prefix and end second, is the span).
    /// </summary>
    public const string SpanOwnersFromKeys = """
        INSERT INTO telemetry_span_owners(span, session_id, at)
            SELECT substr(key, 19), session_id, at FROM telemetry_keys WHERE session_id IS NOT NULL ORDER BY at;
        INSERT INTO meta(key, value) VALUES ('span_owners', 'true') ON CONFLICT(key) DO NOTHING;
        """;

    /// <summary>
    /// Once, for a database whose span owners were keyed by span (before <see cref="SqliteSpanOwners"/>): the rows move to
    /// the append-only table, oldest first.
    /// </summary>
    public const string SpanOwnersAppendOnly = """
        BEGIN IMMEDIATE;
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
        COMMIT;
        """;

    /// <summary>Columns added since the first release, for databases created before them (SQLite has no ADD COLUMN IF NOT EXISTS).</summary>
    public static readonly (string Table, string Column, string Type)[] AddedColumns =
    [
        ("events", "labels", "TEXT"),
        ("events", "prior_labels", "TEXT"),
        ("sessions", "accepts_commands", "INTEGER NOT NULL DEFAULT 1"),
        ("sessions", "activity", "TEXT"),
        ("telemetry_keys", "session_id", "TEXT"), // before span owners: the owners of spans that may start an agent (SpanOwnersFromKeys)
        .. TreeSchema.AddedColumns,
        ("sessions", "continues", "TEXT"),
        ("sessions", "usage_from", "TEXT"),
        ("sessions", "streams", "TEXT NOT NULL DEFAULT '[]'"),
    ];
}
