using Switchboard.Core.Sessions;

namespace Switchboard.Storage.Postgres;

/// <summary>
/// The PostgreSQL schema. <c>switchboard_log</c> holds one row: the epoch, the last assigned <c>seq</c>, the active-session
/// count and the fleet flag. Every write transaction locks that row first, which is what orders commits by <c>seq</c>
/// (see docs/postgres.md). Tables are prefixed so the store can share a database; the connection string's
/// <c>Search Path</c> picks another schema. The plain session fields' columns come from their generated table
/// (<see cref="SessionFields.PlainColumns"/>).
/// </summary>
internal static class PostgresSchema
{
    /// <summary>The NOTIFY channel; the payload is the highest <c>seq</c> the transaction committed.</summary>
    public const string Channel = "switchboard_events";

    /// <summary>Serializes schema creation between nodes starting at the same time (CREATE ... IF NOT EXISTS can race).</summary>
    public const long CreateLockKey = 0x5357_4254_4348_0001;

    public static readonly string Create = $$"""
        CREATE TABLE IF NOT EXISTS switchboard_log (
            id           smallint PRIMARY KEY CHECK (id = 1),
            epoch        text    NOT NULL,
            head_seq     bigint  NOT NULL,
            active_count bigint  NOT NULL,
            fleet_paused boolean NOT NULL
        );

        CREATE TABLE IF NOT EXISTS switchboard_sessions (
            id               text PRIMARY KEY,
            created_seq      bigint  NOT NULL,
            state            text    NOT NULL,
            name             text,
            labels           text    NOT NULL,
            metadata         text    NOT NULL,
            error_message    text,
            input_tokens     bigint  NOT NULL,
            output_tokens    bigint  NOT NULL,
            cost_usd         numeric NOT NULL,
            {{PostgresDialect.Instance.Columns(SessionFields.PlainColumns)}}
            lease_seconds    integer,
            lease_expires_at timestamptz,
            created_at       timestamptz NOT NULL,
            updated_at       timestamptz NOT NULL,
            terminated_at    timestamptz,
            version          bigint  NOT NULL
        );
        ALTER TABLE switchboard_sessions ADD COLUMN IF NOT EXISTS accepts_commands boolean NOT NULL DEFAULT true;
        ALTER TABLE switchboard_sessions ADD COLUMN IF NOT EXISTS continues text;
        ALTER TABLE switchboard_sessions ADD COLUMN IF NOT EXISTS usage_from text;
        ALTER TABLE switchboard_sessions ADD COLUMN IF NOT EXISTS streams text NOT NULL DEFAULT '[]';
        ALTER TABLE switchboard_sessions ADD COLUMN IF NOT EXISTS activity text;
        CREATE INDEX IF NOT EXISTS switchboard_sessions_by_created ON switchboard_sessions (created_seq);
        CREATE INDEX IF NOT EXISTS switchboard_sessions_by_state ON switchboard_sessions (state, created_seq);
        CREATE INDEX IF NOT EXISTS switchboard_sessions_by_lease ON switchboard_sessions (lease_expires_at)
            WHERE lease_expires_at IS NOT NULL;
        CREATE INDEX IF NOT EXISTS switchboard_sessions_by_labels ON switchboard_sessions USING gin ((labels::jsonb) jsonb_path_ops);

        CREATE TABLE IF NOT EXISTS switchboard_events (
            seq        bigint PRIMARY KEY,
            at         timestamptz NOT NULL,
            type       text NOT NULL,
            session_id text,
            data       bytea NOT NULL
        );
        ALTER TABLE switchboard_events ADD COLUMN IF NOT EXISTS labels text;
        ALTER TABLE switchboard_events ADD COLUMN IF NOT EXISTS prior_labels text;
        CREATE INDEX IF NOT EXISTS switchboard_events_by_session ON switchboard_events (session_id, seq);

        CREATE TABLE IF NOT EXISTS switchboard_usage (
            bucket              text    NOT NULL,
            group_key           text    NOT NULL,
            start               timestamptz NOT NULL,
            group_value         text    NOT NULL,
            input_tokens        bigint  NOT NULL,
            output_tokens       bigint  NOT NULL,
            cost_usd            numeric NOT NULL,
            sessions_created    bigint  NOT NULL,
            sessions_terminated bigint  NOT NULL,
            sessions_errored    bigint  NOT NULL,
            busy_ms             bigint  NOT NULL,
            peak_active         bigint  NOT NULL,
            PRIMARY KEY (bucket, group_key, start, group_value)
        );
        CREATE TABLE IF NOT EXISTS switchboard_usage_active (
            group_key   text   NOT NULL,
            group_value text   NOT NULL,
            active      bigint NOT NULL,
            PRIMARY KEY (group_key, group_value)
        );

        CREATE TABLE IF NOT EXISTS switchboard_nodes (
            node_id    text PRIMARY KEY,
            renewed_at timestamptz NOT NULL
        );
        CREATE TABLE IF NOT EXISTS switchboard_presence (
            ref     text PRIMARY KEY,
            node_id text NOT NULL,
            topic   text NOT NULL,
            key     text NOT NULL,
            meta    text NOT NULL
        );
        CREATE INDEX IF NOT EXISTS switchboard_presence_by_node ON switchboard_presence (node_id);

        CREATE TABLE IF NOT EXISTS switchboard_alerts (
            id         text    PRIMARY KEY,
            rule_id    text    NOT NULL,
            subject    text    NOT NULL,
            open       boolean NOT NULL,
            raised_seq bigint  NOT NULL,
            data       text    NOT NULL
        );
        CREATE UNIQUE INDEX IF NOT EXISTS switchboard_alerts_open ON switchboard_alerts (rule_id, subject) WHERE open;
        CREATE INDEX IF NOT EXISTS switchboard_alerts_by_raised ON switchboard_alerts (raised_seq);
        CREATE TABLE IF NOT EXISTS switchboard_webhooks (
            id                   text    PRIMARY KEY,
            config               text    NOT NULL,
            cursor               bigint  NOT NULL,
            state                text    NOT NULL,
            attempts             bigint  NOT NULL DEFAULT 0,
            failures             bigint  NOT NULL DEFAULT 0,
            consecutive_failures integer NOT NULL DEFAULT 0,
            last_error           text,
            last_attempt_at      timestamptz,
            lease_owner          text,
            lease_expires_at     timestamptz
        );
        CREATE TABLE IF NOT EXISTS switchboard_telemetry_keys (
            key text PRIMARY KEY,
            at  timestamptz NOT NULL
        );
        CREATE INDEX IF NOT EXISTS switchboard_telemetry_keys_by_at ON switchboard_telemetry_keys (at);
        ALTER TABLE switchboard_telemetry_keys ADD COLUMN IF NOT EXISTS session_id text;
        CREATE TABLE IF NOT EXISTS switchboard_telemetry_streams (
            stream  text PRIMARY KEY,
            started bigint NOT NULL,
            ended   bigint NOT NULL,
            total   numeric NOT NULL,
            at      timestamptz NOT NULL
        );
        CREATE INDEX IF NOT EXISTS switchboard_telemetry_streams_by_at ON switchboard_telemetry_streams (at);
        CREATE TABLE IF NOT EXISTS switchboard_telemetry_waits (
            span  text NOT NULL,
            child text NOT NULL,
            at    timestamptz NOT NULL,
            PRIMARY KEY (span, child)
        );
        CREATE INDEX IF NOT EXISTS switchboard_telemetry_waits_by_at ON switchboard_telemetry_waits (at);
        -- The owners of spans that may start an agent; before this table they were kept in the keys' session_id.
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
        CREATE INDEX IF NOT EXISTS switchboard_telemetry_span_owners_by_at ON switchboard_telemetry_span_owners (at);
        CREATE TABLE IF NOT EXISTS switchboard_alert_rules (
            id   text PRIMARY KEY,
            data text NOT NULL
        );
        """;

    /// <summary>Creates the log row, and with it the epoch, exactly once per database.</summary>
    public const string CreateLogRow = """
        INSERT INTO switchboard_log (id, epoch, head_seq, active_count, fleet_paused)
        VALUES (1, @epoch, 0, 0, false)
        ON CONFLICT (id) DO NOTHING;
        """;
}
