using System.Text.RegularExpressions;
using Switchboard.Testing;

namespace Switchboard.Server.Tests;

/// <summary>Core is the domain: its errors say what was wrong in domain terms, and the HTTP routes stay in the server.</summary>
public sealed partial class CoreLayerTests
{
    [Fact]
    public void CoreSourceNamesNoHttpRoute()
    {
        var core = Path.Combine(RepoPaths.Root, "src", "Switchboard.Core");
        var offenders = Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line)))
            .Where(x => ApiRoute().IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(core, x.f)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();

        offenders.ShouldBeEmpty("routes belong to the HTTP layer (Switchboard.Server.Responses.HttpFixes adds them to problems)");
    }

    [GeneratedRegex(@"/api/")]
    private static partial Regex ApiRoute();
}
