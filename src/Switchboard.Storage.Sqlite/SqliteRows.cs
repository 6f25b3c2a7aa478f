using System.Globalization;
using Microsoft.Data.Sqlite;
using Switchboard.Events;
using Switchboard.Json;
using Switchboard.Sessions;

namespace Switchboard.Storage.Sqlite;

/// <summary>Maps sessions and events to and from rows.</summary>
internal static class SqliteRows
{
    /// <summary>The session columns, in <see cref="SessionWire"/>'s order: rows are selected, inserted and bound by position in this order.</summary>
    public static readonly string SessionColumns = SessionFields.StoreColumns;

    public const string EventColumns = "seq, at, type, session_id, data, labels, prior_labels, root_id, tree_path";

    public static Session ReadSession(SqliteDataReader r) => SessionFields.ReadRow(new RowReader(r));

    public static EventRecord ReadEvent(SqliteDataReader r) =>
        new(r.GetInt64(0), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), FromMs(r.GetInt64(1)), (byte[])r.GetValue(4))
        {
            Labels = r.IsDBNull(5) ? null : SessionWire.LabelsFromText(r.GetString(5)),
            PriorLabels = r.IsDBNull(6) ? null : SessionWire.LabelsFromText(r.GetString(6)),
            TreePath = r.IsDBNull(8) ? null : r.GetString(8),
        };

    /// <summary>A labels column: null stays null.</summary>
    public static string? LabelsText(IReadOnlyDictionary<string, string>? labels) =>
        labels is null ? null : SessionWire.LabelsToText(labels);

    /// <summary>
    /// Binds a session row to ?1..?N in the order of <see cref="SessionColumns"/>: all of it for the insert, and for the
    /// update (<paramref name="update"/>) all but the fixed columns, which it does not set.
    /// </summary>
    public static void BindSession(WriterStatement row, Session s, bool update) => SessionFields.WriteRow(row, s, update);

    public static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    /// <summary>Session columns as the descriptor reads them: times are Unix milliseconds, decimals canonical text.</summary>
    private sealed class RowReader(SqliteDataReader r) : ISessionRowReader
    {
        public bool IsNull(int ordinal) => r.IsDBNull(ordinal);
        public string Text(int ordinal) => r.GetString(ordinal);
        public int Int32(int ordinal) => r.GetInt32(ordinal);
        public long Int64(int ordinal) => r.GetInt64(ordinal);
        public decimal Decimal(int ordinal) => decimal.Parse(r.GetString(ordinal), NumberStyles.Number, CultureInfo.InvariantCulture);
        public DateTimeOffset Time(int ordinal) => FromMs(r.GetInt64(ordinal));
        public bool Bool(int ordinal) => r.GetInt64(ordinal) != 0;
    }
}
