using Switchboard.Testing;

namespace Switchboard.Server.Tests.Wire;

/// <summary>
/// A plain session field is declared once: measured on <c>tasks_running</c>, the only files of Core, the server and the
/// stores that name it are its declaration, the domain record, the two store schemas and the fleet summary that sums it
/// (with the summary's OpenAPI record). A request record, a validator or a write processor that named it again would
/// fail this.
/// </summary>
public sealed class PlainFieldNamingTests
{
    [Fact]
    public void TheRunningTasksAreNamedOnlyWhereTheyAreDeclaredHeldStoredAndSummed()
    {
        string[] projects = ["Switchboard.Core", "Switchboard.Server", "Switchboard.Storage.Sqlite", "Switchboard.Storage.Postgres"];
        var naming = projects
            .SelectMany(p => Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "src", p), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Where(f => File.ReadAllText(f) is var text && (text.Contains("tasks_running", StringComparison.OrdinalIgnoreCase) || text.Contains("TasksRunning", StringComparison.OrdinalIgnoreCase)))
            .Select(f => Path.GetFileName(f))
            .Order(StringComparer.Ordinal)
            .ToList();

        naming.ShouldBe(["Contracts.cs", "FleetSummary.cs", "PostgresSchema.cs", "Session.cs", "SessionWire.cs", "SqliteSchema.cs"]);
    }
}
