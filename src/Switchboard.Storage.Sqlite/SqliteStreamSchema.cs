namespace Switchboard.Storage.Sqlite;

/// <summary>
/// Durable streams: one row per stream incarnation, its appends as chunks keyed by the position they end at, and the
/// idempotent producers' states. Times are milliseconds since the Unix epoch. Chunks live in a rowid table because their
/// blobs are large (up to an append's limit); the index on their end position covers a read's range scan.
/// </summary>
internal static class SqliteStreamSchema
{
    public const string Create = """
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
            created_at      INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS streams_due ON streams(due_at) WHERE state = 0 AND due_at IS NOT NULL;
        CREATE INDEX IF NOT EXISTS streams_reclaimable ON streams(id) WHERE state = 2;
        CREATE INDEX IF NOT EXISTS streams_by_owner ON streams(owner) WHERE state = 0;

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
        """;

    /// <summary>A stream row's columns, in the order <see cref="SqliteStreamRows"/> reads and binds them.</summary>
    public const string Columns =
        "id, path, content_type, tail, closed, closed_producer, closed_epoch, closed_seq, stream_seq, ttl_seconds, expires_at, " +
        "accessed_at, due_at, fork_of, fork_at, forks, state, owner, created_at";

    /// <summary>
    /// The streams a lock takes: those at the paths (a JSON array in $paths), up to $limit live ones due by $now, and
    /// every stream they were forked from.
    /// </summary>
    public const string SelectWithSources = $"""
        WITH RECURSIVE
            targets(id) AS (
                SELECT id FROM streams WHERE path IN (SELECT value FROM json_each($paths)) AND state < 2
                UNION SELECT id FROM (SELECT id FROM streams WHERE state = 0 AND due_at IS NOT NULL AND due_at <= $now ORDER BY due_at LIMIT $limit)),
            chain(id, depth) AS (
                SELECT id, 0 FROM targets
                UNION SELECT s.fork_of, c.depth + 1 FROM chain c JOIN streams s ON s.id = c.id WHERE s.fork_of IS NOT NULL AND c.depth < 64)
        SELECT {Columns} FROM streams WHERE id IN (SELECT id FROM chain);
        """;

    /// <summary>The stream at $path (live or soft-deleted) and its sources, nearest first.</summary>
    public const string SelectChain = $"""
        WITH RECURSIVE chain(id, depth) AS (
            SELECT id, 0 FROM streams WHERE path = $path AND state < 2
            UNION ALL SELECT s.fork_of, c.depth + 1 FROM chain c JOIN streams s ON s.id = c.id WHERE s.fork_of IS NOT NULL AND c.depth < 64)
        SELECT {Columns} FROM chain JOIN streams USING (id) ORDER BY chain.depth;
        """;
}
