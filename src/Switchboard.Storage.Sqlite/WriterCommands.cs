using Microsoft.Data.Sqlite;
using Switchboard.Sessions;

namespace Switchboard.Storage.Sqlite;

/// <summary>Prepared statements of the writer connection, reused for every write; the per-update ones bound by position.</summary>
internal sealed class WriterCommands : IDisposable
{
    public WriterCommands(SqliteConnection connection)
    {
        SelectSession = Prepare(connection, $"SELECT {SqliteRows.SessionColumns} FROM sessions WHERE id = $id;", "$id");

        // Session rows are bound by column position: ?1 is id, ?2 created_seq, and so on (SqliteRows.BindSession).
        var columns = SqliteRows.SessionColumns.Split(", ");
        InsertSession = new WriterStatement(connection,
            $"INSERT INTO sessions({SqliteRows.SessionColumns}) VALUES ({string.Join(", ", columns.Select((_, i) => $"?{i + 1}"))});");
        UpdateSession = new WriterStatement(connection,
            "UPDATE sessions SET " + string.Join(", ", SessionFields.UpdatedColumns.Select(c => $"{c.Column} = ?{c.Position}")) + " WHERE id = ?1;");
        InsertEvent = new WriterStatement(connection,
            $"INSERT INTO events({SqliteRows.EventColumns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9);");
        UpdateSubtree = new WriterStatement(connection, TreeSchema.UpdateSubtree);
        SelectSubtree = Prepare(connection, TreeSchema.SelectSubtree, "$from", "$to");

        SelectHead = Prepare(connection, "SELECT seq FROM sqlite_sequence WHERE name = 'events';");

        SetMeta = Prepare(connection,
            "INSERT INTO meta(key, value) VALUES ($k, $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value;", "$k", "$v");

        SelectActive = Prepare(connection, "SELECT active FROM usage_active WHERE group_key = $k AND group_value = $v;", "$k", "$v");
        UpsertActive = new WriterStatement(connection,
            "INSERT INTO usage_active(group_key, group_value, active) VALUES (?1, ?2, ?3) ON CONFLICT(group_key, group_value) DO UPDATE SET active = excluded.active;");
        SelectRollup = Prepare(connection,
            $"SELECT {SqliteSessionStore.RollupColumns} FROM usage_rollups WHERE bucket = $b AND group_key = $k AND start = $s AND group_value = $v;",
            "$b", "$k", "$s", "$v");
        // ?1..?4 the row's key (bucket, group_key, start, group_value), ?5..?12 its counters in RollupColumns order.
        WriteRollup = new WriterStatement(connection,
            $"INSERT OR REPLACE INTO usage_rollups(bucket, group_key, start, group_value, {SqliteSessionStore.RollupColumns}) " +
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12);");
        InsertTelemetryKey = new WriterStatement(connection,
            "INSERT INTO telemetry_keys(key, at, session_id) VALUES (?1, ?2, ?3) ON CONFLICT(key) DO NOTHING;");
        SelectStream = Prepare(connection, "SELECT started, ended, total FROM telemetry_streams WHERE stream = $s;", "$s");
        UpsertStream = new WriterStatement(connection,
            "INSERT INTO telemetry_streams(stream, started, ended, total, at) VALUES (?1, ?2, ?3, ?4, ?5) " +
            "ON CONFLICT(stream) DO UPDATE SET started = excluded.started, ended = excluded.ended, total = excluded.total, at = excluded.at;");
        MoveSession = new WriterStatement(connection, TreeSchema.MoveSession);
        TakeWaits = Prepare(connection, "DELETE FROM telemetry_waits WHERE span = $s RETURNING child;", "$s");
        SelectKeySession = Prepare(connection, "SELECT session_id FROM telemetry_keys WHERE key = $k;", "$k");
        InsertWait = new WriterStatement(connection, "INSERT INTO telemetry_waits(span, child, at) VALUES (?1, ?2, ?3) ON CONFLICT(span, child) DO NOTHING;");
    }

    public SqliteCommand SelectSession { get; }
    public WriterStatement InsertSession { get; }
    public WriterStatement UpdateSession { get; }
    public WriterStatement InsertEvent { get; }
    /// <summary>Sets an ancestor's subtree totals: ?1 id, ?2..?6 the totals (TreeSchema.UpdateSubtree).</summary>
    public WriterStatement UpdateSubtree { get; }
    /// <summary>The sessions with a tree path in [$from, $to): a subtree below a session (TreeSchema.SelectSubtree).</summary>
    public SqliteCommand SelectSubtree { get; }
    public SqliteCommand SetMeta { get; }
    public SqliteCommand SelectHead { get; }
    public SqliteCommand SelectActive { get; }
    public WriterStatement UpsertActive { get; }
    public SqliteCommand SelectRollup { get; }
    public WriterStatement WriteRollup { get; }
    public WriterStatement InsertTelemetryKey { get; }
    public SqliteCommand SelectStream { get; }
    public WriterStatement UpsertStream { get; }
    /// <summary>A session's new place in its tree (TreeSchema.MoveSession).</summary>
    public WriterStatement MoveSession { get; }
    /// <summary>Takes the sessions waiting for span $s (deletes and returns them).</summary>
    public SqliteCommand TakeWaits { get; }
    /// <summary>The session of the record with dedupe key $k (TelemetryLinks.ProbeKeys).</summary>
    public SqliteCommand SelectKeySession { get; }
    /// <summary>Records that ?2 waits for span ?1, at ?3.</summary>
    public WriterStatement InsertWait { get; }

    public SqliteTransaction? Transaction { get; private set; }

    public void Bind(SqliteTransaction transaction)
    {
        Transaction = transaction;
        SelectSession.Transaction = transaction;
        SelectSubtree.Transaction = transaction;
        SetMeta.Transaction = transaction;
        SelectHead.Transaction = transaction;
        SelectActive.Transaction = transaction;
        SelectRollup.Transaction = transaction;
        SelectStream.Transaction = transaction;
        TakeWaits.Transaction = transaction;
        SelectKeySession.Transaction = transaction;
    }

    public void Dispose()
    {
        SelectSession.Dispose();
        InsertSession.Dispose();
        UpdateSession.Dispose();
        InsertEvent.Dispose();
        UpdateSubtree.Dispose();
        SelectSubtree.Dispose();
        SetMeta.Dispose();
        SelectHead.Dispose();
        SelectActive.Dispose();
        UpsertActive.Dispose();
        SelectRollup.Dispose();
        WriteRollup.Dispose();
        InsertTelemetryKey.Dispose();
        SelectStream.Dispose();
        UpsertStream.Dispose();
        MoveSession.Dispose();
        TakeWaits.Dispose();
        SelectKeySession.Dispose();
        InsertWait.Dispose();
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
