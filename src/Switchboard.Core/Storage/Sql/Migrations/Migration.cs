namespace Switchboard.Core.Storage.Sql.Migrations;

/// <summary>One numbered change of a store's schema: its steps run in one transaction, with the record that it ran.</summary>
internal sealed record Migration(int Version, string Name, IReadOnlyList<MigrationStep> Steps);
