namespace Switchboard.Client;

/// <summary>
/// Subtree totals: no event is sent for an ancestor whose subtree changed, so the view adds each child event's
/// <see cref="SwitchboardEvent.SubtreeDelta"/> to the ancestors it holds. It remembers the log position each held session
/// reflects (the snapshot's seq, a page's <c>as_of_seq</c>, its last event), and applies a delta only when the event is
/// later, so a session read from a page after the event is never counted twice.
/// </summary>
public sealed partial class LiveSessionView
{
    // Touched only by the view's own task, which applies the items one at a time.
    private readonly Dictionary<string, long> _asOf = new(StringComparer.Ordinal);

    private void ReadAt(string id, long seq) => _asOf[id] = seq;

    private void RollUp(StreamItem item)
    {
        if (item is not SwitchboardEvent { SubtreeDelta: { } delta, Seq: { } seq } e || e.Ancestors.Count == 0)
        {
            return;
        }

        var s = _state;
        var sessions = s.Sessions;
        foreach (var id in e.Ancestors)
        {
            if (sessions.TryGetValue(id, out var ancestor) && seq > _asOf.GetValueOrDefault(id))
            {
                sessions = sessions.SetItem(id, ancestor with { Subtree = ancestor.Subtree.Add(delta) });
                _asOf[id] = seq;
            }
        }

        if (!ReferenceEquals(sessions, s.Sessions))
        {
            _state = s with { Sessions = sessions };
        }
    }
}
