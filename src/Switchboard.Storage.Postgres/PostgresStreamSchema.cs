namespace Switchboard.Storage.Postgres;

/// <summary>
/// What durable streams say only in PostgreSQL (their tables are <see cref="PostgresMigrations"/>'): the channel that
/// carries advances to every node's live readers, and the lock on the paths a write touches.
/// </summary>
internal static class PostgresStreamSchema
{
    /// <summary>The NOTIFY channel of stream advances: <c>id:tail:closed:ended</c> entries separated by <c>;</c>.</summary>
    public const string Channel = "switchboard_streams";

    /// <summary>
    /// Serialises writers of the same paths on every node, existing or not (so two nodes cannot both create one): a
    /// transaction-scoped advisory lock per path, taken in key order so two writers never wait on each other in a circle.
    /// </summary>
    public const string LockPaths =
        "SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended(p, 7) AS k FROM unnest(@paths) AS p ORDER BY 1) AS keys;";
}
