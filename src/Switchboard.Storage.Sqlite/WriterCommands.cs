using Microsoft.Data.Sqlite;
using Switchboard.Sessions;
using Switchboard.Storage.Sql;

namespace Switchboard.Storage.Sqlite;

/// <summary>Prepared statements of the writer connection, reused for every write; the per-update ones bound by position.</summary>
internal sealed class WriterCommands : IDisposable
{
    public WriterCommands(SqliteConnection connection)
    {
        Kept = new PreparedCommands(connection);
        SelectSession = Prepare(connection, $"SELECT {SqlDialect.SessionColumns} FROM sessions WHERE id = $id;", "$id");

        // Session rows are bound by column position: ?1 is id, ?2 created_seq, and so on (SessionFields.WriteRow).
        var columns = SqlDialect.SessionColumns.Split(", ");
        InsertSession = new WriterStatement(connection,
            $"INSERT INTO sessions({SqlDialect.SessionColumns}) VALUES ({string.Join(", ", columns.Select((_, i) => $"?{i + 1}"))});");
        UpdateSession = new WriterStatement(connection,
            "UPDATE sessions SET " + string.Join(", ", SessionFields.UpdatedColumns.Select(c => $"{c.Column} = ?{c.Position}")) + " WHERE id = ?1;");
        // SQLite maintains every index whose columns (or whose WHERE's columns) an UPDATE names, changed or not: an update
        // that keeps the state and the lease leaves them out, and with them sessions_by_state, sessions_by_lease and
        // sessions_active_by_tree_path.
        var keeping = SessionFields.UpdatedColumns.Where(c => !IndexedOnUpdate.Contains(c.Column)).ToList();
        UpdateSessionKeepingIndexed = new WriterStatement(connection,
            "UPDATE sessions SET " + string.Join(", ", keeping.Select(c => $"{c.Column} = ?{c.Position}")) + " WHERE id = ?1;",
            unbound: SessionFields.UpdatedColumns.Where(c => IndexedOnUpdate.Contains(c.Column)).Select(c => c.Position - 1));
        InsertEvent = new WriterStatement(connection,
            $"INSERT INTO events({SqlDialect.EventColumns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9);");
        UpdateSubtree = new WriterStatement(connection, TreeSchema.UpdateSubtree);

        SelectHead = Prepare(connection, "SELECT seq FROM sqlite_sequence WHERE name = 'events';");

        WriteLog = Prepare(connection, SqliteDialect.Instance.WriteLogSql, "@head", "@active", "@paused");

        SelectActive = Prepare(connection, "SELECT active FROM usage_active WHERE group_key = $k AND group_value = $v;", "$k", "$v");
        UpsertActive = new WriterStatement(connection,
            "INSERT INTO usage_active(group_key, group_value, active) VALUES (?1, ?2, ?3) ON CONFLICT(group_key, group_value) DO UPDATE SET active = excluded.active;");
        // ?1..?4 the row's key (bucket, group_key, start, group_value), ?5..?12 what the batch adds, in RollupColumns order.
        AddRollup = new WriterStatement(connection,
            $"INSERT INTO usage_rollups(bucket, group_key, start, group_value, {SqlStore.RollupColumns}) " +
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT(bucket, group_key, start, group_value) DO UPDATE SET " +
            "input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens, " +
            "cost_usd = decimal_add(cost_usd, excluded.cost_usd), sessions_created = sessions_created + excluded.sessions_created, " +
            "sessions_terminated = sessions_terminated + excluded.sessions_terminated, sessions_errored = sessions_errored + excluded.sessions_errored, " +
            "busy_ms = busy_ms + excluded.busy_ms, peak_active = max(peak_active, excluded.peak_active);");
        InsertTelemetryKey = new WriterStatement(connection,
            "INSERT INTO telemetry_keys(key, at) VALUES (?1, ?2) ON CONFLICT(key) DO NOTHING;");
        SelectStream = Prepare(connection, "SELECT started, ended, total FROM telemetry_streams WHERE stream = $s;", "$s");
        UpsertStream = new WriterStatement(connection,
            "INSERT INTO telemetry_streams(stream, started, ended, total, at) VALUES (?1, ?2, ?3, ?4, ?5) " +
            "ON CONFLICT(stream) DO UPDATE SET started = excluded.started, ended = excluded.ended, total = excluded.total, at = excluded.at;");
        MoveSession = new WriterStatement(connection, TreeSchema.MoveSession);
        SelectDescendants = Prepare(connection,
            "SELECT id, tree_path FROM sessions WHERE tree_path >= $from AND tree_path < $to ORDER BY tree_path LIMIT $limit;", "$from", "$to", "$limit");
        SelectActiveDescendants = Prepare(connection,
            "SELECT id, tree_path FROM sessions WHERE tree_path >= $from AND tree_path < $to AND state <> 'terminated' " +
            "ORDER BY depth DESC, tree_path LIMIT $limit;", "$from", "$to", "$limit");
        TakeWaits = Prepare(connection, "DELETE FROM telemetry_waits WHERE span = $s RETURNING child;", "$s");
        InsertWait = new WriterStatement(connection, "INSERT INTO telemetry_waits(span, child, at) VALUES (?1, ?2, ?3) ON CONFLICT(span, child) DO NOTHING;");
        InsertSpanOwner = new WriterStatement(connection, "INSERT INTO telemetry_span_owners(span, session_id, at) VALUES (?1, ?2, ?3);");
        _all = [SelectSession, SelectHead, WriteLog, SelectActive, SelectStream, SelectDescendants, SelectActiveDescendants, TakeWaits];
        _statements = [InsertSession, UpdateSession, UpdateSessionKeepingIndexed, InsertEvent, UpdateSubtree, UpsertActive, AddRollup, InsertTelemetryKey, UpsertStream,
            MoveSession, InsertWait, InsertSpanOwner];
    }

    private readonly SqliteCommand[] _all;
    private readonly WriterStatement[] _statements;

    public SqliteCommand SelectSession { get; }
    public WriterStatement InsertSession { get; }
    public WriterStatement UpdateSession { get; }
    /// <summary>A row update for a session whose <see cref="IndexedOnUpdate"/> columns keep their values: it leaves them out.</summary>
    public WriterStatement UpdateSessionKeepingIndexed { get; }

    /// <summary>The updated columns the sessions table's indexes are on or filtered by (SqliteSchema, TreeSchema).</summary>
    private static readonly HashSet<string> IndexedOnUpdate = new(StringComparer.Ordinal) { "state", "lease_expires_at" };
    public WriterStatement InsertEvent { get; }
    /// <summary>Sets an ancestor's subtree totals: ?1 id, ?2..?6 the totals (TreeSchema.UpdateSubtree).</summary>
    public WriterStatement UpdateSubtree { get; }
    /// <summary>Sets the log row (SqlDialect.WriteLogSql).</summary>
    public SqliteCommand WriteLog { get; }
    public SqliteCommand SelectHead { get; }
    public SqliteCommand SelectActive { get; }
    public WriterStatement UpsertActive { get; }
    /// <summary>Adds a batch's usage to a rollup row, creating it where none is.</summary>
    public WriterStatement AddRollup { get; }
    public WriterStatement InsertTelemetryKey { get; }
    public SqliteCommand SelectStream { get; }
    public WriterStatement UpsertStream { get; }
    /// <summary>A session's new place in its tree (TreeSchema.MoveSession).</summary>
    public WriterStatement MoveSession { get; }
    /// <summary>Up to $limit sessions with a path in [$from, $to), in tree order.</summary>
    public SqliteCommand SelectDescendants { get; }
    /// <summary>Up to $limit active sessions with a path in [$from, $to), deepest first.</summary>
    public SqliteCommand SelectActiveDescendants { get; }
    /// <summary>Takes the sessions waiting for span $s (deletes and returns them).</summary>
    public SqliteCommand TakeWaits { get; }
    /// <summary>Records that ?2 waits for span ?1, at ?3.</summary>
    public WriterStatement InsertWait { get; }
    /// <summary>Appends that span ?1 belongs to session ?2, at ?3 (the caller skips a span that has an owner).</summary>
    public WriterStatement InsertSpanOwner { get; }

    /// <summary>Statements run through <see cref="SqlSession"/> (the stream writer's, the alert, command and approval reads and writes), kept by text from one commit to the next.</summary>
    public PreparedCommands Kept { get; }

    public void Bind(SqliteTransaction transaction)
    {
        foreach (var command in _all)
        {
            command.Transaction = transaction;
        }
    }

    public void Dispose()
    {
        Kept.Dispose();
        foreach (var command in _all)
        {
            command.Dispose();
        }

        foreach (var statement in _statements)
        {
            statement.Dispose();
        }
    }

    private static SqliteCommand Prepare(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var p in parameters)
        {
            command.Parameters.Add(new SqliteParameter(p, null));
        }

        command.Prepare();
        return command;
    }
}
