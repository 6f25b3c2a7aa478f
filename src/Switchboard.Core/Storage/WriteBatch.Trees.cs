using Switchboard.Errors;
using Switchboard.Sessions;
using Switchboard.Trees;
using Switchboard.Writes;

namespace Switchboard.Storage;

/// <summary>
/// The tree part of a batch: every change's delta goes to the <c>subtree</c> totals of each ancestor, in memory, so an
/// ancestor written by many changes of a group commit is written once (<see cref="SubtreeDirty"/>); a cascading
/// terminate ends the active part of a subtree, deepest first, in the same commit.
/// </summary>
internal sealed partial class WriteBatch
{
    private readonly HashSet<string> _subtreeDirty = new(StringComparer.Ordinal);
    // The current totals of the ancestors this batch rolled up, kept apart from their session records so a deep tree's
    // writes do not copy every ancestor's record per write: a record takes its totals when it is next read (Current).
    private readonly Dictionary<string, SubtreeTotals> _rolled = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _ancestors = new(StringComparer.Ordinal);
    private readonly List<string> _moved = [];

    /// <summary>
    /// Ancestors whose only change is their <c>subtree</c> totals (the final value of each), ordered by id: the fixed
    /// order every store writes them in. Sessions also in <see cref="Dirty"/> are written whole there instead.
    /// </summary>
    public IEnumerable<Session> SubtreeDirty =>
        _subtreeDirty.Where(id => !_dirtyIds.Contains(id)).Order(StringComparer.Ordinal).Select(id => Current(id)!);

    /// <summary>
    /// Sessions whose tree columns (parent, root, depth, path) the batch changed, by an adoption: the store writes them
    /// besides the row update, which leaves those columns alone.
    /// </summary>
    public IEnumerable<Session> Moved => _moved.Select(id => Current(id)!);

    /// <summary>
    /// The targets of cascading terminates and of adoptions: the store reads each one's whole subtree before applying the
    /// batch.
    /// </summary>
    public static IReadOnlyCollection<string> SubtreeIds(IReadOnlyList<SessionWrite> writes) =>
        writes.Select(w => w switch
        {
            TerminateSession { Cascade: true } t => t.SessionId,
            AdoptSession a => a.SessionId,
            _ => null,
        }).OfType<string>().Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// The ancestors of the sessions in <paramref name="loaded"/> that it does not hold yet: the store reads them too
    /// (their paths change only by an adoption, which holds the store's write lock, so they can be found before the rows are).
    /// </summary>
    public static IReadOnlyCollection<string> MissingAncestors(IReadOnlyDictionary<string, Session?> loaded)
    {
        HashSet<string>? missing = null;
        foreach (var session in loaded.Values)
        {
            if (session is null || session.Depth == 0)
            {
                continue;
            }

            foreach (var id in TreePath.Ancestors(session.TreePath))
            {
                if (!loaded.ContainsKey(id))
                {
                    (missing ??= new HashSet<string>(StringComparer.Ordinal)).Add(id);
                }
            }
        }

        return (IReadOnlyCollection<string>?)missing ?? [];
    }

    /// <summary>
    /// Adds <paramref name="delta"/> to every ancestor of <paramref name="session"/>; on overflow nothing is changed and the
    /// refusal is returned.
    /// </summary>
    private SwitchboardError? RollUp(Session session, SubtreeTotals delta)
    {
        if (session.Depth == 0 || delta.IsZero)
        {
            return null;
        }

        if (!_ancestors.TryGetValue(session.TreePath, out var ancestors))
        {
            ancestors = TreePath.Ancestors(session.TreePath);
            _ancestors[session.TreePath] = ancestors;
        }

        Span<SubtreeTotals> sums = ancestors.Length <= 64 ? stackalloc SubtreeTotals[ancestors.Length] : new SubtreeTotals[ancestors.Length];
        for (var i = 0; i < ancestors.Length; i++)
        {
            if (!_rolled.TryGetValue(ancestors[i], out var totals))
            {
                totals = (_sessions.GetValueOrDefault(ancestors[i])
                    ?? throw new InvalidOperationException($"The store did not read ancestor '{ancestors[i]}' of session '{session.Id}' before the batch.")).Subtree;
            }

            if (!SubtreeMath.TryAdd(totals, delta, out sums[i]))
            {
                return TreeErrors.Overflow(ancestors[i]);
            }
        }

        for (var i = 0; i < ancestors.Length; i++)
        {
            _rolled[ancestors[i]] = sums[i];
            _subtreeDirty.Add(ancestors[i]);
        }

        return null;
    }

    /// <summary>The session as the batch has it now, its rolled-up totals included (null where none exists).</summary>
    private Session? Current(string id)
    {
        var session = _sessions.GetValueOrDefault(id);
        if (session is not null && _rolled.TryGetValue(id, out var totals) && session.Subtree != totals)
        {
            session = session with { Subtree = totals };
            _sessions[id] = session;
        }

        return session;
    }

    /// <summary>A write produced <paramref name="session"/> (from its current record): its totals are the rolled ones now.</summary>
    private void Rolled(Session session)
    {
        if (_rolled.ContainsKey(session.Id))
        {
            _rolled[session.Id] = session.Subtree;
        }
    }

    /// <summary>
    /// Terminates the target's active descendants (deepest first, so each ancestor's own event comes after its subtree
    /// emptied) and then the target, with the request's reason. Checked against the target first: a missing session or a
    /// wrong expected_version refuses the whole cascade, and nothing is written.
    /// </summary>
    private WriteResult ApplyCascade(TerminateSession cascade, DateTimeOffset now)
    {
        var single = cascade with { Cascade = false };
        var target = Current(cascade.SessionId);
        var check = SessionWriteProcessor.Apply(single, target, new WriteContext(now, Head.ActiveCount, Head.FleetPaused));
        if (check.Error is { } error)
        {
            return new WriteResult(error, null, null);
        }

        var below = TreePath.DescendantsFrom(target!.TreePath);
        var descendants = _sessions.Values
            .Where(s => s is { IsActive: true } && s.TreePath.StartsWith(below, StringComparison.Ordinal)
                && (cascade.Scope is null || LabelScope.Carries(s.Labels, cascade.Scope))) // a scoped key's cascade ends what it can see
            .OrderByDescending(s => s!.Depth).ThenBy(s => s!.TreePath, StringComparer.Ordinal)
            .Select(s => s!.Id).ToList();
        foreach (var id in descendants)
        {
            var result = ApplyOne(new TerminateSession(id) { Reason = cascade.Reason }, now);
            if (result.Error is { } refused)
            {
                throw new InvalidOperationException($"Cascading terminate of '{cascade.SessionId}' could not end '{id}': {refused.Detail}");
            }
        }

        return ApplyOne(single, now);
    }

    /// <summary>
    /// Places a root made from telemetry, with its whole subtree, under the session whose span started it: each moved
    /// session gets one <c>session_updated</c> with its new <c>parent_id</c> (the top one), <c>root_id</c> and <c>depth</c>,
    /// and the top one's event carries its subtree's totals to its new ancestors. Nothing happens (and nothing is refused:
    /// the link is a fact, the tree rules decide whether it is kept) when the session already has a parent, either one
    /// is missing or terminated, the parent lies in the session's own subtree, or the subtree would end up deeper than
    /// the limit.
    /// </summary>
    private WriteResult ApplyAdopt(AdoptSession adopt, DateTimeOffset now)
    {
        var child = Current(adopt.SessionId);
        var parent = Current(adopt.ParentId);
        if (child is null || parent is null || child.ParentId is not null || child.State == SessionState.Terminated ||
            parent.State == SessionState.Terminated || TreePath.IsWithin(parent.TreePath, child.Id))
        {
            return new WriteResult(null, child, null);
        }

        var below = TreePath.DescendantsFrom(child.TreePath);
        var descendants = _sessions.Values
            .Where(s => s is not null && s.TreePath.StartsWith(below, StringComparison.Ordinal))
            .OrderBy(s => s!.TreePath, StringComparer.Ordinal)
            .Select(s => s!.Id).ToList();
        var deepest = descendants.Count == 0 ? child.Depth : descendants.Max(id => Current(id)!.Depth);
        if (parent.Depth + 1 + deepest - child.Depth > adopt.MaxTreeDepth)
        {
            return new WriteResult(null, child, null);
        }

        var top = Record(adopt, child, SessionWriteProcessor.Moved(child, Placed(child, parent), child.Subtree, now), now);
        if (top.Error is not null)
        {
            return top; // the totals would overflow an ancestor's: nothing moved
        }

        _moved.Add(child.Id);
        foreach (var id in descendants)
        {
            var session = Current(id)!;
            Record(adopt, session, SessionWriteProcessor.Moved(session, Placed(session, parent), default, now), now);
            _moved.Add(id);
        }

        return top;
    }

    /// <summary>Where <paramref name="session"/> (a root, or below one) ends up when its root moves under <paramref name="parent"/>.</summary>
    private static Session Placed(Session session, Session parent) => session with
    {
        ParentId = session.ParentId ?? parent.Id,
        RootId = parent.RootId,
        Depth = session.Depth + parent.Depth + 1,
        TreePath = parent.TreePath + TreePath.Separator + session.TreePath,
    };
}
