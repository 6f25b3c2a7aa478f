using System.Text.Json;
using Switchboard.Testing;

namespace Switchboard.Conformance.Tests;

/// <summary>
/// The protocol's own conformance runner (<c>@modelcontextprotocol/conformance</c>, pinned in tests/mcp) against
/// <c>/mcp</c>: every server scenario that applies to Switchboard passes. The others test the fixtures of the SDKs'
/// "everything" server (tools named <c>test_*</c>, <c>test://</c> resources, prompts, completions, sampling and
/// elicitation), which Switchboard does not have; docs/mcp.md lists each with its reason. The runner sends no API key,
/// so the server runs with auth off on loopback, where <c>/mcp</c> is on by default.
/// </summary>
public sealed class McpConformanceTests
{
    public static readonly TheoryData<string> Applicable =
    [
        "server-initialize", "ping", "tools-list", "logging-set-level", "server-sse-multiple-streams", "dns-rebinding-protection", "resources-list",
    ];

    [Theory]
    [MemberData(nameof(Applicable))]
    public async Task TheScenarioPasses(string scenario)
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var results = new TempDirectory();
        var (_, output) = await McpKit.RunAsync(
            [Path.Combine("node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js"), "server", "--url", new Uri(server.BaseAddress, "/mcp").ToString(),
                "--scenario", scenario, "-o", results.Path],
            new Dictionary<string, string>(), TestTimeouts.Long);

        var checks = Directory.GetFiles(results.Path, "checks.json", SearchOption.AllDirectories).ShouldHaveSingleItem(output);
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(checks));
        var all = document.RootElement.EnumerateArray().Select(c => (Status: c.GetProperty("status").GetString(), Text: c.ToString())).ToList();
        all.ShouldNotBeEmpty(output);
        all.Where(c => c.Status is not ("SUCCESS" or "INFO")).Select(c => c.Text).ShouldBeEmpty(output);
    }
}
