using Switchboard.Core.Sessions;
using Switchboard.Server.Live;

namespace Switchboard.Server.Alerts;

/// <summary>
/// The live projection's active sessions as its feed reported them, on the evaluator's loop: the state it started
/// from, then each applied event's session and the ancestors the projection rolled its <c>subtree</c> delta into. It
/// derives nothing itself (the projection applied the event), and marks what changed for the next pass.
/// </summary>
internal sealed class ObservedSessions
{
    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _changed = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    public IEnumerable<Session> All => _sessions.Values;

    /// <summary>The sessions changed since <see cref="ClearChanged"/> (some may have ended since).</summary>
    public IReadOnlyCollection<string> Changed => _changed;

    public Session? Get(string id) => _sessions.GetValueOrDefault(id);

    /// <summary>Starts again from the projection's active sessions.</summary>
    public void Reset(IReadOnlyList<Session> active)
    {
        _sessions.Clear();
        foreach (var s in active)
        {
            _sessions[s.Id] = s;
        }
    }

    /// <summary>
    /// Takes one applied session event: the session as the projection holds it after the event (null: no longer active),
    /// and its rolled-up ancestors. Returns the session as it was before, for the parts that count deltas.
    /// </summary>
    public Session? Apply(string id, AppliedEvent applied, out Session? active)
    {
        var before = _sessions.GetValueOrDefault(id);
        active = applied.After is { IsActive: true } after ? after : null;
        if (active is not null)
        {
            _sessions[id] = active;
        }
        else
        {
            _sessions.Remove(id);
        }

        _changed.Add(id);
        if (applied.RolledUp is { } rolledUp)
        {
            foreach (var ancestor in rolledUp)
            {
                _sessions[ancestor.Id] = ancestor;
                _changed.Add(ancestor.Id);
            }
        }

        return before;
    }

    /// <summary>Marks every active session changed (a full pass).</summary>
    public void MarkAll() => _changed.UnionWith(_sessions.Keys);

    /// <summary>Marks one session changed, active or not (the subject of an open alert, which may have ended).</summary>
    public void MarkChanged(string id) => _changed.Add(id);

    public void ClearChanged() => _changed.Clear();
}
