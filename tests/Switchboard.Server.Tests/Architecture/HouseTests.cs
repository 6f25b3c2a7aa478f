using System.Text.RegularExpressions;
using Switchboard.Testing;

namespace Switchboard.Server.Tests.Architecture;

/// <summary>
/// A reader who knows a feature's name knows its folder, its namespace and its files (docs/architecture.md, "The rooms"):
/// every source file's namespace is its assembly's name and its folder, and no class hides its size in partial files
/// (at most 800 lines counted over all of them). Read from the source tree, so a new file is checked the day it is added.
/// </summary>
public sealed partial class HouseTests
{
    private const int MaxClassLines = 800;

    // The one convention that overrides the folder: extension methods on ASP.NET Core's builders live in the namespace of
    // the type they extend (AddSwitchboard on IServiceCollection, MapSwitchboard on IEndpointRouteBuilder…), and so does
    // the builder AddSwitchboard returns, as ASP.NET Core's own IHealthChecksBuilder does.
    // A compiler polyfill of the netstandard2.0 generator (IsExternalInit) must be in the namespace the compiler looks in.
    private static bool IsConventionalNamespace(string ns, string file) =>
        (ns.StartsWith("System.", StringComparison.Ordinal) && file.Contains("Switchboard.Generators", StringComparison.Ordinal))
        || (ns.StartsWith("Microsoft.", StringComparison.Ordinal)
            && (file.EndsWith("Extensions.cs", StringComparison.Ordinal) || (Path.GetFileName(file).StartsWith('I') && file.EndsWith("Builder.cs", StringComparison.Ordinal))));

    private static readonly string Src = Path.Combine(RepoPaths.Root, "src");

    [Fact]
    public void EveryFilesNamespaceIsItsAssemblyAndFolder()
    {
        var files = SourceFiles().ToList();
        files.Count.ShouldBeGreaterThan(400, "the check reads every project under src");
        var wrong = new List<string>();
        foreach (var (project, file) in files)
        {
            var declared = FileNamespace().Match(File.ReadAllText(file));
            if (!declared.Success || IsConventionalNamespace(declared.Groups[1].Value, file))
            {
                continue; // top-level statements (Program.cs), or a namespace a convention decides
            }

            var folder = Path.GetRelativePath(Path.Combine(Src, project), Path.GetDirectoryName(file)!);
            var expected = folder == "." ? project : $"{project}.{folder.Replace(Path.DirectorySeparatorChar, '.')}";
            if (declared.Groups[1].Value != expected)
            {
                wrong.Add($"{Path.GetRelativePath(RepoPaths.Root, file)}: namespace {declared.Groups[1].Value}, expected {expected}");
            }
        }

        wrong.ShouldBeEmpty("a file's namespace is its assembly's name followed by its folder; a rename moves both");
    }

    [Fact]
    public void NoClassIsOver800LinesCountedOverItsPartialFiles()
    {
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (project, file) in SourceFiles())
        {
            var text = File.ReadAllLines(file);
            var ns = FileNamespace().Match(string.Join('\n', text)).Groups[1].Value;
            var starts = text.Select((line, i) => (Match: TopLevelType().Match(line), Line: i)).Where(t => t.Match.Success).ToList();
            for (var i = 0; i < starts.Count; i++)
            {
                var end = i + 1 < starts.Count ? starts[i + 1].Line : text.Length;
                var name = $"{project}: {ns}.{starts[i].Match.Groups[1].Value}";
                lines[name] = lines.GetValueOrDefault(name) + end - starts[i].Line;
            }
        }

        lines.Count.ShouldBeGreaterThan(400, "the check found the source's types");
        lines.Where(l => l.Value > MaxClassLines).Select(l => $"{l.Key}: {l.Value} lines").ToList()
            .ShouldBeEmpty($"a class over {MaxClassLines} lines (over all its partial files) is several classes: split it by what each part owns");
    }

    private static IEnumerable<(string Project, string File)> SourceFiles() =>
        from project in Directory.EnumerateDirectories(Src).Select(Path.GetFileName)
        from file in Directory.EnumerateFiles(Path.Combine(Src, project!), "*.cs", SearchOption.AllDirectories)
        let relative = Path.GetRelativePath(Path.Combine(Src, project!), file).Replace(Path.DirectorySeparatorChar, '/')
        where !relative.StartsWith("bin/", StringComparison.Ordinal) && !relative.StartsWith("obj/", StringComparison.Ordinal)
        select (project!, file);

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex FileNamespace();

    // A type declared at the top level of a file-scoped namespace starts in the first column.
    [GeneratedRegex(@"^(?:(?:public|internal|file|static|sealed|abstract|partial|readonly|ref|unsafe)\s+)*(?:class|struct|interface|enum|record(?:\s+struct|\s+class)?)\s+(\w+)")]
    private static partial Regex TopLevelType();
}
