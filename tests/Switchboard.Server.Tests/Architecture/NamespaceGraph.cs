using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Switchboard.Server.Tests.Architecture;

/// <summary>
/// The namespace dependency graph of compiled assemblies, read from their metadata: every type's base type, interfaces,
/// generic constraints, field, property and method signatures, custom attributes, and every type, method and field token
/// in every method body. Nested and compiler-generated types (closures, state machines) count toward the namespace of
/// the type that declares them. Only namespaces defined in the assemblies read are nodes.
/// </summary>
internal sealed partial class NamespaceGraph
{
    private readonly Dictionary<(string From, string To), string> _evidence;

    private NamespaceGraph(Dictionary<string, HashSet<string>> edges, Dictionary<string, HashSet<string>> definedIn, Dictionary<(string, string), string> evidence)
    {
        Edges = edges;
        DefinedIn = definedIn;
        _evidence = evidence;
    }

    /// <summary>Namespace → the namespaces (of the assemblies read) that its types use.</summary>
    public IReadOnlyDictionary<string, HashSet<string>> Edges { get; }

    /// <summary>Namespace → the assemblies that define a type in it.</summary>
    public IReadOnlyDictionary<string, HashSet<string>> DefinedIn { get; }

    public static NamespaceGraph Read(IEnumerable<Assembly> assemblies, Func<string, bool> include)
    {
        var raw = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var definedIn = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var evidence = new Dictionary<(string, string), string>();
        foreach (var assembly in assemblies)
        {
            using var stream = File.OpenRead(assembly.Location);
            using var pe = new PEReader(stream);
            new AssemblyReader(pe, include, raw, definedIn, evidence, assembly.GetName().Name!).ReadAll();
        }

        // Only namespaces defined in the assemblies read are nodes; references to the framework are dropped.
        var edges = raw.Where(e => definedIn.ContainsKey(e.Key)).ToDictionary(
            e => e.Key,
            e => e.Value.Where(n => n != e.Key && definedIn.ContainsKey(n)).ToHashSet(StringComparer.Ordinal),
            StringComparer.Ordinal);
        foreach (var ns in definedIn.Keys)
        {
            edges.TryAdd(ns, []);
        }

        return new NamespaceGraph(edges, definedIn, evidence);
    }

    /// <summary>The strongly connected components with more than one namespace: each is a cycle (or several).</summary>
    public List<List<string>> Cycles()
    {
        // Tarjan's algorithm.
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<List<string>>();
        var next = 0;
        foreach (var node in Edges.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(node))
            {
                Connect(node);
            }
        }

        return result;

        void Connect(string node)
        {
            index[node] = low[node] = next++;
            stack.Push(node);
            onStack.Add(node);
            foreach (var used in Edges[node])
            {
                if (!index.ContainsKey(used))
                {
                    Connect(used);
                    low[node] = Math.Min(low[node], low[used]);
                }
                else if (onStack.Contains(used))
                {
                    low[node] = Math.Min(low[node], index[used]);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string popped;
                do
                {
                    popped = stack.Pop();
                    onStack.Remove(popped);
                    component.Add(popped);
                }
                while (popped != node);
                if (component.Count > 1)
                {
                    component.Sort(StringComparer.Ordinal);
                    result.Add(component);
                }
            }
        }
    }

    /// <summary>One type that makes <paramref name="from"/> depend on <paramref name="to"/>, and the type it names there.</summary>
    public string Why(string from, string to) => _evidence.GetValueOrDefault((from, to), "?");

    /// <summary>One path of edges from <paramref name="from"/> back to itself, for a readable failure.</summary>
    public List<string>? PathBack(string from)
    {
        var previous = new Dictionary<string, string>(StringComparer.Ordinal);
        var queue = new Queue<string>(Edges[from]);
        foreach (var n in Edges[from])
        {
            previous[n] = from;
        }

        while (queue.TryDequeue(out var node))
        {
            if (node == from)
            {
                var path = new List<string> { from };
                for (var at = previous[from]; at != from; at = previous[at])
                {
                    path.Add(at);
                }

                path.Add(from);
                path.Reverse();
                return path;
            }

            foreach (var n in Edges[node])
            {
                if (previous.TryAdd(n, node))
                {
                    queue.Enqueue(n);
                }
            }
        }

        return null;
    }
}
