using Microsoft.Data.Sqlite;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage.Sql;

namespace Switchboard.Storage.Sqlite;

/// <summary>Prepared statements of the writer connection, reused for every write; the per-update ones bound by position.</summary>
internal sealed class WriterStatements : IDisposable
{
    public WriterStatements(SqliteConnection connection)
    {
        Kept = new PreparedStatements(connection);
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
        var shared = SqliteDialect.Instance.Statements;
        InsertEvent = new WriterStatement(connection, shared.InsertEvent, null,
            "@seq", "@at", "@type", "@session_id", "@data", "@labels", "@prior_labels", "@root_id", "@tree_path");
        UpdateSubtree = new WriterStatement(connection, shared.UpdateSubtree, null, "@sessions", "@active", "@input", "@output", "@cost", "@id");

        SelectHead = Prepare(connection, SqliteDialect.Instance.HeadSql);

        WriteLog = new WriterStatement(connection, shared.WriteLog, null, "@head", "@active", "@paused");

        SelectActive = Prepare(connection, "SELECT active FROM usage_active WHERE group_key = $k AND group_value = $v;", "$k", "$v");
        UpsertActive = new WriterStatement(connection, shared.SetActiveCount, null, "@k", "@v", "@n");
        // 1..4 the row's key (bucket, group_key, start, group_value), 5..12 what the batch adds, in RollupColumns order.
        AddRollup = new WriterStatement(connection, shared.AddRollup, null,
            "@b", "@k", "@s", "@v", "@in", "@out", "@cost", "@created", "@terminated", "@errored", "@busy", "@peak");
        InsertTelemetryKey = new WriterStatement(connection,
            "INSERT INTO telemetry_keys(key, at) VALUES (?1, ?2) ON CONFLICT(key) DO NOTHING;");
        SelectStream = Prepare(connection, "SELECT started, ended, total FROM telemetry_streams WHERE stream = $s;", "$s");
        UpsertStream = new WriterStatement(connection,
            "INSERT INTO telemetry_streams(stream, started, ended, total, at) VALUES (?1, ?2, ?3, ?4, ?5) " +
            "ON CONFLICT(stream) DO UPDATE SET started = excluded.started, ended = excluded.ended, total = excluded.total, at = excluded.at;");
        MoveSession = new WriterStatement(connection, shared.MoveSession, null, "@parent", "@root", "@depth", "@path", "@id");
        SelectDescendants = Prepare(connection, shared.Descendants, "@from", "@to", "@limit");
        SelectActiveDescendants = Prepare(connection, shared.ActiveDescendants, "@from", "@to", "@limit");
        TakeWaits = Prepare(connection, "DELETE FROM telemetry_waits WHERE span = $s RETURNING child;", "$s");
        InsertWait = new WriterStatement(connection, "INSERT INTO telemetry_waits(span, child, at) VALUES (?1, ?2, ?3) ON CONFLICT(span, child) DO NOTHING;");
        InsertSpanOwner = new WriterStatement(connection, "INSERT INTO telemetry_span_owners(span, session_id, at) VALUES (?1, ?2, ?3);");
        _all = [SelectSession, SelectHead, SelectActive, SelectStream, SelectDescendants, SelectActiveDescendants, TakeWaits];
        _statements = [InsertSession, UpdateSession, UpdateSessionKeepingIndexed, InsertEvent, UpdateSubtree, WriteLog, UpsertActive, AddRollup, InsertTelemetryKey, UpsertStream,
            MoveSession, InsertWait, InsertSpanOwner];
    }

    /// <summary>The newest span owners since <c>$since</c>, at most <c>$cap</c>, oldest first (<see cref="SqliteSpanOwners.Load"/>).</summary>
    public const string LoadSpanOwners = "SELECT span, session_id, at FROM (SELECT rowid AS n, span, session_id, at FROM telemetry_span_owners " +
        "WHERE at >= $since ORDER BY rowid DESC LIMIT $cap) ORDER BY n;";

    /// <summary>Every span some session waits for (<see cref="SqliteSpanWaits.Load"/>).</summary>
    public const string LoadWaitedSpans = "SELECT DISTINCT span FROM telemetry_waits;";

    /// <summary>The sessions not terminated, counted when the log row is behind the file's events.</summary>
    public const string CountActive = "SELECT COUNT(*) FROM sessions WHERE state <> 'terminated';";

    private readonly SqliteCommand[] _all;
    private readonly WriterStatement[] _statements;

    public SqliteCommand SelectSession { get; }
    public WriterStatement InsertSession { get; }
    public WriterStatement UpdateSession { get; }
    /// <summary>A row update for a session whose <see cref="IndexedOnUpdate"/> columns keep their values: it leaves them out.</summary>
    public WriterStatement UpdateSessionKeepingIndexed { get; }

    /// <summary>The updated columns the sessions table's indexes are on or filtered by (SharedSchema).</summary>
    private static readonly HashSet<string> IndexedOnUpdate = new(StringComparer.Ordinal) { "state", "lease_expires_at" };
    public WriterStatement InsertEvent { get; }
    /// <summary>Sets an ancestor's subtree totals: 1..5 the totals, 6 the id (SqlStatements.UpdateSubtree).</summary>
    public WriterStatement UpdateSubtree { get; }
    /// <summary>Sets the log row (SqlStatements.WriteLog).</summary>
    public WriterStatement WriteLog { get; }
    public SqliteCommand SelectHead { get; }
    public SqliteCommand SelectActive { get; }
    public WriterStatement UpsertActive { get; }
    /// <summary>Adds a batch's usage to a rollup row, creating it where none is.</summary>
    public WriterStatement AddRollup { get; }
    public WriterStatement InsertTelemetryKey { get; }
    public SqliteCommand SelectStream { get; }
    public WriterStatement UpsertStream { get; }
    /// <summary>A session's new place in its tree: 1 parent, 2 root, 3 depth, 4 path, 5 id (SqlStatements.MoveSession).</summary>
    public WriterStatement MoveSession { get; }
    /// <summary>Up to @limit sessions with a path in [@from, @to), in tree order.</summary>
    public SqliteCommand SelectDescendants { get; }
    /// <summary>Up to @limit active sessions with a path in [@from, @to), deepest first.</summary>
    public SqliteCommand SelectActiveDescendants { get; }
    /// <summary>Takes the sessions waiting for span $s (deletes and returns them).</summary>
    public SqliteCommand TakeWaits { get; }
    /// <summary>Records that ?2 waits for span ?1, at ?3.</summary>
    public WriterStatement InsertWait { get; }
    /// <summary>Appends that span ?1 belongs to session ?2, at ?3 (the caller skips a span that has an owner).</summary>
    public WriterStatement InsertSpanOwner { get; }

    /// <summary>Statements run through <see cref="SqlConnectionScope"/> (the stream writer's, the alert, command and approval reads and writes), kept by text from one commit to the next.</summary>
    public PreparedStatements Kept { get; }

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
