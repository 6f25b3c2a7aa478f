namespace Switchboard.Storage.Sqlite;

/// <summary>
/// The commands table: one row per command, its JSON in <c>data</c> and the columns its queries need. The partial
/// indexes hold only outstanding commands, so a producer's write that finds none for its session costs one probe.
/// </summary>
internal static class SqliteCommandSchema
{
    public const string Create = """
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
        """;

}
