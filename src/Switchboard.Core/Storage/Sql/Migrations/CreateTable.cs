namespace Switchboard.Core.Storage.Sql.Migrations;

/// <summary>
/// A table, created when missing, named by its name in <see cref="SqlDialect.Table"/>. A one-column key is written on
/// its column; <paramref name="WithoutRowId"/> asks SQLite to cluster the rows by their key (other stores always do).
/// </summary>
internal sealed record CreateTable(string Name, Column[] Columns, string[] PrimaryKey, bool WithoutRowId = false) : MigrationStep
{
    public string Render(SqlDialect sql)
    {
        var single = PrimaryKey.Length == 1 ? PrimaryKey[0] : null;
        var lines = Columns.Select(c => c.Render(sql, primaryKey: c.Name == single)).ToList();
        if (PrimaryKey.Length > 1)
        {
            lines.Add($"PRIMARY KEY ({string.Join(", ", PrimaryKey)})");
        }

        return $"CREATE TABLE IF NOT EXISTS {sql.Table(Name)} (\n    {string.Join(",\n    ", lines)}\n){(WithoutRowId ? sql.WithoutRowId : "")};";
    }

    public override async Task ApplyAsync(SqlConnectionScope db) => await db.ExecuteAsync(Render(db.Sql));
}
