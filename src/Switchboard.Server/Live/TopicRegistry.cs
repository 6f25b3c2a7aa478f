using Switchboard.Server.Outbound;

namespace Switchboard.Server.Live;

/// <summary>
/// Subscribers per topic. Owned by the live loop; never touched by another thread. A <c>session:{id}</c> joined with
/// <c>{"subtree": true}</c> is listed apart from the plain ones (<see cref="ForSubtree"/>): it takes the events of every
/// descendant as well.
/// </summary>
internal sealed class TopicRegistry
{
    private readonly Dictionary<string, List<Subscription>> _perSession = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Subscription>> _perSubtree = new(StringComparer.Ordinal);

    public List<Subscription> AllSessions { get; } = [];

    public List<Subscription> SummaryOnly { get; } = [];

    public List<Subscription> Usage { get; } = [];

    public List<Subscription> Alerts { get; } = [];

    public List<Subscription> Commands { get; } = [];
    public List<Subscription> Approvals { get; } = [];

    public List<Subscription> Webhooks { get; } = [];

    public int Count { get; private set; }

    public List<Subscription>? ForSession(string sessionId) => _perSession.GetValueOrDefault(sessionId);

    /// <summary>The subtree subscriptions of <c>session:{id}</c>, or null.</summary>
    public List<Subscription>? ForSubtree(string sessionId) => _perSubtree.GetValueOrDefault(sessionId);

    /// <summary>The subtree subscriptions by session id, for a lookup by a span of an event's tree path.</summary>
    public Dictionary<string, List<Subscription>>.AlternateLookup<ReadOnlySpan<char>> Subtrees => _perSubtree.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>True when some connection follows a subtree (the fan-out looks at tree paths only then).</summary>
    public bool HasSubtrees => _perSubtree.Count > 0;

    public void Add(Subscription s)
    {
        var list = ListFor(s, create: true)!;
        s.Index = list.Count;
        list.Add(s);
        Count++;
    }

    public void Remove(Subscription s)
    {
        if (s.IsRemoved)
        {
            return;
        }

        s.IsRemoved = true;
        var list = ListFor(s, create: false);
        if (list is null || s.Index < 0)
        {
            return;
        }

        // Swap with the last entry so removal is O(1) even with many thousands of subscribers.
        var last = list[^1];
        list[s.Index] = last;
        last.Index = s.Index;
        list.RemoveAt(list.Count - 1);
        s.Index = -1;
        Count--;
        if (list.Count == 0 && s.Route.Kind == TopicKind.OneSession)
        {
            (s.IsSubtree ? _perSubtree : _perSession).Remove(s.Route.SessionId!);
        }
    }

    /// <summary>Removes every subscription and returns their distinct queues (the live loop's recovery resets them).</summary>
    public List<SendQueue> Clear()
    {
        var queues = new HashSet<SendQueue>(ReferenceEqualityComparer.Instance);
        foreach (var list in _perSession.Values.Concat(_perSubtree.Values).Append(AllSessions).Append(SummaryOnly).Append(Usage).Append(Alerts).Append(Commands).Append(Approvals).Append(Webhooks))
        {
            foreach (var s in list)
            {
                s.IsRemoved = true;
                s.Index = -1;
                queues.Add(s.Queue);
            }
        }

        _perSession.Clear();
        _perSubtree.Clear();
        AllSessions.Clear();
        SummaryOnly.Clear();
        Usage.Clear();
        Alerts.Clear();
        Commands.Clear();
        Approvals.Clear();
        Webhooks.Clear();
        Count = 0;
        return [.. queues];
    }

    /// <summary>Subscriber counts per topic kind, for metrics.</summary>
    public (int AllSessions, int SummaryOnly, int OneSession) CountByKind()
    {
        var perSession = 0;
        foreach (var list in _perSession.Values.Concat(_perSubtree.Values))
        {
            perSession += list.Count;
        }

        return (AllSessions.Count, SummaryOnly.Count, perSession);
    }

    private List<Subscription>? ListFor(Subscription s, bool create)
    {
        var route = s.Route;
        switch (route.Kind)
        {
            case TopicKind.AllSessions:
                return AllSessions;
            case TopicKind.SummaryOnly:
                return SummaryOnly;
            case TopicKind.Usage:
                return Usage;
            case TopicKind.Alerts:
                return Alerts;
            case TopicKind.Commands:
                return Commands;
            case TopicKind.Approvals:
                return Approvals;
            case TopicKind.Webhooks:
                return Webhooks;
        }

        var lists = s.IsSubtree ? _perSubtree : _perSession;
        if (!lists.TryGetValue(route.SessionId!, out var list) && create)
        {
            list = [];
            lists[route.SessionId!] = list;
        }

        return list;
    }
}
