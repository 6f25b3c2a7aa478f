using System.Globalization;
using Microsoft.Data.Sqlite;
using Switchboard.Events;
using Switchboard.Json;
using Switchboard.Sessions;

namespace Switchboard.Storage.Sqlite;

/// <summary>Maps sessions and events to and from rows.</summary>
internal static class SqliteRows
{
    public const string SessionColumns =
        "id, created_seq, state, name, labels, metadata, error_message, input_tokens, output_tokens, cost_usd, " +
        "tasks_running, lease_seconds, lease_expires_at, created_at, updated_at, terminated_at, version";

    public const string EventColumns = "seq, at, type, session_id, data, labels, prior_labels";

    public static Session ReadSession(SqliteDataReader r) => new()
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
        CostUsd = decimal.Parse(r.GetString(9), NumberStyles.Number, CultureInfo.InvariantCulture),
        TasksRunning = r.GetInt32(10),
        LeaseSeconds = r.IsDBNull(11) ? null : r.GetInt32(11),
        LeaseExpiresAt = r.IsDBNull(12) ? null : FromMs(r.GetInt64(12)),
        CreatedAt = FromMs(r.GetInt64(13)),
        UpdatedAt = FromMs(r.GetInt64(14)),
        TerminatedAt = r.IsDBNull(15) ? null : FromMs(r.GetInt64(15)),
        Version = r.GetInt64(16),
    };

    public static EventRecord ReadEvent(SqliteDataReader r) =>
        new(r.GetInt64(0), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), FromMs(r.GetInt64(1)), (byte[])r.GetValue(4))
        {
            Labels = r.IsDBNull(5) ? null : SessionJson.LabelsFromText(r.GetString(5)),
            PriorLabels = r.IsDBNull(6) ? null : SessionJson.LabelsFromText(r.GetString(6)),
        };

    /// <summary>A labels column: null stays null.</summary>
    public static object LabelsValue(IReadOnlyDictionary<string, string>? labels) =>
        labels is null ? DBNull.Value : SessionJson.LabelsToText(labels);

    public static void BindSession(SqliteParameterCollection p, Session s)
    {
        p["$id"].Value = s.Id;
        p["$created_seq"].Value = s.CreatedSeq;
        p["$state"].Value = s.State.ToWire();
        p["$name"].Value = (object?)s.Name ?? DBNull.Value;
        p["$labels"].Value = SessionJson.LabelsToText(s.Labels);
        p["$metadata"].Value = s.Metadata;
        p["$error_message"].Value = (object?)s.ErrorMessage ?? DBNull.Value;
        p["$input_tokens"].Value = s.InputTokens;
        p["$output_tokens"].Value = s.OutputTokens;
        p["$cost_usd"].Value = Decimals.Normalize(s.CostUsd).ToString(CultureInfo.InvariantCulture);
        p["$tasks_running"].Value = s.TasksRunning;
        p["$lease_seconds"].Value = (object?)s.LeaseSeconds ?? DBNull.Value;
        p["$lease_expires_at"].Value = s.LeaseExpiresAt is { } l ? l.ToUnixTimeMilliseconds() : DBNull.Value;
        p["$created_at"].Value = s.CreatedAt.ToUnixTimeMilliseconds();
        p["$updated_at"].Value = s.UpdatedAt.ToUnixTimeMilliseconds();
        p["$terminated_at"].Value = s.TerminatedAt is { } t ? t.ToUnixTimeMilliseconds() : DBNull.Value;
        p["$version"].Value = s.Version;
    }

    public static void AddSessionParameters(SqliteCommand command)
    {
        foreach (var name in SessionColumns.Split(", "))
        {
            command.Parameters.Add(new SqliteParameter("$" + name, null));
        }
    }

    public static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
