namespace Switchboard.Core.Storage.Sql.Migrations;

/// <summary>
/// A column of a <see cref="CreateTable"/> or an <see cref="AddColumn"/>. A column added to rows that exist must be
/// nullable or have a <paramref name="Default"/> (a bool, number, decimal or string; the dialect writes its literal).
/// </summary>
internal sealed record Column(string Name, SqlType Type, bool Nullable = false, object? Default = null, bool Unique = false)
{
    /// <summary>The column's definition; <paramref name="primaryKey"/> when it alone is the table's key (then no NOT NULL, as SQLite reads it).</summary>
    public string Render(SqlDialect sql, bool primaryKey = false) =>
        $"{Name} {sql.ColumnType(Type)}"
        + (primaryKey ? " PRIMARY KEY" : "")
        + (Unique ? " UNIQUE" : "")
        + (Nullable || primaryKey ? "" : " NOT NULL")
        + (Default is null ? "" : " DEFAULT " + sql.Literal(Type, Default));
}
