using System.Data.Common;
using System.Globalization;
using Switchboard.Core.Events;
using Switchboard.Core.Sessions;

namespace Switchboard.Core.Storage.Sql;

/// <summary>
/// What one database's SQL says differently: its table names, how it keeps times, decimals, booleans and lists, how it
/// filters JSON labels, and where the log's head is. Everything else a store reads is written once, in
/// <see cref="SqlStore"/>, with <c>@name</c> parameters both providers take.
/// </summary>
internal abstract class SqlDialect
{
    public const string EventColumns = "seq, at, type, session_id, data, labels, prior_labels, root_id, tree_path";

    /// <summary>The session columns, in <see cref="SessionWire"/>'s order.</summary>
    public static readonly string SessionColumns = SessionFields.StoreColumns;

    /// <summary>The store's name for a table: <c>sessions</c>, <c>events</c>, <c>alerts</c>, <c>alert_rules</c>, <c>commands</c>, <c>webhooks</c>, <c>usage</c>.</summary>
    public abstract string Table(string name);

    private SqlStatements? _statements;

    /// <summary>The write statements that differ between databases only by this dialect's names and functions.</summary>
    public SqlStatements Statements => _statements ??= new SqlStatements(this);

    /// <summary>The exact sum of two decimal columns or values as the database keeps them.</summary>
    public abstract string DecimalSum(string a, string b);

    /// <summary>The larger of two integers.</summary>
    public abstract string Greatest(string a, string b);

    /// <summary>A statement of one row and column: the log's head seq.</summary>
    public abstract string HeadSql { get; }

    /// <summary>A statement of one row: the head seq and the lowest retained seq (null when the log is empty).</summary>
    public abstract string BoundsSql { get; }

    /// <summary>What a SELECT ends with to lock the rows it reads until the transaction ends (nothing where one writer serialises every write).</summary>
    public virtual string LockRows => "";

    /// <summary>
    /// Two columns for the blob <paramref name="column"/> of <paramref name="alias"/>'s row, whose size is
    /// <paramref name="size"/>: the bytes, and a handle for <see cref="OpenBlob"/> to stream them instead. Where the
    /// driver reads every blob well, the bytes and no handle.
    /// </summary>
    public virtual string BlobColumns(string alias, string column, string size) => $"{alias}.{column}, NULL";

    /// <summary>Opens the blob a handle column of <see cref="BlobColumns"/> names, in the transaction of <paramref name="connection"/>.</summary>
    public virtual Stream OpenBlob(DbConnection connection, string table, string column, long handle) =>
        throw new NotSupportedException($"{GetType().Name} reads blobs in their rows.");

    /// <summary>
    /// A FROM item named <paramref name="alias"/> with a row <c>(id, name)</c> for each of <paramref name="pairs"/>, and
    /// the arguments it binds: one statement text whatever the number of pairs, so a driver can reuse its plan.
    /// </summary>
    public abstract (string From, (string Name, object? Value)[] Args) PairTable(IReadOnlyCollection<(long Id, string Name)> pairs, string alias);

    /// <summary>The literal a boolean column compares with for true.</summary>
    public abstract string True { get; }

    /// <summary>A time as a parameter value.</summary>
    public abstract object Time(DateTimeOffset value);

    public abstract DateTimeOffset ReadTime(DbDataReader reader, int ordinal);

    public abstract decimal ReadDecimal(DbDataReader reader, int ordinal);

    public abstract bool ReadBool(DbDataReader reader, int ordinal);

    /// <summary>The condition that <paramref name="column"/> is one of the list in parameter <paramref name="parameter"/>.</summary>
    public abstract string In(string column, string parameter);

    /// <summary>A list of strings as the parameter value <see cref="In"/> reads.</summary>
    public abstract object List(IEnumerable<string> values);

    /// <summary>The condition that a session's labels hold every one of <paramref name="labels"/>, with its parameters added to <paramref name="args"/>.</summary>
    public abstract string LabelsMatch(IReadOnlyDictionary<string, string> labels, List<(string Name, object? Value)> args);

    /// <summary>The value of a session's label whose key is in parameter <paramref name="keyParameter"/>, NULL where it has none.</summary>
    public abstract string LabelValue(string keyParameter);

    /// <summary>The text of member <paramref name="name"/> (a fixed name) of the JSON object in text column <paramref name="column"/>, NULL where it has none.</summary>
    public abstract string JsonText(string column, string name);

    /// <summary>The store's column type for values of <paramref name="type"/>.</summary>
    public abstract string ColumnType(SqlType type);

    /// <summary>The literal false, as <see cref="True"/>.</summary>
    public abstract string False { get; }

    /// <summary>A column's default <paramref name="value"/> (a bool, number, decimal or string) as a literal of <paramref name="type"/>.</summary>
    public string Literal(SqlType type, object value) => value switch
    {
        bool b => b ? True : False,
        string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
        decimal d when type == SqlType.Decimal => DecimalLiteral(d),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => throw new ArgumentException($"A default of {value.GetType().Name} has no literal.", nameof(value)),
    };

    /// <summary>A decimal column's literal.</summary>
    protected virtual string DecimalLiteral(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The condition that boolean <paramref name="column"/> is true, as a partial index reads it.</summary>
    public virtual string IsTrue(string column) => $"{column} = {True}";

    /// <summary>What a CREATE TABLE ends with for a table clustered by its key, where the database needs asking.</summary>
    public virtual string WithoutRowId => "";

    /// <summary>A statement of one row and column: 1 when table <c>@table</c> has column <c>@column</c>, else 0.</summary>
    public abstract string ColumnExists { get; }

    public Session ReadSession(DbDataReader reader) => SessionFields.ReadRow(new RowReader(reader, this));

    /// <summary>An event row of <see cref="EventColumns"/>; it carries no <see cref="EventRecord.Session"/> (derived from its data).</summary>
    public EventRecord ReadEvent(DbDataReader r) =>
        new(r.GetInt64(0), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), ReadTime(r, 1), r.GetFieldValue<byte[]>(4))
        {
            Labels = r.IsDBNull(5) ? null : SessionWire.LabelsFromText(r.GetString(5)),
            PriorLabels = r.IsDBNull(6) ? null : SessionWire.LabelsFromText(r.GetString(6)),
            TreePath = r.IsDBNull(8) ? null : r.GetString(8),
        };

    private sealed class RowReader(DbDataReader r, SqlDialect sql) : ISessionRowReader
    {
        public bool IsNull(int ordinal) => r.IsDBNull(ordinal);
        public string Text(int ordinal) => r.GetString(ordinal);
        public int Int32(int ordinal) => r.GetInt32(ordinal);
        public long Int64(int ordinal) => r.GetInt64(ordinal);
        public decimal Decimal(int ordinal) => sql.ReadDecimal(r, ordinal);
        public DateTimeOffset Time(int ordinal) => sql.ReadTime(r, ordinal);
        public bool Bool(int ordinal) => sql.ReadBool(r, ordinal);
    }
}
