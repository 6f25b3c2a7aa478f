using System.Text.RegularExpressions;
using Switchboard.Testing;

namespace Switchboard.Server.Tests.Architecture;

/// <summary>
/// A reader who knows a feature's name knows its folder, its namespace and its files (docs/architecture.md, "The rooms"):
/// every source file's namespace is its assembly's name and its folder (class sizes: <see cref="ClassSizeTests"/>). Read
/// from the source tree, so a new file is checked the day it is added.
/// </summary>
public sealed partial class HouseTests
{
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

    private static IEnumerable<(string Project, string File)> SourceFiles() =>
        from project in Directory.EnumerateDirectories(Src).Select(Path.GetFileName)
        from file in Directory.EnumerateFiles(Path.Combine(Src, project!), "*.cs", SearchOption.AllDirectories)
        let relative = Path.GetRelativePath(Path.Combine(Src, project!), file).Replace(Path.DirectorySeparatorChar, '/')
        where !relative.StartsWith("bin/", StringComparison.Ordinal) && !relative.StartsWith("obj/", StringComparison.Ordinal)
        select (project!, file);

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex FileNamespace();
}
