namespace Switchboard.Storage.Postgres;

/// <summary>
/// The commands table: one row per command, its JSON in <c>data</c> and the columns its queries need. The partial
/// indexes hold only outstanding commands, so a producer's write that finds none for its session costs one probe.
/// </summary>
internal static class PostgresCommandSchema
{
    public const string Create = """
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
        """;

}
