using System.Text.Json.Nodes;
using Switchboard.Testing;

namespace Switchboard.Conformance.Tests;

/// <summary>
/// The TypeScript client's wire.ts with wire/*.ts and the Python client's _wire.py are generated from the OpenAPI document the real
/// executable serves (clients/codegen/generate.mjs) and checked in: regenerating must give the same text, and a change of
/// the document must fail the check with the command that fixes it. Node.js must be there (.ci/run installs it).
/// </summary>
public sealed class GeneratedClientTypesTests
{
    private const string Command = "node clients/codegen/generate.mjs";

    private static readonly string[] Outputs =
    [
        Path.Combine(RepoPaths.Root, "clients", "typescript", "src", "wire.ts"),
        .. Directory.GetFiles(Path.Combine(RepoPaths.Root, "clients", "typescript", "src", "wire"), "*.ts").Order(StringComparer.Ordinal),
        Path.Combine(RepoPaths.Root, "clients", "python", "switchboard_client", "_wire.py"),
    ];

    [Fact]
    public async Task TheCheckedInClientTypesAreTheOnesGeneratedFromTheServersOpenApiDocument()
    {
        var (exitCode, output) = await TypeScriptClientPackage.RunAsync(
            "node", ["../codegen/generate.mjs", "--check"], TimeSpan.FromMinutes(3));
        exitCode.ShouldBe(0, $"The checked-in client types differ from what `{Command}` generates from the server:\n{output}");
        output.ShouldContain("match the OpenAPI document");
    }

    [Fact]
    public async Task ANewSessionFieldInTheDocumentFailsTheCheckAndNamesTheCommand()
    {
        using var data = new TempDirectory("switchboard-codegen");
        JsonObject document;
        await using (var server = await ServerProcess.StartAsync(data.Path))
        {
            using var http = new HttpClient { BaseAddress = server.BaseAddress };
            document = JsonNode.Parse(await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)))!.AsObject();
        }

        var session = document["components"]!["schemas"]!["SessionResponse"]!.AsObject();
        session["properties"]!.AsObject()["priority"] = new JsonObject { ["type"] = "integer" };
        session["required"]!.AsArray().Add("priority");
        var changed = Path.Combine(data.Path, "openapi.json");
        await File.WriteAllTextAsync(changed, document.ToJsonString());
        var before = await Task.WhenAll(Outputs.Select(p => File.ReadAllTextAsync(p)));

        var (exitCode, output) = await TypeScriptClientPackage.RunAsync(
            "node", ["../codegen/generate.mjs", "--openapi", changed, "--check"], TimeSpan.FromMinutes(1));

        exitCode.ShouldBe(1, output);
        output.ShouldContain(Command);
        output.ShouldContain("clients/typescript/src/wire/sessions.ts");
        output.ShouldContain("clients/python/switchboard_client/_wire.py");
        (await Task.WhenAll(Outputs.Select(p => File.ReadAllTextAsync(p)))).ShouldBe(before, "--check writes nothing");
    }
}
