using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Switchboard.Server.Otlp.Mapping;

/// <summary>
/// The spans of one request by trace and span id, for following a GenAI span's parents up through the request's ignored
/// spans (an HTTP hop between two agents, say) to the span that tells its parent session. Each ignored span remembers
/// where its walk ended, so however the request's spans hang together (a chain of ignored spans under many GenAI
/// spans), every span is walked through at most once: the links of a request cost time linear in its spans.
/// </summary>
internal sealed class SpanTree
{
    private readonly Dictionary<(UInt128 Trace, ulong Span), Node> _nodes = [];
    private readonly List<ulong> _path = [];

    /// <summary>Parent hops taken so far (a measure of the work, for tests: at most one per span added, plus one per lookup).</summary>
    public long Steps { get; private set; }

    /// <summary>Adds a span of the request (its parent's id, 0 for none; its session, null when it is ignored). The first of two with the same ids wins.</summary>
    public void Add(UInt128 trace, ulong span, ulong parent, string? session) => _nodes.TryAdd((trace, span), new Node(parent, session));

    /// <summary>
    /// Where the span whose parent is <paramref name="parent"/> links to: the session of its nearest GenAI ancestor in the
    /// request (<c>Owner</c>), or the id of the first ancestor outside the request (<c>Outside</c>), or neither (its chain
    /// of ignored spans ends at a root, or loops).
    /// </summary>
    public (string? Owner, ulong Outside) ParentOf(UInt128 trace, ulong parent)
    {
        (string? Owner, ulong Outside) found = (null, 0);
        for (var current = parent; ; )
        {
            Steps++;
            if (current == 0)
            {
                break;
            }

            ref var node = ref CollectionsMarshal.GetValueRefOrNullRef(_nodes, (trace, current));
            if (Unsafe.IsNullRef(ref node))
            {
                found = (null, current);
                break;
            }

            if (node.Session is { } owner)
            {
                found = (owner, 0);
                break;
            }

            if (node.Walk != Walk.None)
            {
                found = node.Walk == Walk.Done ? (node.Owner, node.Outside) : (null, 0); // Walking: a loop of parents
                break;
            }

            node.Walk = Walk.Walking;
            _path.Add(current);
            current = node.Parent;
        }

        // Every ignored span passed on the way ends where this walk did.
        foreach (var id in _path)
        {
            ref var node = ref CollectionsMarshal.GetValueRefOrNullRef(_nodes, (trace, id));
            (node.Walk, node.Owner, node.Outside) = (Walk.Done, found.Owner, found.Outside);
        }

        _path.Clear();
        return found;
    }

    private enum Walk : byte
    {
        None,
        Walking,
        Done,
    }

    /// <summary>A span of the request: its parent's id and its session (null: ignored), and for an ignored one where its walk ended.</summary>
    private struct Node(ulong parent, string? session)
    {
        public readonly ulong Parent = parent;
        public readonly string? Session = session;
        public Walk Walk;
        public string? Owner;
        public ulong Outside;
    }
}
