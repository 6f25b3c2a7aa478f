using Switchboard.Core.Errors;
using Switchboard.Core.Hosting;
using Switchboard.Core.Sessions;
using Switchboard.Core.Trees;

namespace Switchboard.Core.Writes;

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
    private IReadOnlyDictionary<string, CascadePlan>? _cascades;

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
    /// Terminates the active descendants its <see cref="CascadePlan"/> names for this commit (deepest first, so each
    /// ancestor's own event comes after its subtree emptied) and, once none is left, the target, with the request's
    /// reason. Checked against the target first: a missing session or a wrong expected_version refuses the whole cascade,
    /// and nothing is written. A plan that is not complete leaves the target as it is and marks the result
    /// <see cref="WriteResult.Incomplete"/>: the writer submits the cascade again, as its own commit, until it is.
    /// </summary>
    private WriteResult ApplyCascade(TerminateSession cascade, DateTimeOffset now)
    {
        var single = cascade with { Cascade = false };
        var target = Current(cascade.SessionId);
        var check = SessionTransitions.Apply(single, target, new WriteContext(now, Head.ActiveCount, Head.FleetPaused));
        if (check.Error is { } error)
        {
            return new WriteResult(error, null, null);
        }

        var plan = _cascades?.GetValueOrDefault(cascade.SessionId) ?? new CascadePlan([], Complete: true);
        var ended = 0;
        foreach (var id in plan.Descendants)
        {
            if (Current(id) is not { IsActive: true } descendant || (cascade.Scope is { } scope && !LabelScope.Carries(descendant.Labels, scope)))
            {
                continue; // ended by an earlier write of the batch (another cascade over the same subtree), or outside a scoped key's view
            }

            ended++;
            var result = ApplyOne(new TerminateSession(id) { Reason = cascade.Reason }, now);
            if (result.Error is { } refused)
            {
                throw new InvalidOperationException($"Cascading terminate of '{cascade.SessionId}' could not end '{id}': {refused.Detail}");
            }
        }

        // A part that ended nothing (what is left is outside the key's scope) ends the cascade too: it would make no progress.
        return plan.Complete || ended == 0 ? ApplyOne(single, now) : new WriteResult(null, Current(cascade.SessionId), null) { Incomplete = true };
    }

    /// <summary>
    /// Places a root made from telemetry, with its whole subtree, under the session whose span started it: each moved
    /// session gets one <c>session_updated</c> with its new <c>parent_id</c> (the top one), <c>root_id</c> and <c>depth</c>,
    /// and the top one's event carries its subtree's totals to its new ancestors. Nothing happens (and nothing is refused:
    /// the link is a fact, the tree rules decide whether it is kept) when the session already has a parent, either one
    /// is missing or terminated, the parent lies in the session's own subtree, the subtree would end up deeper (or its
    /// paths longer) than the limits, or the link came from a scoped key whose scope one of the two is outside.
    /// </summary>
    private WriteResult ApplyAdopt(AdoptSession adopt, DateTimeOffset now)
    {
        var child = Current(adopt.SessionId);
        var parent = Current(adopt.ParentId);
        if (child is null || parent is null || child.ParentId is not null || child.State == SessionState.Terminated ||
            parent.State == SessionState.Terminated || TreePath.IsWithin(parent.TreePath, child.Id) ||
            (adopt.Scope is { } scope && !(LabelScope.Carries(child.Labels, scope) && LabelScope.Carries(parent.Labels, scope))))
        {
            return new WriteResult(null, child, null);
        }

        var below = TreePath.DescendantsFrom(child.TreePath);
        var descendants = _sessions.Values
            .Where(s => s is not null && s.TreePath.StartsWith(below, StringComparison.Ordinal))
            .OrderBy(s => s!.TreePath, StringComparer.Ordinal)
            .Select(s => s!.Id).ToList();
        var deepest = descendants.Count == 0 ? child.Depth : descendants.Max(id => Current(id)!.Depth);
        var longest = descendants.Count == 0 ? child.TreePath.Length : descendants.Max(id => Current(id)!.TreePath.Length);
        if (parent.Depth + 1 + deepest - child.Depth > adopt.MaxTreeDepth || parent.TreePath.Length + 1 + longest > SwitchboardDefaults.MaxTreePathLength)
        {
            return new WriteResult(null, child, null);
        }

        var top = Record(adopt, child, SessionTransitions.Moved(child, Placed(child, parent), child.Subtree, now), now);
        if (top.Error is not null)
        {
            return top; // the totals would overflow an ancestor's: nothing moved
        }

        _moved.Add(child.Id);
        foreach (var id in descendants)
        {
            var session = Current(id)!;
            Record(adopt, session, SessionTransitions.Moved(session, Placed(session, parent), default, now), now);
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

/// <summary>
/// The part of a cascading terminate one commit applies: these active descendants, deepest first, and the target itself
/// only when <paramref name="Complete"/> (no active descendant is left after these).
/// </summary>
internal sealed record CascadePlan(IReadOnlyList<string> Descendants, bool Complete);
