using Switchboard.Core.Sessions;

namespace Switchboard.Core.Writes;

/// <summary>
/// The requests of one kind a write batch holds: those the store read, as the batch's writes change them, and which of
/// them the store must write back (the final version of each, upserted by id, in the order first changed).
/// </summary>
internal sealed class RequestBook<T> where T : class, ISessionRequest
{
    private readonly Dictionary<string, T> _rows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _idsBySession = new(StringComparer.Ordinal); // each id once, in the order first seen
    private readonly Dictionary<string, T> _dirty = new(StringComparer.Ordinal);

    /// <summary>The requests whose row must be written.</summary>
    public IReadOnlyCollection<T> Dirty => _dirty.Values;

    /// <summary>Every request the batch holds.</summary>
    public IEnumerable<T> All => _rows.Values;

    /// <summary>The request with <paramref name="id"/>, or null when the store read none and the batch made none.</summary>
    public T? Get(string id) => _rows.GetValueOrDefault(id);

    /// <summary>The session's requests the batch holds, in the order first seen.</summary>
    public IEnumerable<T> OfSession(string sessionId)
    {
        foreach (var id in _idsBySession.GetValueOrDefault(sessionId) ?? [])
        {
            yield return _rows[id];
        }
    }

    /// <summary>How many of the session's requests the batch holds match <paramref name="predicate"/>.</summary>
    public int Count(string sessionId, Func<T, bool> predicate) => OfSession(sessionId).Count(predicate);

    /// <summary>Takes a request the store read, or the batch changed, as the batch's current version of it.</summary>
    public void Remember(T request)
    {
        if (_rows.TryAdd(request.Id, request))
        {
            if (!_idsBySession.TryGetValue(request.SessionId, out var ids))
            {
                ids = [];
                _idsBySession[request.SessionId] = ids;
            }

            ids.Add(request.Id);
            return;
        }

        _rows[request.Id] = request;
    }

    /// <summary>Takes the batch's new version of a request, to be written.</summary>
    public void Changed(T request)
    {
        Remember(request);
        _dirty[request.Id] = request;
    }
}
