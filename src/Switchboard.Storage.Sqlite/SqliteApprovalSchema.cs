namespace Switchboard.Storage.Sqlite;

/// <summary>
/// The approvals table: one row per approval, its JSON in <c>data</c> and the columns its queries need. Created when
/// missing, so a data directory from before approvals gains it at its first start. The expiry index holds only pending ones.
/// Beside it, each approval's Slack message (ISlackStore): which node posts and updates it, and where it went.
/// </summary>
internal static class SqliteApprovalSchema
{
    public const string Create = """
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
        CREATE TABLE IF NOT EXISTS slack_messages (
            approval_id TEXT PRIMARY KEY,
            posted_by   TEXT NOT NULL,
            channel     TEXT,
            ts          TEXT,
            updated_by  TEXT,
            updated_at  INTEGER
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS slack_messages_open ON slack_messages(approval_id) WHERE updated_at IS NULL;
        """;
}
