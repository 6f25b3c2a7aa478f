using Switchboard.Core.Sessions;
using Switchboard.Core.Storage.Sql;

namespace Switchboard.Storage.Postgres;

/// <summary>
/// The SQL text of PostgreSQL's write transaction, in one place. What is PostgreSQL's own is here: a round trip binds
/// arrays and reads them with <c>unnest</c>, the first one locks the log row, the commit notifies the other nodes; the
/// statements that are the same on SQLite are <see cref="Shared"/>, rendered through <see cref="PostgresDialect"/>.
/// </summary>
internal static class PostgresStatements
{
    public static readonly SqlStatements Shared = PostgresDialect.Instance.Statements;

    /// <summary>Every writer on every node queues here first: seq order is commit order.</summary>
    public const string LockLog = "SELECT head_seq, active_count, fleet_paused FROM switchboard_log WHERE id = 1 FOR UPDATE;";

    public const string InsertTelemetryKeys =
        "INSERT INTO switchboard_telemetry_keys (key, at) SELECT k, @at FROM unnest(@keys) AS t(k) ON CONFLICT (key) DO NOTHING RETURNING key;";

    public const string ReadMetricStreams = "SELECT stream, started, ended, total FROM switchboard_telemetry_streams WHERE stream = ANY(@ids);";

    public const string WriteMetricStreams =
        "INSERT INTO switchboard_telemetry_streams (stream, started, ended, total, at) " +
        "SELECT s, b, e, t, @at FROM unnest(@streams, @starts, @ends, @totals) AS u(s, b, e, t) " +
        "ON CONFLICT (stream) DO UPDATE SET started = excluded.started, ended = excluded.ended, total = excluded.total, at = excluded.at;";

    public const string WriteSpanOwners =
        "INSERT INTO switchboard_telemetry_span_owners (span, session_id, at) SELECT s, o, @at FROM unnest(@spans, @owners) AS t(s, o) " +
        "ON CONFLICT (span) DO NOTHING;";

    public const string ReadSpanOwners = "SELECT span, session_id FROM switchboard_telemetry_span_owners WHERE span = ANY(@spans) AND at >= @since;";

    public const string TakeWaits = "DELETE FROM switchboard_telemetry_waits WHERE span = ANY(@spans) RETURNING span, child;";

    public const string WriteWaits =
        "INSERT INTO switchboard_telemetry_waits (span, child, at) SELECT s, c, @at FROM unnest(@spans, @children) AS t(s, c) " +
        "ON CONFLICT (span, child) DO NOTHING;";

    /// <summary>One statement in id order: one fixed lock order across the whole group commit, so no two writers deadlock.</summary>
    public static readonly string LockSessions =
        $"SELECT {SqlDialect.SessionColumns} FROM switchboard_sessions WHERE id = ANY(@ids) ORDER BY id FOR UPDATE;";

    public const string ReadActiveCounts =
        "SELECT a.k, a.v, u.active FROM unnest(@keys, @values) AS a(k, v) JOIN switchboard_usage_active u ON u.group_key = a.k AND u.group_value = a.v;";

    /// <summary>Inserts a session or replaces every column of the existing row but the fixed ones (the row is locked by then).</summary>
    public static readonly string UpsertSession =
        $"INSERT INTO switchboard_sessions ({SqlDialect.SessionColumns}) VALUES ({string.Join(", ", SqlDialect.SessionColumns.Split(", ").Select(c => "@" + c))}) " +
        "ON CONFLICT (id) DO UPDATE SET " +
        string.Join(", ", SessionFields.UpdatedColumns.Select(c => $"{c.Column} = EXCLUDED.{c.Column}")) + ";";

    /// <summary>NOTIFY is transactional: it is delivered on commit, in commit order, carrying only the position.</summary>
    public const string Notify = "SELECT pg_notify(@channel, @payload);";
}
