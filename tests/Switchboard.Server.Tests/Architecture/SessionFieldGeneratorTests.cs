using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Switchboard.Generators;
using Switchboard.Testing;

namespace Switchboard.Server.Tests.Architecture;

/// <summary>
/// Adding a plain session field is one declaration: Core's and the client's real sources, with two rows added to
/// <c>SessionWire</c> (a nullable text and a 64-bit integer) and nothing else, are compiled in a scratch compilation
/// with the generator, which must produce the typed members on each side without a warning or an error.
/// </summary>
public sealed class SessionFieldGeneratorTests
{
    private const string AddedRows = """
            public static readonly WireField Branch = new("branch", Kind.Text, true, Use.Response | Use.Changes | Use.Create | Use.Update | Use.Plain, "branch",
                "The branch the agent works on; null when it works on none.") { MaxLength = 200 };
            public static readonly WireField FilesChanged = new("files_changed", Kind.Int64, false, Use.Response | Use.Changes | Use.Update | Use.Plain, "files_changed",
                "Files the agent has changed so far.") { Minimum = 0 };

        """;

    [Fact]
    public void AFieldDeclaredOnceGetsCoresTypedMembersAndCompilesWithoutADiagnostic()
    {
        var compilation = CompileWithGenerator("Switchboard.Core", Sources("src/Switchboard.Core"), []);

        Property(compilation, "Switchboard.Core.Sessions.Session", "Branch").ShouldBe("string?");
        Property(compilation, "Switchboard.Core.Sessions.Session", "FilesChanged").ShouldBe("long");
        Property(compilation, "Switchboard.Core.Writes.CreateSession", "Branch").ShouldBe("string?");
        Property(compilation, "Switchboard.Core.Writes.CreateSession", "FilesChanged").ShouldBeNull("files_changed is not set by a create");
        Property(compilation, "Switchboard.Core.Writes.UpdateSession", "Branch").ShouldBe("Switchboard.Core.Writes.Optional<string?>");
        Property(compilation, "Switchboard.Core.Writes.UpdateSession", "FilesChanged").ShouldBe("long?");
        Property(compilation, "Switchboard.Core.Writes.UpdateSession", "TasksRunning").ShouldBe("int?", "the declared field keeps its type");
        Member(compilation, "Switchboard.Core.Sessions.SessionFields", "PlainColumns").ShouldNotBeNull();
    }

    [Fact]
    public void AFieldDeclaredOnceGetsTheClientsTypedMembersAndCompilesWithoutADiagnostic()
    {
        var compilation = CompileWithGenerator("Switchboard.Client",
            [.. Sources("src/Switchboard.Client"), .. Sources("src/Switchboard.Core/Sessions", "SessionWire*.cs"),
                .. Sources("src/Switchboard.Core/Sessions", "Wire*.cs")],
            ["SWITCHBOARD_CLIENT"]);

        Property(compilation, "Switchboard.Client.Session", "Branch").ShouldBe("string?");
        Property(compilation, "Switchboard.Client.Session", "FilesChanged").ShouldBe("long");
        Property(compilation, "Switchboard.Client.NewSession", "Branch").ShouldBe("string?");
        Property(compilation, "Switchboard.Client.SessionUpdate", "Branch").ShouldBe("Switchboard.Client.Optional<string?>");
        Property(compilation, "Switchboard.Client.SessionUpdate", "FilesChanged").ShouldBe("long?");
    }

    [Fact]
    public void AFieldOfAKindNoRequestCanSetIsRefusedWhereItIsDeclared()
    {
        var refused = AddedRows.Replace("Kind.Int64, false", "Kind.Time, false", StringComparison.Ordinal);
        var (_, diagnostics) = Run("Switchboard.Core", Sources("src/Switchboard.Core"), [], refused);

        var error = diagnostics.ShouldHaveSingleItem();
        error.Id.ShouldBe("SBGEN001");
        error.Severity.ShouldBe(DiagnosticSeverity.Error);
        error.Location.SourceTree!.FilePath.ShouldEndWith("SessionWire.cs");
    }

    private static Compilation CompileWithGenerator(string assembly, IReadOnlyList<(string Path, string Text)> sources, string[] symbols)
    {
        var (compilation, generatorDiagnostics) = Run(assembly, sources, symbols, AddedRows);
        generatorDiagnostics.ShouldBeEmpty();
        compilation.SyntaxTrees.Count(t => t.FilePath.EndsWith(".g.cs", StringComparison.Ordinal)).ShouldBeGreaterThan(0);
        var problems = compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()).ToList();
        problems.ShouldBeEmpty();
        return compilation;
    }

    private static (Compilation Compilation, IReadOnlyList<Diagnostic> Diagnostics) Run(
        string assembly, IReadOnlyList<(string Path, string Text)> sources, string[] symbols, string rows)
    {
        // The client builds its XML documentation, so a generated public member without a summary would fail its build.
        var documentation = assembly == "Switchboard.Client" ? DocumentationMode.Diagnose : DocumentationMode.Parse;
        var parse = new CSharpParseOptions(LanguageVersion.Latest, documentation).WithPreprocessorSymbols(symbols);
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(
            s.Path.EndsWith($"{Path.DirectorySeparatorChar}SessionWire.cs", StringComparison.Ordinal) ? WithRows(s.Text, rows) : s.Text, parse, s.Path));
        var compilation = CSharpCompilation.Create(assembly, [.. trees, CSharpSyntaxTree.ParseText(ImplicitUsings, parse)], References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, warningLevel: 9999)
                // What the SDK leaves out of every build: assembly version unification notes.
                .WithSpecificDiagnosticOptions([new("CS1701", ReportDiagnostic.Suppress), new("CS1702", ReportDiagnostic.Suppress)]));
        CSharpGeneratorDriver.Create(new SessionFieldGenerator().AsSourceGenerator()).WithUpdatedParseOptions(parse)
            .RunGeneratorsAndUpdateCompilation(compilation, out var generated, out var diagnostics);
        return (generated, diagnostics);
    }

    /// <summary>SessionWire.cs with <paramref name="rows"/> declared before lease_seconds and listed in its order.</summary>
    private static string WithRows(string sessionWire, string rows)
    {
        const string Before = "    public static readonly WireField LeaseSeconds";
        const string Listed = "TasksRunning, LeaseSeconds,";
        sessionWire.ShouldContain(Before);
        sessionWire.ShouldContain(Listed);
        return sessionWire.Replace(Before, rows + Before, StringComparison.Ordinal)
            .Replace(Listed, "TasksRunning, Branch, FilesChanged, LeaseSeconds,", StringComparison.Ordinal);
    }

    private static string? Property(Compilation compilation, string type, string name) =>
        (Member(compilation, type, name) as IPropertySymbol)?.Type.ToDisplayString();

    private static ISymbol? Member(Compilation compilation, string type, string name) =>
        compilation.GetTypeByMetadataName(type).ShouldNotBeNull(type).GetMembers(name).SingleOrDefault();

    private static List<(string Path, string Text)> Sources(string folder, string pattern = "*.cs")
    {
        var root = Path.Combine(RepoPaths.Root, folder);
        char sep = Path.DirectorySeparatorChar;
        return [.. Directory.EnumerateFiles(root, pattern, SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{sep}bin{sep}", StringComparison.Ordinal) && !f.Contains($"{sep}obj{sep}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f => (f, File.ReadAllText(f)))];
    }

    // The global usings of the SDK's ImplicitUsings, which both projects build with.
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    /// <summary>The running framework and every assembly the tests load (Core's own packages among them), but no Switchboard assembly.</summary>
    private static readonly Lazy<MetadataReference[]> References = new(() =>
        [.. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => !Path.GetFileName(p).StartsWith("Switchboard", StringComparison.OrdinalIgnoreCase))
            .Select(p => MetadataReference.CreateFromFile(p))]);
}
