namespace Switchboard.Core.Writes;

/// <summary>
/// What a store reads, inside its transaction, for a batch's requests of one kind: the requests with these ids, and
/// what the kind needs of these sessions' open ones (commands: their rows; approvals: how many, and the oldest's resume state).
/// </summary>
internal sealed record RequestTargets(IReadOnlyCollection<string> Ids, IReadOnlyCollection<string> Sessions)
{
    /// <summary>True when the batch needs no read of this kind.</summary>
    public bool IsEmpty => Ids.Count == 0 && Sessions.Count == 0;

    /// <summary>Collects a batch's targets, each once.</summary>
    internal sealed class Builder
    {
        private HashSet<string>? _ids;
        private HashSet<string>? _sessions;

        public void Requests(IEnumerable<string> ids) => (_ids ??= new(StringComparer.Ordinal)).UnionWith(ids);

        public void Session(string id) => (_sessions ??= new(StringComparer.Ordinal)).Add(id);

        public RequestTargets Build() => new(_ids is null ? [] : [.. _ids], _sessions is null ? [] : [.. _sessions]);
    }
}
