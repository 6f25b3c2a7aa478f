namespace Switchboard.Storage.Postgres;

/// <summary>
/// Durable streams in PostgreSQL: one row per stream incarnation, its appends as chunks keyed by the position they end
/// at, and the idempotent producers' states. <see cref="Channel"/> carries advances to every node's live readers.
/// </summary>
internal static class PostgresStreamSchema
{
    /// <summary>The NOTIFY channel of stream advances: <c>id:tail:closed:ended</c> entries separated by <c>;</c>.</summary>
    public const string Channel = "switchboard_streams";

    public const string Create = """
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
        """;

    /// <summary>
    /// Serialises writers of the same paths on every node, existing or not (so two nodes cannot both create one): a
    /// transaction-scoped advisory lock per path, taken in key order so two writers never wait on each other in a circle.
    /// </summary>
    public const string LockPaths =
        "SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended(p, 7) AS k FROM unnest(@paths) AS p ORDER BY 1) AS keys;";
}
