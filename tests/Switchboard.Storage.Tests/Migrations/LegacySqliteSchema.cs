namespace Switchboard.Storage.Tests.Migrations;

/// <summary>
/// The SQLite schema as the code before recorded migrations (b48d412) wrote it, copied from its SqliteSchema,
/// TreeSchema and the request and stream schemas: a database those releases made, to migrate in tests.
/// </summary>
internal static class LegacySqliteSchema
{
    /// <summary>The first release's script (no tree, no added columns): what SqliteSchema.Create ran before anything else.</summary>
    public const string Base = """
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
            tasks_running    INTEGER NOT NULL,
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

    /// <summary>Everything the old code ran on a new database, in its order: a database as the last release left it.</summary>
    public const string Full = Base + """
        CREATE TABLE IF NOT EXISTS commands (
            id         TEXT PRIMARY KEY,
            session_id TEXT NOT NULL,
            state      TEXT NOT NULL,
            issued_seq INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            data       TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS commands_by_session ON commands(session_id, issued_seq);
        CREATE INDEX IF NOT EXISTS commands_outstanding ON commands(session_id) WHERE state IN ('pending', 'delivered');
        CREATE INDEX IF NOT EXISTS commands_by_expiry ON commands(expires_at) WHERE state IN ('pending', 'delivered');
        CREATE TABLE IF NOT EXISTS approvals (
            id            TEXT PRIMARY KEY,
            session_id    TEXT NOT NULL,
            state         TEXT NOT NULL,
            requested_seq INTEGER NOT NULL,
            expires_at    INTEGER NOT NULL,
            data          TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS approvals_by_session ON approvals(session_id, requested_seq);
        CREATE INDEX IF NOT EXISTS approvals_pending ON approvals(session_id) WHERE state = 'pending';
        CREATE INDEX IF NOT EXISTS approvals_by_expiry ON approvals(expires_at) WHERE state = 'pending';
        CREATE TABLE IF NOT EXISTS streams (
            id              INTEGER PRIMARY KEY,
            path            TEXT UNIQUE,
            content_type    TEXT NOT NULL,
            tail            INTEGER NOT NULL,
            closed          INTEGER NOT NULL,
            closed_producer TEXT,
            closed_epoch    INTEGER,
            closed_seq      INTEGER,
            stream_seq      TEXT,
            ttl_seconds     INTEGER,
            expires_at      INTEGER,
            accessed_at     INTEGER NOT NULL,
            due_at          INTEGER,
            fork_of         INTEGER,
            fork_at         INTEGER NOT NULL,
            forks           INTEGER NOT NULL,
            state           INTEGER NOT NULL,
            owner           TEXT NOT NULL,
            created_at      INTEGER NOT NULL,
            session_id      TEXT
        );
        CREATE INDEX IF NOT EXISTS streams_due ON streams(due_at) WHERE state = 0 AND due_at IS NOT NULL;
        CREATE INDEX IF NOT EXISTS streams_reclaimable ON streams(id) WHERE state = 2;
        CREATE INDEX IF NOT EXISTS streams_by_owner ON streams(owner) WHERE state = 0;
        CREATE INDEX IF NOT EXISTS streams_by_session ON streams(session_id) WHERE state = 0 AND session_id IS NOT NULL;

        CREATE TABLE IF NOT EXISTS stream_chunks (
            stream_id INTEGER NOT NULL,
            start_pos INTEGER NOT NULL,
            end_pos   INTEGER NOT NULL,
            data      BLOB NOT NULL
        );
        CREATE UNIQUE INDEX IF NOT EXISTS stream_chunks_by_end ON stream_chunks(stream_id, end_pos, start_pos);

        CREATE TABLE IF NOT EXISTS stream_producers (
            stream_id INTEGER NOT NULL,
            producer  TEXT NOT NULL,
            epoch     INTEGER NOT NULL,
            last_seq  INTEGER NOT NULL,
            PRIMARY KEY (stream_id, producer)
        ) WITHOUT ROWID;
        ALTER TABLE sessions ADD COLUMN accepts_commands INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE sessions ADD COLUMN activity TEXT;
        ALTER TABLE telemetry_keys ADD COLUMN session_id TEXT;
        ALTER TABLE sessions ADD COLUMN parent_id TEXT;
        ALTER TABLE sessions ADD COLUMN root_id TEXT;
        ALTER TABLE sessions ADD COLUMN depth INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sessions ADD COLUMN subtree_sessions INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE sessions ADD COLUMN subtree_active INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sessions ADD COLUMN subtree_input_tokens INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sessions ADD COLUMN subtree_output_tokens INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sessions ADD COLUMN subtree_cost_usd TEXT NOT NULL DEFAULT '0';
        ALTER TABLE sessions ADD COLUMN tree_path TEXT;
        ALTER TABLE events ADD COLUMN root_id TEXT;
        ALTER TABLE events ADD COLUMN tree_path TEXT;
        ALTER TABLE sessions ADD COLUMN continues TEXT;
        ALTER TABLE sessions ADD COLUMN usage_from TEXT;
        ALTER TABLE sessions ADD COLUMN streams TEXT NOT NULL DEFAULT '[]';
        INSERT INTO log(id, head_seq, active_count, fleet_paused)
            SELECT 1, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0),
                (SELECT COUNT(*) FROM sessions WHERE state <> 'terminated'),
                COALESCE((SELECT value = 'true' FROM meta WHERE key = 'fleet_paused'), 0)
            WHERE NOT EXISTS (SELECT 1 FROM log);
        UPDATE sessions SET root_id = id, tree_path = id, depth = 0, subtree_sessions = 1,
            subtree_active = CASE WHEN state <> 'terminated' THEN 1 ELSE 0 END,
            subtree_input_tokens = input_tokens, subtree_output_tokens = output_tokens, subtree_cost_usd = cost_usd
        WHERE tree_path IS NULL;
        CREATE INDEX IF NOT EXISTS sessions_by_parent ON sessions(parent_id, created_seq);
        CREATE UNIQUE INDEX IF NOT EXISTS sessions_by_tree_path ON sessions(tree_path);
        CREATE INDEX IF NOT EXISTS sessions_active_by_tree_path ON sessions(tree_path) WHERE state <> 'terminated';
        CREATE INDEX IF NOT EXISTS events_by_root ON events(root_id, seq) WHERE root_id IS NOT NULL;
        INSERT INTO telemetry_span_owners(span, session_id, at)
            SELECT substr(key, 19), session_id, at FROM telemetry_keys WHERE session_id IS NOT NULL ORDER BY at;
        INSERT INTO meta(key, value) VALUES ('span_owners', 'true') ON CONFLICT(key) DO NOTHING;
        """;
}
