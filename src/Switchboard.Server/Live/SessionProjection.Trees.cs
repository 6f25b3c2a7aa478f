using Switchboard.Core.Events;
using Switchboard.Core.Sessions;
using Switchboard.Core.Trees;

namespace Switchboard.Server.Live;

/// <summary>
/// The subtree totals of the active sessions the projection holds: an event of a child adds its delta (what the event
/// names in <c>subtree_delta</c>, for the ancestors it lists) to each ancestor held here, exactly as the store added it in
/// the event's own transaction, so a snapshot taken at a position shows the totals as of that position. No event is
/// appended per ancestor; terminated ancestors are not held here, and their rows are exact in the store.
/// </summary>
internal sealed partial class SessionProjection
{
    private readonly List<Session> _rolledUp = [];

    /// <summary>The active ancestors the last <see cref="Apply"/> added a descendant's delta to, as they are now (for the observers' feeds).</summary>
    public IReadOnlyList<Session> RolledUp => _rolledUp;

    private void RollUp(EventRecord e)
    {
        if (e.TreePath is not { } path || path.IndexOf(TreePath.Separator) < 0 || _active.Count < 2)
        {
            return;
        }

        var delta = TreeEventData.Delta(e);
        if (delta.IsZero)
        {
            return;
        }

        foreach (var id in TreePath.Ancestors(path))
        {
            if (_active.TryGetValue(id, out var ancestor) && SubtreeMath.TryAdd(ancestor.Subtree, delta, out var sum))
            {
                var rolled = ancestor with { Subtree = sum };
                _active[id] = rolled;
                _byCreated[rolled.CreatedSeq] = rolled;
                _rolledUp.Add(rolled);
            }
        }
    }
}
