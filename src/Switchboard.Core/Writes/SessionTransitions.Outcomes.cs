using Switchboard.Core.Events;
using Switchboard.Core.Sessions;
using Switchboard.Core.Trees;

namespace Switchboard.Core.Writes;

/// <summary>The decisions writes end in: a change, a move under a new parent, an end; each rolls its own totals into its subtree.</summary>
internal static partial class SessionTransitions
{
    /// <summary>An update that keeps the session active: bumps the version when anything visible changed, and renews the lease either way.</summary>
    private static WriteDecision Changed(Session current, Session next, string? reason, in WriteContext ctx)
    {
        var lease = LeaseDeadline(next.LeaseSeconds, ctx.Now);
        if (!SessionChanges.Differ(current, next))
        {
            var renewed = current with { LeaseExpiresAt = lease };
            return new WriteDecision { Session = renewed, PersistSession = renewed.LeaseExpiresAt != current.LeaseExpiresAt };
        }

        var after = next with { Version = current.Version + 1, UpdatedAt = ctx.Now, LeaseExpiresAt = lease };
        if (!RollOwn(current, ref after, out var delta))
        {
            return WriteDecision.Refuse(TreeErrors.Overflow(current.Id));
        }

        return new WriteDecision
        {
            Session = after,
            PersistSession = true,
            Delta = delta,
            Event = new(EventTypes.SessionUpdated, after.Id, ctx.Now, EventData.Updated(current, after, reason, delta)),
        };
    }

    /// <summary>
    /// <paramref name="current"/> moved to <paramref name="place"/> (its parent, root, depth and path) by an adoption:
    /// a new version whose event carries <paramref name="delta"/> to its new ancestors (the whole subtree's totals for the
    /// session that moved, zero for each session below it, already counted there), and the whole session, which
    /// subscribers of its new ancestors' subtrees have never seen.
    /// </summary>
    public static WriteDecision Moved(Session current, Session place, SubtreeTotals delta, DateTimeOffset now)
    {
        var after = current with
        {
            ParentId = place.ParentId,
            RootId = place.RootId,
            Depth = place.Depth,
            TreePath = place.TreePath,
            Version = current.Version + 1,
            UpdatedAt = now,
        };
        return new WriteDecision
        {
            Session = after,
            PersistSession = true,
            Delta = delta,
            Event = new(EventTypes.SessionUpdated, after.Id, now, EventData.Updated(current, after, AdoptedReason, delta, whole: true)),
        };
    }

    private static WriteDecision Finish(Session current, Session next, string reason, in WriteContext ctx)
    {
        var after = next with
        {
            State = SessionState.Terminated,
            TerminatedAt = ctx.Now,
            UpdatedAt = ctx.Now,
            Version = current.Version + 1,
            LeaseExpiresAt = null,
            Streams = ClosedWithSession(next.Streams),
        };
        if (!RollOwn(current, ref after, out var delta))
        {
            return WriteDecision.Refuse(TreeErrors.Overflow(current.Id));
        }

        return new WriteDecision
        {
            Session = after,
            PersistSession = true,
            ActiveDelta = -1,
            Delta = delta,
            Event = new(EventTypes.SessionTerminated, after.Id, ctx.Now, EventData.Terminated(after, reason, ctx.ActiveCount - 1, delta)),
        };
    }

    /// <summary>
    /// Adds what the change did to the session's own totals to its <c>subtree</c> (its descendants' share stays as the
    /// transaction read it); false when a counter would overflow. The same delta then goes to every ancestor (WriteBatch).
    /// </summary>
    private static bool RollOwn(Session current, ref Session after, out SubtreeTotals delta)
    {
        delta = SubtreeMath.Delta(current, after);
        if (delta.IsZero)
        {
            return true;
        }

        if (!SubtreeMath.TryAdd(current.Subtree, delta, out var subtree))
        {
            return false;
        }

        after = after with { Subtree = subtree };
        return true;
    }
}
