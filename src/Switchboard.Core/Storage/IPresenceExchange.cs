namespace Switchboard.Core.Storage;

/// <summary>One viewer on one topic, as nodes share it: its key, its unique ref and its meta as a JSON object.</summary>
internal sealed record PresenceRecord(string Topic, string Key, string Ref, string MetaJson);

/// <summary>
/// Presence shared by the nodes of one store. Each node writes its own viewers and reads the others'; a node that stops
/// renewing its liveness (it died, it lost the database) drops out of every other node's view within
/// <see cref="Liveness"/>. A store that serves one node (SQLite) has none.
/// </summary>
internal interface IPresenceExchange
{
    /// <summary>This node's id among the store's nodes: random, never repeated across nodes or restarts.</summary>
    string NodeId { get; }

    /// <summary>How long a node's viewers stay visible to the others after its last renewal.</summary>
    TimeSpan Liveness { get; }

    /// <summary>How often a node renews its liveness (well within <see cref="Liveness"/>).</summary>
    TimeSpan RenewInterval { get; }

    /// <summary>Marks this node alive now; the first call registers it.</summary>
    Task RenewAsync(CancellationToken cancellationToken);

    /// <summary>Adds this node's viewers.</summary>
    Task AddAsync(IReadOnlyList<PresenceRecord> records, CancellationToken cancellationToken);

    /// <summary>Removes this node's viewers by ref.</summary>
    Task RemoveAsync(IReadOnlyList<string> refs, CancellationToken cancellationToken);

    /// <summary>Every viewer of every other live node.</summary>
    Task<IReadOnlyList<PresenceRecord>> ReadOthersAsync(CancellationToken cancellationToken);

    /// <summary>Removes this node's rows and its liveness (a graceful stop): the others drop its viewers at once.</summary>
    Task LeaveAsync(CancellationToken cancellationToken);
}
