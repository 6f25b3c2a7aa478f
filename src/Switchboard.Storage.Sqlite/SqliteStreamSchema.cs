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
        """;
}
