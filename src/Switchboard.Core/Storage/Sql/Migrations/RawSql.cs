namespace Switchboard.Core.Storage.Sql.Migrations;

/// <summary>
/// What only one store says: its own table shapes (SQLite's AUTOINCREMENT, PostgreSQL's log row), and data moves. Run
/// when <paramref name="When"/> is null or its one value is true (not null, not 0); so it, too, can run again harmlessly.
/// </summary>
internal sealed record RawSql(string Sql, string? When = null) : MigrationStep
{
    public override async Task ApplyAsync(SqlConnectionScope db)
    {
        if (When is null || await db.FirstAsync(When, r => !r.IsDBNull(0) && Convert.ToBoolean(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)))
        {
            await db.ExecuteAsync(Sql);
        }
    }
}
