using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage.Sql;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// SQLite's SQL: times are Unix milliseconds, decimals canonical text, booleans 0 and 1, lists JSON arrays read with
/// <c>json_each</c>, labels a JSON object read with <c>json_extract</c>; the head is AUTOINCREMENT's counter.
/// </summary>
internal sealed class SqliteDialect : SqlDialect
{
    public static readonly SqliteDialect Instance = new();

    public override string Table(string name) => name == "usage" ? "usage_rollups" : name;

    public override string HeadSql => "SELECT seq FROM sqlite_sequence WHERE name = 'events';";

    public override string BoundsSql => "SELECT (SELECT seq FROM sqlite_sequence WHERE name = 'events'), (SELECT MIN(seq) FROM events);";

    /// <summary>Blobs of at least this many bytes are left out of the row and read from their pages (<see cref="OpenBlob"/>).</summary>
    public const int LargeBlob = 64 * 1024;

    /// <remarks>
    /// A blob in a result row is first copied whole into memory SQLite allocates, and Microsoft.Data.Sqlite then copies it
    /// into an array of its own; a large one is instead named by its rowid and read by incremental blob I/O straight into
    /// the caller's buffer.
    /// </remarks>
    public override string BlobColumns(string alias, string column, string size) =>
        $"CASE WHEN {size} < {LargeBlob} THEN {alias}.{column} END, CASE WHEN {size} >= {LargeBlob} THEN {alias}.rowid END";

    public override Stream OpenBlob(DbConnection connection, string table, string column, long handle) =>
        new SqliteBlob((SqliteConnection)connection, table, column, handle, readOnly: true);

    public override string True => "1";

    public override string False => "0";

    public override string ColumnType(SqlType type) => type switch
    {
        SqlType.Int16 or SqlType.Int32 or SqlType.Int64 or SqlType.Bool or SqlType.Time => "INTEGER",
        SqlType.Bytes => "BLOB",
        _ => "TEXT", // decimals too: canonical text; and paths, which SQLite compares by bytes
    };

    protected override string DecimalLiteral(decimal value) => $"'{value.ToString(CultureInfo.InvariantCulture)}'";

    public override string WithoutRowId => " WITHOUT ROWID";

    public override string ColumnExists => "SELECT COUNT(*) FROM pragma_table_info(@table) WHERE name = @column;";

    /// <remarks>Decimals are canonical text: added by the writer connection's <c>decimal_add</c> (SqliteSessionStore).</remarks>
    public override string DecimalSum(string a, string b) => $"decimal_add({a}, {b})";

    public override string Greatest(string a, string b) => $"max({a}, {b})";

    public override object Time(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    public override decimal ReadDecimal(DbDataReader reader, int ordinal) =>
        decimal.Parse(reader.GetString(ordinal), NumberStyles.Number, CultureInfo.InvariantCulture);

    public override bool ReadBool(DbDataReader reader, int ordinal) => reader.GetInt64(ordinal) != 0;

    public override string In(string column, string parameter) => $"{column} IN (SELECT value FROM json_each({parameter}))";

    public override object List(IEnumerable<string> values) => SqliteJsonArrays.Strings(values);

    /// <remarks>One JSON array of <c>[id, name]</c> pairs, read with <c>json_each</c>.</remarks>
    public override (string From, (string Name, object? Value)[] Args) PairTable(IReadOnlyCollection<(long Id, string Name)> pairs, string alias) =>
        ($"(SELECT value ->> 0 AS id, value ->> 1 AS name FROM json_each(@pairs)) AS {alias}",
            [("@pairs", SqliteJsonArrays.Pairs(pairs))]);

    public override string LabelValue(string keyParameter) => $"json_extract(labels, '$.' || json_quote({keyParameter}))";

    public override string JsonText(string column, string name) => $"json_extract({column}, '$.{name}')";

    public override string LabelsMatch(IReadOnlyDictionary<string, string> labels, List<(string Name, object? Value)> args)
    {
        var conditions = new List<string>();
        foreach (var (key, value) in labels)
        {
            // Keys are restricted to [A-Za-z0-9._:/-], so quoting them in the JSON path is safe.
            var i = args.Count;
            conditions.Add($"json_extract(labels, @lp{i}) = @lv{i}");
            args.Add(($"@lp{i}", $"$.\"{key}\""));
            args.Add(($"@lv{i}", value));
        }

        return string.Join(" AND ", conditions);
    }
}
