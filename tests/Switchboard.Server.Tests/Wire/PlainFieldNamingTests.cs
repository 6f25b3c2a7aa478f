using Switchboard.Testing;

namespace Switchboard.Server.Tests.Wire;

/// <summary>
/// A plain session field is declared once: measured on <c>tasks_running</c>, the only hand-written files that name it are
/// its declaration (<c>SessionWire.cs</c>, compiled into Core and the client) and the places that use it for something
/// of their own: the fleet summary that sums it (with its OpenAPI record), and on the client the summary it reads and
/// the handle's shortcut. Its session, request, binding and store column members are generated (not in these files): a
/// record, validator, reader, writer or schema that named it again would fail this.
/// </summary>
public sealed class PlainFieldNamingTests
{
    [Fact]
    public void TheRunningTasksAreNamedOnlyWhereTheyAreDeclaredStoredAndSummed() =>
        Naming("Switchboard.Core", "Switchboard.Server", "Switchboard.Storage.Sqlite", "Switchboard.Storage.Postgres")
            .ShouldBe(["FleetContracts.cs", "FleetSummary.cs", "SessionWire.cs"]);

    [Fact]
    public void TheClientNamesTheRunningTasksOnlyInItsSummaryAndItsShortcut() =>
        Naming("Switchboard.Client").ShouldBe(["SessionHandle.cs", "Summary.cs", "WireJson.cs"]);

    private static List<string> Naming(params string[] projects)
    {
        var sep = Path.DirectorySeparatorChar;
        return [.. projects
            .SelectMany(p => Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "src", p), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{sep}bin{sep}", StringComparison.Ordinal) && !f.Contains($"{sep}obj{sep}", StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f) is var text
                && (text.Contains("tasks_running", StringComparison.OrdinalIgnoreCase) || text.Contains("TasksRunning", StringComparison.OrdinalIgnoreCase)))
            .Select(f => Path.GetFileName(f))
            .Order(StringComparer.Ordinal)];
    }
}
