namespace Switchboard.Storage.Postgres;

/// <summary>
/// What the PostgreSQL store names beside its tables (<see cref="PostgresMigrations"/>): the NOTIFY channel, the lock
/// that serialises migrating between nodes, and the log row every write transaction locks first, which is what orders
/// commits by <c>seq</c> (see docs/postgres.md).
/// </summary>
internal static class PostgresSchema
{
    /// <summary>The NOTIFY channel; the payload is the highest <c>seq</c> the transaction committed.</summary>
    public const string Channel = "switchboard_events";

    /// <summary>Serializes migrating between nodes starting at the same time (a session-level advisory lock).</summary>
    public const long MigrateLockKey = 0x5357_4254_4348_0001;

    /// <summary>Creates the log row, and with it the epoch, exactly once per database.</summary>
    public const string CreateLogRow = """
        INSERT INTO switchboard_log (id, epoch, head_seq, active_count, fleet_paused)
        VALUES (1, @epoch, 0, 0, false)
        ON CONFLICT (id) DO NOTHING;
        """;
}
