using Switchboard.Events;
using Switchboard.Trees;

namespace Switchboard.Alerting;

/// <summary>
/// Subtree rules: the evaluator holds active sessions only, so it keeps their <c>subtree</c> totals itself, adding each
/// descendant's event's delta to the ancestors it holds (the event names them) and marking them for evaluation. An
/// ancestor's own events carry its totals anyway (<c>subtree</c> is in every <c>changes</c>).
/// </summary>
internal sealed partial class AlertEvaluator
{
    private void RollUpAncestors(EventRecord e)
    {
        if (e.TreePath is not { } path || path.IndexOf(TreePath.Separator) < 0)
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
            if (_sessions.TryGetValue(id, out var ancestor) && SubtreeMath.TryAdd(ancestor.Subtree, delta, out var sum))
            {
                _sessions[id] = ancestor with { Subtree = sum };
                _dirty.Add(id);
            }
        }
    }
}
