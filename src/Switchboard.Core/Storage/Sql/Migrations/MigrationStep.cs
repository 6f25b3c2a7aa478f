namespace Switchboard.Core.Storage.Sql.Migrations;

/// <summary>
/// One change of a <see cref="Migration"/>, run in its transaction. Every step can run again harmlessly (it checks
/// before it changes), which is what lets a database made before migrations were recorded pass through the baseline.
/// </summary>
internal abstract record MigrationStep
{
    public abstract Task ApplyAsync(SqlConnectionScope db);
}
