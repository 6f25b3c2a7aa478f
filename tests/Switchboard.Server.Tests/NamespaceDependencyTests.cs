using System.Reflection;
using Switchboard.Server.Tests.Architecture;

namespace Switchboard.Server.Tests;

/// <summary>
/// The namespaces of Core, the server, the host and the store packages form a graph without cycles at full depth, no
/// namespace is defined in two assemblies, and the boundaries hold: the fan-out is private to the live loop, and the
/// transports, the HTTP API and security never depend on one another except toward security. The graph is read from
/// the compiled assemblies' metadata (signatures and method bodies), so a dependency that no <c>using</c> line shows
/// still counts.
/// </summary>
public sealed class NamespaceDependencyTests
{
    private static readonly Assembly[] Assemblies =
        [.. new[] { "Switchboard.Core", "Switchboard.Server", "Switchboard.Storage.Sqlite", "Switchboard.Storage.Postgres" }.Select(Assembly.Load)];

    // Extension methods for the host builder live in Microsoft's namespaces by convention; they are leaves.
    private static readonly NamespaceGraph Graph = NamespaceGraph.Read(Assemblies, ns => ns.StartsWith("Switchboard", StringComparison.Ordinal));

    [Fact]
    public void NamespacesFormNoCycle()
    {
        var cycles = Graph.Cycles()
            .Select(c => $"{{{string.Join(", ", c)}}}: {Explain(Graph.PathBack(c[0])!)}").ToList();
        cycles.ShouldBeEmpty("namespaces must not depend on each other in a circle (each line is one set of namespaces that do, with one path)");
    }

    [Fact]
    public void NoNamespaceIsDefinedInTwoAssemblies()
    {
        var shared = Graph.DefinedIn.Where(n => n.Value.Count > 1).Select(n => $"{n.Key}: {string.Join(", ", n.Value.Order())}").ToList();
        shared.ShouldBeEmpty("a namespace belongs to one assembly");
    }

    [Fact]
    public void FanoutIsPrivateToTheLiveLoop()
    {
        var outside = Graph.Edges.Where(e => !e.Key.StartsWith("Switchboard.Server.Live", StringComparison.Ordinal) && e.Value.Contains("Switchboard.Server.Live.Fanout"))
            .Select(e => e.Key).ToList();
        outside.ShouldBeEmpty("only Switchboard.Server.Live may reach into its fan-out");
    }

    [Theory]
    [InlineData("Switchboard.Server.Security", "Switchboard.Server.Transports")]
    [InlineData("Switchboard.Server.Security", "Switchboard.Server.Http")]
    [InlineData("Switchboard.Server.Transports", "Switchboard.Server.Http")]
    [InlineData("Switchboard.Server.Http", "Switchboard.Server.Transports")]
    public void TransportsHttpAndSecurityDependOnlyTowardSecurity(string from, string forbidden)
    {
        var offenders = Graph.Edges.Where(e => Within(e.Key, from)).SelectMany(e => e.Value.Where(u => Within(u, forbidden)).Select(u => $"{e.Key} → {u}")).ToList();
        offenders.ShouldBeEmpty($"{from} must not depend on {forbidden}");
    }

    [Fact]
    public void TheGraphSeesDependenciesThatOnlyMethodBodiesShow()
    {
        // Guards the reader itself: the WebSocket endpoint's namespace names security, and Core's namespaces are nodes.
        Graph.Edges.Keys.ShouldContain("Switchboard.Core.Sessions");
        Graph.Edges.Count.ShouldBeGreaterThan(30);
        Graph.Edges.Where(e => Within(e.Key, "Switchboard.Server.Transports")).SelectMany(e => e.Value).ShouldContain("Switchboard.Server.Security");
    }

    private static string Explain(List<string> path) =>
        string.Join("; ", path.Zip(path.Skip(1), (from, to) => $"{from} → {to} ({Graph.Why(from, to)})"));

    private static bool Within(string ns, string root) =>
        ns == root || ns.StartsWith(root + ".", StringComparison.Ordinal);
}
