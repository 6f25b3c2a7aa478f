namespace Switchboard.Storage.Tests.Migrations;

/// <summary>
/// The PostgreSQL schema as the code before recorded migrations (b48d412) wrote it, copied from its PostgresSchema and
/// the tree, request and stream schemas, with the log row of epoch 0123456789abcdef: a database those releases made.
/// </summary>
internal static class LegacyPostgresSchema
{
    public const string Epoch = "0123456789abcdef";

    public const string Full = """
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
            tasks_running    integer NOT NULL,
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
        CREATE TABLE IF NOT EXISTS switchboard_commands (
            id         text        PRIMARY KEY,
            session_id text        NOT NULL,
            state      text        NOT NULL,
            issued_seq bigint      NOT NULL,
            expires_at timestamptz NOT NULL,
            data       text        NOT NULL
        );
        CREATE INDEX IF NOT EXISTS switchboard_commands_by_session ON switchboard_commands (session_id, issued_seq);
        CREATE INDEX IF NOT EXISTS switchboard_commands_outstanding ON switchboard_commands (session_id) WHERE state IN ('pending', 'delivered');
        CREATE INDEX IF NOT EXISTS switchboard_commands_by_expiry ON switchboard_commands (expires_at) WHERE state IN ('pending', 'delivered');
        CREATE TABLE IF NOT EXISTS switchboard_approvals (
            id            text        PRIMARY KEY,
            session_id    text        NOT NULL,
            state         text        NOT NULL,
            requested_seq bigint      NOT NULL,
            expires_at    timestamptz NOT NULL,
            data          text        NOT NULL
        );
        CREATE INDEX IF NOT EXISTS switchboard_approvals_by_session ON switchboard_approvals (session_id, requested_seq);
        CREATE INDEX IF NOT EXISTS switchboard_approvals_pending ON switchboard_approvals (session_id) WHERE state = 'pending';
        CREATE INDEX IF NOT EXISTS switchboard_approvals_by_expiry ON switchboard_approvals (expires_at) WHERE state = 'pending';
        ALTER TABLE switchboard_sessions ADD COLUMN IF NOT EXISTS parent_id text;
        ALTER TABLE switchboard_sessions ADD COLUMN IF NOT EXISTS root_id text;
        ALTER TABLE switchboard_sessions ADD COLUMN IF NOT EXISTS depth integer NOT NULL DEFAULT 0;
        ALTER TABLE switchboard_sessions ADD COLUMN IF NOT EXISTS subtree_sessions bigint NOT NULL DEFAULT 1;
        ALTER TABLE switchboard_sessions ADD COLUMN IF NOT EXISTS subtree_active bigint NOT NULL DEFAULT 0;
        ALTER TABLE switchboard_sessions ADD COLUMN IF NOT EXISTS subtree_input_tokens bigint NOT NULL DEFAULT 0;
        ALTER TABLE switchboard_sessions ADD COLUMN IF NOT EXISTS subtree_output_tokens bigint NOT NULL DEFAULT 0;
        ALTER TABLE switchboard_sessions ADD COLUMN IF NOT EXISTS subtree_cost_usd numeric NOT NULL DEFAULT 0;
        ALTER TABLE switchboard_sessions ADD COLUMN IF NOT EXISTS tree_path text COLLATE "C";
        ALTER TABLE switchboard_events ADD COLUMN IF NOT EXISTS root_id text;
        ALTER TABLE switchboard_events ADD COLUMN IF NOT EXISTS tree_path text COLLATE "C";
        UPDATE switchboard_sessions SET root_id = id, tree_path = id, depth = 0, subtree_sessions = 1,
            subtree_active = CASE WHEN state <> 'terminated' THEN 1 ELSE 0 END,
            subtree_input_tokens = input_tokens, subtree_output_tokens = output_tokens, subtree_cost_usd = cost_usd
        WHERE tree_path IS NULL;
        CREATE INDEX IF NOT EXISTS switchboard_sessions_by_parent ON switchboard_sessions (parent_id, created_seq);
        CREATE UNIQUE INDEX IF NOT EXISTS switchboard_sessions_by_tree_path ON switchboard_sessions (tree_path);
        CREATE INDEX IF NOT EXISTS switchboard_sessions_active_by_tree_path ON switchboard_sessions (tree_path) WHERE state <> 'terminated';
        CREATE INDEX IF NOT EXISTS switchboard_events_by_root ON switchboard_events (root_id, seq) WHERE root_id IS NOT NULL;
        CREATE TABLE IF NOT EXISTS switchboard_streams (
            id              bigint      PRIMARY KEY,
            path            text        UNIQUE,
            content_type    text        NOT NULL,
            tail            bigint      NOT NULL,
            closed          boolean     NOT NULL,
            closed_producer text,
            closed_epoch    bigint,
            closed_seq      bigint,
            stream_seq      text,
            ttl_seconds     bigint,
            expires_at      timestamptz,
            accessed_at     timestamptz NOT NULL,
            due_at          timestamptz,
            fork_of         bigint,
            fork_at         bigint      NOT NULL,
            forks           bigint      NOT NULL,
            state           smallint    NOT NULL,
            owner           text        NOT NULL,
            created_at      timestamptz NOT NULL,
            session_id      text
        );
        CREATE INDEX IF NOT EXISTS switchboard_streams_due ON switchboard_streams (due_at) WHERE state = 0 AND due_at IS NOT NULL;
        CREATE INDEX IF NOT EXISTS switchboard_streams_reclaimable ON switchboard_streams (id) WHERE state = 2;
        CREATE INDEX IF NOT EXISTS switchboard_streams_by_owner ON switchboard_streams (owner) WHERE state = 0;
        CREATE INDEX IF NOT EXISTS switchboard_streams_by_session ON switchboard_streams (session_id) WHERE state = 0 AND session_id IS NOT NULL;

        CREATE TABLE IF NOT EXISTS switchboard_stream_chunks (
            stream_id bigint NOT NULL,
            end_pos   bigint NOT NULL,
            start_pos bigint NOT NULL,
            data      bytea  NOT NULL,
            PRIMARY KEY (stream_id, end_pos)
        );

        CREATE TABLE IF NOT EXISTS switchboard_stream_producers (
            stream_id bigint NOT NULL,
            producer  text   NOT NULL,
            epoch     bigint NOT NULL,
            last_seq  bigint NOT NULL,
            PRIMARY KEY (stream_id, producer)
        );
        INSERT INTO switchboard_log (id, epoch, head_seq, active_count, fleet_paused)
        VALUES (1, '0123456789abcdef', 0, 0, false)
        ON CONFLICT (id) DO NOTHING;
        """;
}
