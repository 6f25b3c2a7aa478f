using Switchboard.Core.Sessions;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// The writer's copy of the session rows it last committed or read, so a write does not select and parse again a row
/// it already knows. Owned by the writer: touched only under the store's write lock, and only with committed rows.
/// Bounded: past <see cref="Capacity"/> rows it starts over. Dropped whenever the database may have changed under the
/// writer (the head moved, a commit failed). Holds no terminated session: one is final and seldom written again (its
/// subtree totals, a refused write read it from the file), and keeping every session that ever ended would grow the
/// cache with the fleet's churn until it starts over.
/// </summary>
internal sealed class SessionRowCache
{
    /// <summary>Rows kept at most (sessions are records of a few hundred bytes).</summary>
    public const int Capacity = 50_000;

    private readonly Dictionary<string, Session> _rows = new(StringComparer.Ordinal);

    public bool TryGet(string id, out Session? session)
    {
        var found = _rows.TryGetValue(id, out var row);
        session = row;
        return found;
    }

    /// <summary>Keeps <paramref name="session"/> as the committed row of its id (forgets it once terminated).</summary>
    public void Remember(Session session)
    {
        if (session.State == SessionState.Terminated)
        {
            _rows.Remove(session.Id);
            return;
        }

        if (_rows.Count >= Capacity && !_rows.ContainsKey(session.Id))
        {
            _rows.Clear();
        }

        _rows[session.Id] = session;
    }

    public void Clear() => _rows.Clear();
}
