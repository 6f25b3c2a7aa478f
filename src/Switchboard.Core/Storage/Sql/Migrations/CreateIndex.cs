namespace Switchboard.Core.Storage.Sql.Migrations;

/// <summary>
/// An index, created when missing; its name and its table's are given as in <see cref="SqlDialect.Table"/> (so they take
/// the store's prefix). A partial index holds the rows of <paramref name="Where"/>, or those whose boolean column
/// <paramref name="WhereTrue"/> is true (which each database writes its own way).
/// </summary>
internal sealed record CreateIndex(string Name, string Table, string Columns, bool Unique = false, string? Where = null, string? WhereTrue = null)
    : MigrationStep
{
    public string Render(SqlDialect sql)
    {
        var where = Where ?? (WhereTrue is null ? null : sql.IsTrue(WhereTrue));
        return $"CREATE {(Unique ? "UNIQUE " : "")}INDEX IF NOT EXISTS {sql.Table(Name)} ON {sql.Table(Table)} ({Columns}){(where is null ? "" : " WHERE " + where)};";
    }

    public override async Task ApplyAsync(SqlConnectionScope db) => await db.ExecuteAsync(Render(db.Sql));
}
