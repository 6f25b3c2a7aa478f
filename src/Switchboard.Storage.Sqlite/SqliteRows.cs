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
    public static string? LabelsText(IReadOnlyDictionary<string, string>? labels) =>
        labels is null ? null : SessionJson.LabelsToText(labels);

    /// <summary>Binds a session row to ?1..?17 in the order of <see cref="SessionColumns"/>.</summary>
    public static void BindSession(WriterStatement row, Session s)
    {
        row.Bind(1, s.Id);
        row.Bind(2, s.CreatedSeq);
        row.Bind(3, s.State.ToWire());
        row.Bind(4, s.Name);
        row.Bind(5, SessionJson.LabelsToText(s.Labels));
        row.Bind(6, s.Metadata);
        row.Bind(7, s.ErrorMessage);
        row.Bind(8, s.InputTokens);
        row.Bind(9, s.OutputTokens);
        row.Bind(10, Decimals.Normalize(s.CostUsd).ToString(CultureInfo.InvariantCulture));
        row.Bind(11, s.TasksRunning);
        row.Bind(12, s.LeaseSeconds);
        row.Bind(13, s.LeaseExpiresAt?.ToUnixTimeMilliseconds());
        row.Bind(14, s.CreatedAt.ToUnixTimeMilliseconds());
        row.Bind(15, s.UpdatedAt.ToUnixTimeMilliseconds());
        row.Bind(16, s.TerminatedAt?.ToUnixTimeMilliseconds());
        row.Bind(17, s.Version);
    }

    public static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
