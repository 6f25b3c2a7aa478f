using System.Text;
using System.Text.RegularExpressions;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>
/// The READMEs' C# is real code: every <c>```csharp</c> block in README.md and the client's README is compiled as the
/// Program.cs of a scratch project that references the local projects (a console app for client code, a web app for
/// hosting code), warnings as errors; and the README's .NET client example runs to completion against a real server.
/// </summary>
public sealed partial class ReadmeSnippetTests
{
    private const string ReadmeUrl = "http://127.0.0.1:5080";

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static readonly string[] Readmes = ["README.md", "src/Switchboard.Client/README.md"];

    private sealed record Snippet(string File, int Line, string Code)
    {
        public bool IsWebApp => Code.Contains("WebApplication", StringComparison.Ordinal);

        public override string ToString() => $"{File}:{Line}";
    }

    [Fact]
    public async Task EveryCSharpSnippetCompilesAndTheClientExampleRunsToCompletion()
    {
        var snippets = Readmes.SelectMany(Extract).ToList();
        snippets.Count.ShouldBeGreaterThanOrEqualTo(4, "README.md has the client and embedding examples, the client's README two more");
        await using var server = await SwitchboardServer.StartAsync();
        var url = server.BaseAddress.ToString().TrimEnd('/');

        using var scratch = new TempDirectory("switchboard-snippets");
        var solution = new StringBuilder("<Solution>\n");
        for (var i = 0; i < snippets.Count; i++)
        {
            var directory = Path.Combine(scratch.Path, $"snippet{i}");
            Directory.CreateDirectory(directory);
            // Only the address changes, so the example talks to this test's server instead of the default port.
            await File.WriteAllTextAsync(Path.Combine(directory, "Program.cs"), $"// {snippets[i]}\n" + snippets[i].Code.Replace(ReadmeUrl, url, StringComparison.Ordinal));
            await File.WriteAllTextAsync(Path.Combine(directory, $"snippet{i}.csproj"), ProjectFile(snippets[i]));
            solution.Append($"  <Project Path=\"snippet{i}/snippet{i}.csproj\" />\n");
        }

        await File.WriteAllTextAsync(Path.Combine(scratch.Path, "snippets.slnx"), solution.Append("</Solution>\n").ToString());
        var (code, output) = await ProcessRunner.RunAsync("dotnet",
            ["build", "snippets.slnx", "-c", Configuration, "-p:BuildProjectReferences=false", "--disable-build-servers", "-nologo", "-v:quiet"],
            scratch.Path, TimeSpan.FromMinutes(5));
        code.ShouldBe(0, $"A README snippet does not compile ({string.Join(", ", snippets.Select((s, i) => $"snippet{i} = {s}"))}):\n{output}");

        var example = snippets.FindIndex(s => s.File == "README.md" && !s.IsWebApp);
        var dll = Path.Combine(scratch.Path, $"snippet{example}", "bin", Configuration, "net10.0", $"snippet{example}.dll");
        var (exit, printed) = await ProcessRunner.RunAsync("dotnet", [dll], scratch.Path, TestTimeouts.Long,
            new Dictionary<string, string?> { ["SWITCHBOARD_API_KEY"] = null });
        exit.ShouldBe(0, printed);
        var lines = printed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines.ShouldContain(l => l.Contains(": session_created ", StringComparison.Ordinal), printed);
        lines.ShouldContain(l => l.Contains(": session_terminated ", StringComparison.Ordinal), printed);
        lines[^1].ShouldBe("0 active sessions, 1540 tokens used in all", printed);
    }

    private static IEnumerable<Snippet> Extract(string relativePath)
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, relativePath));
        foreach (Match m in CSharpBlock().Matches(text))
        {
            yield return new Snippet(relativePath, text[..m.Index].Count(c => c == '\n') + 1, m.Groups[1].Value);
        }
    }

    private static string ProjectFile(Snippet snippet)
    {
        // A host names its store on the builder, from the store packages (the server references neither).
        var (sdk, projects) = snippet.IsWebApp
            ? ("Microsoft.NET.Sdk.Web", new[]
            {
                "src/Switchboard.Server/Switchboard.Server.csproj",
                "src/Switchboard.Storage.Sqlite/Switchboard.Storage.Sqlite.csproj",
                "src/Switchboard.Storage.Postgres/Switchboard.Storage.Postgres.csproj",
            })
            : ("Microsoft.NET.Sdk", new[] { "src/Switchboard.Client/Switchboard.Client.csproj" });
        var references = string.Join("\n    ", projects.Select(p => $"<ProjectReference Include=\"{Path.Combine(RepoPaths.Root, p)}\" />"));
        return $"""
            <Project Sdk="{sdk}">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                {references}
              </ItemGroup>
            </Project>
            """;
    }

    [GeneratedRegex(@"^```csharp\n(.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex CSharpBlock();
}
