using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Switchboard.Core.Events;
using Switchboard.Core.Json;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.UsageRollups;
using Switchboard.Core.Writes;

namespace Switchboard.Storage.Postgres;

/// <summary>
/// A <see cref="PersistPlan"/>'s row operations as commands of one <see cref="NpgsqlBatch"/>: the whole plan is one round
/// trip (reading rows is <see cref="PostgresDialect"/>'s).
/// </summary>
internal sealed class PostgresRows(NpgsqlBatch batch) : IPersistRows
{
    private static readonly Switchboard.Core.Storage.Sql.SqlStatements Shared = PostgresStatements.Shared;

    public void WriteSession(Session session, bool isNew)
    {
        var c = new NpgsqlBatchCommand(PostgresStatements.UpsertSession);
        SessionFields.WriteRow(new RowWriter(c.Parameters), session);
        batch.BatchCommands.Add(c);
    }

    public void WriteSubtree(Session s) => batch.BatchCommands.Add(Command(Shared.UpdateSubtree, ("id", s.Id), ("sessions", s.Subtree.Sessions),
        ("active", s.Subtree.Active), ("input", s.Subtree.InputTokens), ("output", s.Subtree.OutputTokens), ("cost", SessionWire.Normalize(s.Subtree.CostUsd))));

    public void MoveSession(Session s) => batch.BatchCommands.Add(Command(Shared.MoveSession,
        ("id", s.Id), ("parent", s.ParentId!), ("root", s.RootId), ("depth", s.Depth), ("path", s.TreePath)));

    public void AppendEvent(EventRecord e)
    {
        var c = new NpgsqlBatchCommand(Shared.InsertEvent);
        var p = c.Parameters;
        p.Add(new NpgsqlParameter<long>("seq", e.Seq));
        p.Add(new NpgsqlParameter<DateTimeOffset>("at", e.At.ToUniversalTime()));
        p.Add(new NpgsqlParameter<string>("type", e.Type));
        p.Add(Nullable("session_id", NpgsqlDbType.Text, e.SessionId));
        p.Add(new NpgsqlParameter<byte[]>("data", e.Data.ToArray()));
        p.Add(Nullable("labels", NpgsqlDbType.Text, e.Labels is null ? null : SessionWire.LabelsToText(e.Labels)));
        p.Add(Nullable("prior_labels", NpgsqlDbType.Text, e.PriorLabels is null ? null : SessionWire.LabelsToText(e.PriorLabels)));
        p.Add(Nullable("root_id", NpgsqlDbType.Text, Switchboard.Core.Trees.TreePath.EventRoot(e.TreePath)));
        p.Add(Nullable("tree_path", NpgsqlDbType.Text, e.TreePath));
        batch.BatchCommands.Add(c);
    }

    public void SetActiveCount(string key, string value, long count) =>
        batch.BatchCommands.Add(Command(Shared.SetActiveCount, ("k", key), ("v", value), ("n", count)));

    public void AddRollup(UsageKey k, UsageCounters d) => batch.BatchCommands.Add(Command(Shared.AddRollup,
        ("b", k.Bucket.ToWire()), ("k", k.GroupKey), ("s", k.Start), ("v", k.GroupValue), ("in", d.InputTokens), ("out", d.OutputTokens),
        ("cost", d.CostUsd), ("created", d.SessionsCreated), ("terminated", d.SessionsTerminated), ("errored", d.SessionsErrored),
        ("busy", d.BusyMilliseconds), ("peak", d.PeakActive)));

    public void WriteLog(LogHead head) => batch.BatchCommands.Add(Command(Shared.WriteLog,
        ("head", head.HeadSeq), ("active", head.ActiveCount), ("paused", head.FleetPaused)));

    /// <summary>Tells every node's listener the new head once committed.</summary>
    public void Notify(long head) => batch.BatchCommands.Add(Command(PostgresStatements.Notify,
        ("channel", PostgresSchema.Channel), ("payload", head.ToString(CultureInfo.InvariantCulture))));

    /// <summary>A statement with typed parameters (arrays of strings bind as <c>text[]</c>).</summary>
    public static NpgsqlBatchCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(value switch
            {
                string s => new NpgsqlParameter<string>(name, s),
                string[] a => new NpgsqlParameter<string[]>(name, a),
                long l => new NpgsqlParameter<long>(name, l),
                long[] a => new NpgsqlParameter<long[]>(name, a),
                int i => new NpgsqlParameter<int>(name, i),
                bool b => new NpgsqlParameter<bool>(name, b),
                decimal d => new NpgsqlParameter<decimal>(name, d),
                decimal[] a => new NpgsqlParameter<decimal[]>(name, a),
                DateTimeOffset t => new NpgsqlParameter<DateTimeOffset>(name, t.ToUniversalTime()),
                _ => throw new ArgumentException($"No PostgreSQL type for parameter '{name}' ({value.GetType().Name}).", nameof(parameters)),
            });
        }

        return command;
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
