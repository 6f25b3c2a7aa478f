using Microsoft.Data.Sqlite;

namespace Switchboard.Storage.Sqlite;

/// <summary>Prepared statements of the writer connection, reused for every write.</summary>
internal sealed class WriterCommands : IDisposable
{
    public WriterCommands(SqliteConnection connection)
    {
        SelectSession = Prepare(connection, $"SELECT {SqliteRows.SessionColumns} FROM sessions WHERE id = $id;", "$id");

        InsertSession = connection.CreateCommand();
        InsertSession.CommandText =
            $"INSERT INTO sessions({SqliteRows.SessionColumns}) VALUES (${SqliteRows.SessionColumns.Replace(", ", ", $")});";
        SqliteRows.AddSessionParameters(InsertSession);
        InsertSession.Prepare();

        UpdateSession = connection.CreateCommand();
        UpdateSession.CommandText = "UPDATE sessions SET " +
            string.Join(", ", SqliteRows.SessionColumns.Split(", ").Skip(1).Select(c => $"{c} = ${c}")) + " WHERE id = $id;";
        SqliteRows.AddSessionParameters(UpdateSession);
        UpdateSession.Prepare();

        InsertEvent = Prepare(connection,
            $"INSERT INTO events({SqliteRows.EventColumns}) VALUES ($seq, $at, $type, $session_id, $data, $labels, $prior_labels);",
            "$seq", "$at", "$type", "$session_id", "$data", "$labels", "$prior_labels");

        SelectHead = Prepare(connection, "SELECT seq FROM sqlite_sequence WHERE name = 'events';");

        SetMeta = Prepare(connection,
            "INSERT INTO meta(key, value) VALUES ($k, $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value;", "$k", "$v");

        SelectActive = Prepare(connection, "SELECT active FROM usage_active WHERE group_key = $k AND group_value = $v;", "$k", "$v");
        UpsertActive = Prepare(connection,
            "INSERT INTO usage_active(group_key, group_value, active) VALUES ($k, $v, $n) ON CONFLICT(group_key, group_value) DO UPDATE SET active = excluded.active;",
            "$k", "$v", "$n");
        SelectRollup = Prepare(connection,
            $"SELECT {SqliteSessionStore.RollupColumns} FROM usage_rollups WHERE bucket = $b AND group_key = $k AND start = $s AND group_value = $v;",
            "$b", "$k", "$s", "$v");
        WriteRollup = Prepare(connection,
            $"INSERT OR REPLACE INTO usage_rollups(bucket, group_key, start, group_value, {SqliteSessionStore.RollupColumns}) " +
            "VALUES ($b, $k, $s, $v, $in, $out, $cost, $created, $terminated, $errored, $busy, $peak);",
            "$b", "$k", "$s", "$v", "$in", "$out", "$cost", "$created", "$terminated", "$errored", "$busy", "$peak");
    }

    public SqliteCommand SelectSession { get; }
    public SqliteCommand InsertSession { get; }
    public SqliteCommand UpdateSession { get; }
    public SqliteCommand InsertEvent { get; }
    public SqliteCommand SetMeta { get; }
    public SqliteCommand SelectHead { get; }
    public SqliteCommand SelectActive { get; }
    public SqliteCommand UpsertActive { get; }
    public SqliteCommand SelectRollup { get; }
    public SqliteCommand WriteRollup { get; }

    public SqliteTransaction? Transaction { get; private set; }

    public void Bind(SqliteTransaction transaction)
    {
        Transaction = transaction;
        SelectSession.Transaction = transaction;
        InsertSession.Transaction = transaction;
        UpdateSession.Transaction = transaction;
        InsertEvent.Transaction = transaction;
        SetMeta.Transaction = transaction;
        SelectHead.Transaction = transaction;
        SelectActive.Transaction = transaction;
        UpsertActive.Transaction = transaction;
        SelectRollup.Transaction = transaction;
        WriteRollup.Transaction = transaction;
    }

    public void Dispose()
    {
        SelectSession.Dispose();
        InsertSession.Dispose();
        UpdateSession.Dispose();
        InsertEvent.Dispose();
        SetMeta.Dispose();
        SelectHead.Dispose();
        SelectActive.Dispose();
        UpsertActive.Dispose();
        SelectRollup.Dispose();
        WriteRollup.Dispose();
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
