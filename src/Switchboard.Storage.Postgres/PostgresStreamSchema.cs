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
            created_at      timestamptz NOT NULL
        );
        CREATE INDEX IF NOT EXISTS switchboard_streams_due ON switchboard_streams (due_at) WHERE state = 0 AND due_at IS NOT NULL;
        CREATE INDEX IF NOT EXISTS switchboard_streams_reclaimable ON switchboard_streams (id) WHERE state = 2;
        CREATE INDEX IF NOT EXISTS switchboard_streams_by_owner ON switchboard_streams (owner) WHERE state = 0;

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

    /// <summary>A stream row's columns, in the order <see cref="PostgresStreamRows"/> reads and binds them.</summary>
    public const string Columns =
        "id, path, content_type, tail, closed, closed_producer, closed_epoch, closed_seq, stream_seq, ttl_seconds, expires_at, " +
        "accessed_at, due_at, fork_of, fork_at, forks, state, owner, created_at";

    /// <summary>
    /// Serialises writers of the same paths on every node, existing or not (so two nodes cannot both create one): a
    /// transaction-scoped advisory lock per path, taken in key order so two writers never wait on each other in a circle.
    /// </summary>
    public const string LockPaths =
        "SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended(p, 7) AS k FROM unnest(@paths) AS p ORDER BY 1) AS keys;";

    /// <summary>The streams at @paths, up to @limit live ones due by @now, and their sources, locked in id order.</summary>
    public const string SelectWithSources = $"""
        WITH RECURSIVE
            targets AS (
                SELECT id FROM switchboard_streams WHERE path = ANY(@paths) AND state < 2
                UNION SELECT id FROM (SELECT id FROM switchboard_streams WHERE state = 0 AND due_at IS NOT NULL AND due_at <= @now
                                      ORDER BY due_at LIMIT @limit) AS due),
            chain(id, depth) AS (
                SELECT id, 0 FROM targets
                UNION SELECT s.fork_of, c.depth + 1 FROM chain c JOIN switchboard_streams s ON s.id = c.id WHERE s.fork_of IS NOT NULL AND c.depth < 64)
        SELECT {Columns} FROM switchboard_streams WHERE id IN (SELECT id FROM chain) ORDER BY id FOR UPDATE;
        """;

    /// <summary>The stream at @path (live or soft-deleted) and its sources, nearest first.</summary>
    public const string SelectChain = $"""
        WITH RECURSIVE chain(id, depth) AS (
            SELECT id, 0 FROM switchboard_streams WHERE path = @path AND state < 2
            UNION ALL SELECT s.fork_of, c.depth + 1 FROM chain c JOIN switchboard_streams s ON s.id = c.id WHERE s.fork_of IS NOT NULL AND c.depth < 64)
        SELECT {Columns} FROM chain JOIN switchboard_streams USING (id) ORDER BY chain.depth;
        """;

    public const string UpdateRow =
        "UPDATE switchboard_streams SET path = @path, content_type = @content_type, tail = @tail, closed = @closed, closed_producer = @closed_producer, " +
        "closed_epoch = @closed_epoch, closed_seq = @closed_seq, stream_seq = @stream_seq, ttl_seconds = @ttl_seconds, expires_at = @expires_at, " +
        "accessed_at = @accessed_at, due_at = @due_at, fork_of = @fork_of, fork_at = @fork_at, forks = @forks, state = @state, owner = @owner, " +
        "created_at = @created_at WHERE id = @id;";

    public static readonly string InsertRow =
        $"INSERT INTO switchboard_streams ({Columns}) VALUES ({string.Join(", ", Columns.Split(", ").Select(c => "@" + c))});";

    /// <summary>
    /// The chunks of <paramref name="ranges"/> ranges (parameters @s{i}, @f{i}, @t{i}) in position order that fit @max bytes
    /// (at least one): sizes are summed over at most 4,096 index entries per range before any data is fetched, so the
    /// statement reads no more chunk data than it returns.
    /// </summary>
    public static string SelectChunks(int ranges)
    {
        var parts = Enumerable.Range(0, ranges).Select(i =>
            $"(SELECT stream_id, start_pos, end_pos FROM switchboard_stream_chunks WHERE stream_id = @s{i} AND end_pos > @f{i} AND start_pos < @t{i} " +
            "ORDER BY end_pos LIMIT 4096)");
        return "SELECT c.stream_id, c.start_pos, c.end_pos, c.data FROM (" +
            "SELECT stream_id, end_pos, sum(end_pos - start_pos) OVER (ORDER BY start_pos ROWS UNBOUNDED PRECEDING) - (end_pos - start_pos) AS before " +
            $"FROM ({string.Join(" UNION ALL ", parts)}) AS ranged) AS sized " +
            "JOIN switchboard_stream_chunks c USING (stream_id, end_pos) WHERE sized.before < @max ORDER BY c.start_pos;";
    }
}
