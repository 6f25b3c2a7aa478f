using Npgsql;
using NpgsqlTypes;
using Switchboard.Events;
using Switchboard.Json;
using Switchboard.Sessions;

namespace Switchboard.Storage.Postgres;

/// <summary>Maps sessions and events to and from rows.</summary>
internal static class PostgresRows
{
    public const string SessionColumns =
        "id, created_seq, state, name, labels, metadata, error_message, input_tokens, output_tokens, cost_usd, " +
        "tasks_running, lease_seconds, lease_expires_at, created_at, updated_at, terminated_at, version";

    public const string EventColumns = "seq, at, type, session_id, data, labels, prior_labels";

    /// <summary>Inserts a session or replaces every column of the existing row (the row is locked by then).</summary>
    public static readonly string UpsertSession =
        $"INSERT INTO switchboard_sessions ({SessionColumns}) VALUES ({string.Join(", ", SessionColumns.Split(", ").Select(c => "@" + c))}) " +
        "ON CONFLICT (id) DO UPDATE SET " +
        string.Join(", ", SessionColumns.Split(", ").Skip(1).Select(c => $"{c} = EXCLUDED.{c}")) + ";";

    public const string InsertEvent =
        $"INSERT INTO switchboard_events ({EventColumns}) VALUES (@seq, @at, @type, @session_id, @data, @labels, @prior_labels);";

    public static Session ReadSession(NpgsqlDataReader r) => new()
    {
        Id = r.GetString(0),
        CreatedSeq = r.GetInt64(1),
        State = SessionStates.TryParse(r.GetString(2), out var state) ? state : throw new InvalidDataException($"Unknown state '{r.GetString(2)}'."),
        Name = r.IsDBNull(3) ? null : r.GetString(3),
        Labels = SessionJson.LabelsFromText(r.GetString(4)),
        Metadata = r.GetString(5),
        ErrorMessage = r.IsDBNull(6) ? null : r.GetString(6),
        InputTokens = r.GetInt64(7),
        OutputTokens = r.GetInt64(8),
        CostUsd = Decimals.Normalize(r.GetDecimal(9)),
        TasksRunning = r.GetInt32(10),
        LeaseSeconds = r.IsDBNull(11) ? null : r.GetInt32(11),
        LeaseExpiresAt = r.IsDBNull(12) ? null : r.GetFieldValue<DateTimeOffset>(12),
        CreatedAt = r.GetFieldValue<DateTimeOffset>(13),
        UpdatedAt = r.GetFieldValue<DateTimeOffset>(14),
        TerminatedAt = r.IsDBNull(15) ? null : r.GetFieldValue<DateTimeOffset>(15),
        Version = r.GetInt64(16),
    };

    /// <summary>Events read back carry no <see cref="EventRecord.Session"/>; the server derives it from the data.</summary>
    public static EventRecord ReadEvent(NpgsqlDataReader r) =>
        new(r.GetInt64(0), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetFieldValue<DateTimeOffset>(1), r.GetFieldValue<byte[]>(4))
        {
            Labels = r.IsDBNull(5) ? null : SessionJson.LabelsFromText(r.GetString(5)),
            PriorLabels = r.IsDBNull(6) ? null : SessionJson.LabelsFromText(r.GetString(6)),
        };

    public static NpgsqlBatchCommand Upsert(Session s)
    {
        var c = new NpgsqlBatchCommand(UpsertSession);
        var p = c.Parameters;
        p.Add(new NpgsqlParameter<string>("id", s.Id));
        p.Add(new NpgsqlParameter<long>("created_seq", s.CreatedSeq));
        p.Add(new NpgsqlParameter<string>("state", s.State.ToWire()));
        p.Add(Nullable("name", NpgsqlDbType.Text, s.Name));
        p.Add(new NpgsqlParameter<string>("labels", SessionJson.LabelsToText(s.Labels)));
        p.Add(new NpgsqlParameter<string>("metadata", s.Metadata));
        p.Add(Nullable("error_message", NpgsqlDbType.Text, s.ErrorMessage));
        p.Add(new NpgsqlParameter<long>("input_tokens", s.InputTokens));
        p.Add(new NpgsqlParameter<long>("output_tokens", s.OutputTokens));
        p.Add(new NpgsqlParameter<decimal>("cost_usd", Decimals.Normalize(s.CostUsd)));
        p.Add(new NpgsqlParameter<int>("tasks_running", s.TasksRunning));
        p.Add(Nullable("lease_seconds", NpgsqlDbType.Integer, s.LeaseSeconds));
        p.Add(Nullable("lease_expires_at", NpgsqlDbType.TimestampTz, s.LeaseExpiresAt?.ToUniversalTime()));
        p.Add(new NpgsqlParameter<DateTimeOffset>("created_at", s.CreatedAt.ToUniversalTime()));
        p.Add(new NpgsqlParameter<DateTimeOffset>("updated_at", s.UpdatedAt.ToUniversalTime()));
        p.Add(Nullable("terminated_at", NpgsqlDbType.TimestampTz, s.TerminatedAt?.ToUniversalTime()));
        p.Add(new NpgsqlParameter<long>("version", s.Version));
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
        p.Add(Nullable("labels", NpgsqlDbType.Text, e.Labels is null ? null : SessionJson.LabelsToText(e.Labels)));
        p.Add(Nullable("prior_labels", NpgsqlDbType.Text, e.PriorLabels is null ? null : SessionJson.LabelsToText(e.PriorLabels)));
        return c;
    }

    private static NpgsqlParameter Nullable(string name, NpgsqlDbType type, object? value) =>
        new(name, type) { Value = value ?? DBNull.Value };
}
