using System.Data.Common;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage.Sql;

namespace Switchboard.Storage.Postgres;

/// <summary>
/// PostgreSQL's SQL: tables prefixed <c>switchboard_</c> (so the store can share a database), <c>timestamptz</c>,
/// <c>numeric</c>, <c>boolean</c>, arrays with <c>ANY</c>, labels matched by containment on their <c>jsonb</c> form (which
/// the GIN index serves); the head is the log row's.
/// </summary>
internal sealed class PostgresDialect : SqlDialect
{
    public static readonly PostgresDialect Instance = new();

    public override string Table(string name) => "switchboard_" + name;

    public override string HeadSql => "SELECT head_seq FROM switchboard_log WHERE id = 1;";

    public override string BoundsSql => "SELECT head_seq, (SELECT min(seq) FROM switchboard_events) FROM switchboard_log WHERE id = 1;";

    public override string LockRows => " FOR UPDATE";

    public override string True => "true";

    public override string False => "false";

    public override string ColumnType(SqlType type) => type switch
    {
        SqlType.Int16 => "smallint",
        SqlType.Int32 => "integer",
        SqlType.Int64 => "bigint",
        SqlType.Decimal => "numeric",
        SqlType.Bool => "boolean",
        SqlType.Time => "timestamptz",
        SqlType.Bytes => "bytea",
        SqlType.Path => "text COLLATE \"C\"",
        _ => "text",
    };

    public override string IsTrue(string column) => column;

    /// <remarks>In the connection's current schema (its Search Path), where the store's tables are.</remarks>
    public override string ColumnExists =>
        "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @table AND column_name = @column;";

    public override string DecimalSum(string a, string b) => $"{a} + {b}";

    public override string Greatest(string a, string b) => $"GREATEST({a}, {b})";

    public override object Time(DateTimeOffset value) => value.ToUniversalTime();

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    public override decimal ReadDecimal(DbDataReader reader, int ordinal) => reader.GetDecimal(ordinal);

    public override bool ReadBool(DbDataReader reader, int ordinal) => reader.GetBoolean(ordinal);

    public override string In(string column, string parameter) => $"{column} = ANY({parameter})";

    public override object List(IEnumerable<string> values) => values.ToArray();

    /// <remarks>Two arrays of equal length, zipped by <c>unnest</c>.</remarks>
    public override (string From, (string Name, object? Value)[] Args) PairTable(IReadOnlyCollection<(long Id, string Name)> pairs, string alias) =>
        ($"unnest(CAST(@pair_ids AS bigint[]), CAST(@pair_names AS text[])) AS {alias}(id, name)",
            [("@pair_ids", pairs.Select(p => p.Id).ToArray()), ("@pair_names", pairs.Select(p => p.Name).ToArray())]);

    public override string LabelValue(string keyParameter) => $"(labels::jsonb ->> CAST({keyParameter} AS text))";

    public override string JsonText(string column, string name) => $"({column}::json ->> '{name}')";

    public override string LabelsMatch(IReadOnlyDictionary<string, string> labels, List<(string Name, object? Value)> args)
    {
        args.Add(("@labels", SessionWire.LabelsToText(labels)));
        return "(labels::jsonb) @> (@labels)::jsonb";
    }
}
