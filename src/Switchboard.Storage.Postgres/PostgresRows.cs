using Npgsql;
using NpgsqlTypes;
using Switchboard.Events;
using Switchboard.Json;
using Switchboard.Sessions;
using Switchboard.Storage.Sql;

namespace Switchboard.Storage.Postgres;

/// <summary>Session and event rows as parameters of PostgreSQL's statements (reading them is <see cref="PostgresDialect"/>'s).</summary>
internal static class PostgresRows
{
    private static readonly string SessionColumns = SqlDialect.SessionColumns;

    /// <summary>Inserts a session or replaces every column of the existing row but the fixed ones (the row is locked by then).</summary>
    public static readonly string UpsertSession =
        $"INSERT INTO switchboard_sessions ({SessionColumns}) VALUES ({string.Join(", ", SessionColumns.Split(", ").Select(c => "@" + c))}) " +
        "ON CONFLICT (id) DO UPDATE SET " +
        string.Join(", ", SessionFields.UpdatedColumns.Select(c => $"{c.Column} = EXCLUDED.{c.Column}")) + ";";

    public const string InsertEvent =
        $"INSERT INTO switchboard_events ({SqlDialect.EventColumns}) VALUES (@seq, @at, @type, @session_id, @data, @labels, @prior_labels, @root_id, @tree_path);";

    public static NpgsqlBatchCommand Upsert(Session s)
    {
        var c = new NpgsqlBatchCommand(UpsertSession);
        SessionFields.WriteRow(new RowWriter(c.Parameters), s);
        return c;
    }

    public static NpgsqlBatchCommand Insert(EventRecord e)
    {
        var c = new NpgsqlBatchCommand(InsertEvent);
        var p = c.Parameters;
        p.Add(new NpgsqlParameter<long>("seq", e.Seq));
        p.Add(new NpgsqlParameter<DateTimeOffset>("at", e.At.ToUniversalTime()));
        p.Add(new NpgsqlParameter<string>("type", e.Type));
        p.Add(Nullable("session_id", NpgsqlDbType.Text, e.SessionId));
        p.Add(new NpgsqlParameter<byte[]>("data", e.Data.ToArray()));
        p.Add(Nullable("labels", NpgsqlDbType.Text, e.Labels is null ? null : SessionWire.LabelsToText(e.Labels)));
        p.Add(Nullable("prior_labels", NpgsqlDbType.Text, e.PriorLabels is null ? null : SessionWire.LabelsToText(e.PriorLabels)));
        p.Add(Nullable("root_id", NpgsqlDbType.Text, Trees.TreePath.EventRoot(e.TreePath)));
        p.Add(Nullable("tree_path", NpgsqlDbType.Text, e.TreePath));
        return c;
    }

    private static NpgsqlParameter Nullable(string name, NpgsqlDbType type, object? value) =>
        new(name, type) { Value = value ?? DBNull.Value };

    /// <summary>Session columns as named parameters, typed so values are not boxed (NULLs aside).</summary>
    private sealed class RowWriter(NpgsqlParameterCollection p) : ISessionRowWriter
    {
        public void Text(int ordinal, string column, string? value) =>
            p.Add(value is null ? Nullable(column, NpgsqlDbType.Text, null) : new NpgsqlParameter<string>(column, value));

        public void Int32(int ordinal, string column, int? value) =>
            p.Add(value is { } v ? new NpgsqlParameter<int>(column, v) : Nullable(column, NpgsqlDbType.Integer, null));

        public void Int64(int ordinal, string column, long value) => p.Add(new NpgsqlParameter<long>(column, value));

        public void Decimal(int ordinal, string column, decimal value) => p.Add(new NpgsqlParameter<decimal>(column, value));

        public void Time(int ordinal, string column, DateTimeOffset? value) =>
            p.Add(value is { } v ? new NpgsqlParameter<DateTimeOffset>(column, v.ToUniversalTime()) : Nullable(column, NpgsqlDbType.TimestampTz, null));

        public void Bool(int ordinal, string column, bool value) => p.Add(new NpgsqlParameter<bool>(column, value));
    }
}
