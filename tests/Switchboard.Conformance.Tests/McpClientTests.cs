using Switchboard.Testing;

namespace Switchboard.Conformance.Tests;

/// <summary>
/// The reference TypeScript MCP client (<c>@modelcontextprotocol/sdk</c>, tests/mcp/client.mjs) against <c>/mcp</c> with
/// auth on: every tool and resource, a subscription that hears a commit made through the HTTP API, <c>wait_for</c> with
/// its progress, an agent key refused <c>answer_approval</c>, and hostile input (an unknown tool, bad and oversized
/// arguments, malformed JSON-RPC, a session outside the key's scope) answered with clear errors and nothing written.
/// </summary>
public sealed class McpClientTests
{
    [Fact]
    public async Task TheReferenceClientUsesEveryToolAndResourceAndHearsACommit()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Security.AddApiKeys(McpKit.Keys));
        var (exit, output) = await McpKit.RunAsync(["client.mjs"], new Dictionary<string, string>
        {
            ["SWITCHBOARD_URL"] = server.BaseAddress.GetLeftPart(UriPartial.Authority),
            ["OPERATOR_KEY"] = McpKit.OperatorKey,
            ["AGENT_KEY"] = McpKit.AgentKey,
            ["SCOPED_KEY"] = McpKit.ScopedKey,
        }, TestTimeouts.Long);

        exit.ShouldBe(0, output + "\nServer log:\n" + server.Logs.Dump());
        output.ShouldContain("@@ ok ");
    }
}
