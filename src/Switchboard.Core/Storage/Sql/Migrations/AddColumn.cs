namespace Switchboard.Core.Storage.Sql.Migrations;

/// <summary>A column added to table <paramref name="Table"/> (its name in <see cref="SqlDialect.Table"/>) when it lacks it.</summary>
internal sealed record AddColumn(string Table, Column Column) : MigrationStep
{
    public override async Task ApplyAsync(SqlConnectionScope db)
    {
        var (sql, table) = (db.Sql, db.Sql.Table(Table));
        if (await db.FirstAsync(sql.ColumnExists, r => r.GetInt64(0), ("@table", table), ("@column", Column.Name)) == 0)
        {
            await db.ExecuteAsync($"ALTER TABLE {table} ADD COLUMN {Column.Render(sql)};");
        }
    }
}
