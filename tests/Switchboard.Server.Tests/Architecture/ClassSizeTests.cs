using System.Text.RegularExpressions;
using Switchboard.Testing;

namespace Switchboard.Server.Tests.Architecture;

/// <summary>
/// No type in <c>src/</c> is over 800 lines counted over all its partial files: partials split a file by concern, they
/// do not make a big class small. Read from the source: a file's lines belong to the top-level type declared above
/// them (its usings to the first), and partial declarations of one name in one project and namespace add up.
/// </summary>
public sealed partial class ClassSizeTests
{
    private const int MaxLines = 800;

    [Fact]
    public void NoTypeIsOver800LinesCountedOverItsPartialFiles()
    {
        var tooBig = LinesByType().Where(t => t.Value > MaxLines)
            .Select(t => $"{t.Key}: {t.Value} lines").ToList();

        tooBig.ShouldBeEmpty("split the type by concern into types that own their state");
    }

    [Fact]
    public void PartialFilesOfOneTypeAddUp()
    {
        var lines = LinesByType();

        lines.Count.ShouldBeGreaterThan(300, "the check reads the whole source tree");
        lines["Switchboard.Client/Switchboard.Client.SwitchboardClient"].ShouldBeGreaterThan(500, "nine partial files");
    }

    private static Dictionary<string, int> LinesByType()
    {
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var src = Path.Combine(RepoPaths.Root, "src");
        foreach (var file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(src, file).Split(Path.DirectorySeparatorChar);
            if (relative.Contains("obj") || relative.Contains("bin"))
            {
                continue;
            }

            var ns = "";
            string? type = null;
            var before = 0;
            foreach (var line in File.ReadLines(file))
            {
                if (Namespace().Match(line) is { Success: true } n)
                {
                    ns = n.Groups[1].Value;
                }

                if (TopLevelType().Match(line) is { Success: true } t)
                {
                    var first = type is null;
                    type = $"{relative[0]}/{ns}.{t.Groups[1].Value}";
                    lines[type] = lines.GetValueOrDefault(type) + (first ? before : 0);
                }

                if (type is null)
                {
                    before++;
                }
                else
                {
                    lines[type]++;
                }
            }
        }

        return lines;
    }

    [GeneratedRegex(@"^namespace\s+([\w.]+)")]
    private static partial Regex Namespace();

    // Top level means at column 0: the source uses file-scoped namespaces, so a nested type is indented and counts for its parent.
    [GeneratedRegex(@"^(?:(?:public|internal|file|static|sealed|abstract|readonly|partial|unsafe|ref)\s+)*(?:record\s+struct|record\s+class|class|record|struct|interface|enum)\s+(\w+)")]
    private static partial Regex TopLevelType();
}
