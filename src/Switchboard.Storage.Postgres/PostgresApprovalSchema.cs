namespace Switchboard.Storage.Postgres;

/// <summary>
/// The approvals table: one row per approval, its JSON in <c>data</c> and the columns its queries need. Created when
/// missing, so a database from before approvals gains it at the first start. The expiry index holds only pending ones.
/// Beside it, each approval's Slack message (ISlackStore): which node posts and updates it, and where it went.
/// </summary>
internal static class PostgresApprovalSchema
{
    public const string Create = """
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
        CREATE TABLE IF NOT EXISTS switchboard_slack_messages (
            approval_id text        PRIMARY KEY,
            posted_by   text        NOT NULL,
            channel     text,
            ts          text,
            updated_by  text,
            updated_at  timestamptz
        );
        CREATE INDEX IF NOT EXISTS switchboard_slack_messages_open ON switchboard_slack_messages (approval_id) WHERE updated_at IS NULL;
        """;
}
