using System.Text.RegularExpressions;
using Switchboard.Testing;

namespace Switchboard.Server.Tests;

/// <summary>
/// The server's namespaces form a graph without cycles, and its boundaries hold: the fan-out is private to the live
/// loop, and the transports, the HTTP API and security never depend on one another except toward security. Read from
/// the source (using directives and qualified names), so a new dependency fails here before it is merged.
/// </summary>
public sealed partial class NamespaceDependencyTests
{
    private static readonly string ServerSource = Path.Combine(RepoPaths.Root, "src", "Switchboard.Server");

    /// <summary>Component of each server file, and the server components it names.</summary>
    private static readonly List<(string File, string Namespace, HashSet<string> Uses)> Files = ReadFiles();

    [Fact]
    public void ServerNamespacesFormNoCycle()
    {
        var graph = new Dictionary<string, HashSet<string>>();
        foreach (var (_, ns, uses) in Files)
        {
            var from = Component(ns);
            graph.TryAdd(from, []);
            foreach (var used in uses.Select(Component).Where(c => c != from))
            {
                graph[from].Add(used);
            }
        }

        FindCycle(graph).ShouldBeNull("the server's namespaces must not depend on each other in a circle");
    }

    [Fact]
    public void FanoutIsPrivateToTheLiveLoop()
    {
        var outside = Files.Where(f => !f.Namespace.StartsWith("Switchboard.Live", StringComparison.Ordinal) && f.Uses.Contains("Switchboard.Live.Fanout"))
            .Select(f => f.File).ToList();
        outside.ShouldBeEmpty("only Switchboard.Live may reach into its fan-out");
    }

    [Theory]
    [InlineData("Switchboard.Security", "Switchboard.Transports")]
    [InlineData("Switchboard.Security", "Switchboard.Http")]
    [InlineData("Switchboard.Transports", "Switchboard.Http")]
    [InlineData("Switchboard.Http", "Switchboard.Transports")]
    public void TransportsHttpAndSecurityDependOnlyTowardSecurity(string from, string forbidden)
    {
        var offenders = Files.Where(f => Component(f.Namespace) == from && f.Uses.Any(u => Component(u) == forbidden)).Select(f => f.File).ToList();
        offenders.ShouldBeEmpty($"{from} must not depend on {forbidden}");
    }

    [Fact]
    public void TheCheckSeesAKnownDependency()
    {
        // Guards the parser itself: the WebSocket endpoint certainly names the Phoenix layer and security.
        var endpoint = Files.Single(f => f.File.EndsWith("WebSocketEndpoint.cs", StringComparison.Ordinal));
        endpoint.Uses.ShouldContain("Switchboard.Security");
        Files.Count.ShouldBeGreaterThan(100);
    }

    /// <summary>The top-level server component of a namespace: <c>Switchboard.Transports.Sse</c> is <c>Switchboard.Transports</c>.</summary>
    private static string Component(string ns)
    {
        var parts = ns.Split('.');
        return parts.Length >= 2 ? parts[0] + "." + parts[1] : ns;
    }

    private static List<string>? FindCycle(Dictionary<string, HashSet<string>> graph)
    {
        var state = new Dictionary<string, int>(); // 1: on the path, 2: done
        var path = new List<string>();
        foreach (var start in graph.Keys)
        {
            if (Visit(start) is { } cycle)
            {
                return cycle;
            }
        }

        return null;

        List<string>? Visit(string node)
        {
            if (state.GetValueOrDefault(node) == 2)
            {
                return null;
            }

            if (state.GetValueOrDefault(node) == 1)
            {
                return [.. path.SkipWhile(n => n != node), node];
            }

            state[node] = 1;
            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node) ?? [])
            {
                if (Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
    }

    private static List<(string, string, HashSet<string>)> ReadFiles()
    {
        var serverNamespaces = new HashSet<string>(StringComparer.Ordinal);
        var files = new List<(string Path, string Namespace, string Text)>();
        foreach (var path in Directory.EnumerateFiles(ServerSource, "*.cs", SearchOption.AllDirectories))
        {
            if (path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            {
                continue;
            }

            var text = File.ReadAllText(path);
            var ns = NamespaceLine().Match(text) is { Success: true } m ? m.Groups[1].Value : "";
            files.Add((path, ns, text));
            if (ns.StartsWith("Switchboard.", StringComparison.Ordinal))
            {
                serverNamespaces.Add(ns);
            }
        }

        return files.Where(f => f.Namespace.StartsWith("Switchboard.", StringComparison.Ordinal)).Select(f =>
        {
            var named = UsingLine().Matches(f.Text).Select(m => m.Groups[1].Value)
                .Concat(Qualified().Matches(f.Text).SelectMany(m => Prefixes(m.Value)));
            var uses = named.Where(serverNamespaces.Contains).ToHashSet(StringComparer.Ordinal);
            return (Path.GetRelativePath(ServerSource, f.Path), f.Namespace, uses);
        }).ToList();
    }

    private static IEnumerable<string> Prefixes(string dotted)
    {
        for (var i = dotted.IndexOf('.', StringComparison.Ordinal); i > 0; i = dotted.IndexOf('.', i + 1))
        {
            yield return dotted[..i];
        }

        yield return dotted;
    }

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"^using\s+(Switchboard(?:\.\w+)+)\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingLine();

    // A qualified name such as Switchboard.Transports.WebSockets.CloseCodes: every namespace prefix of it counts.
    [GeneratedRegex(@"(?<![\w.])Switchboard(?:\.[A-Z]\w*)+")]
    private static partial Regex Qualified();
}
