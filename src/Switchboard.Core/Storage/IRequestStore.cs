namespace Switchboard.Core.Storage;

/// <summary>
/// The reads of one kind of request to a session (commands, approvals; docs/architecture.md "Requests to a session"),
/// kept by the same store as the log. Their rows change only through <see cref="ISessionStore.WriteAsync"/> (the kind's
/// writes), in the same transaction as their events.
/// </summary>
internal interface IRequestStore<TRequest, TState> where TRequest : class
{
    /// <summary>A session's requests in the order made, only those in <paramref name="states"/> when given.</summary>
    Task<IReadOnlyList<TRequest>> ListAsync(string sessionId, IReadOnlyCollection<TState>? states, int limit, CancellationToken cancellationToken);

    /// <summary>One request, or null.</summary>
    Task<TRequest?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Open requests whose expiry is at or before <paramref name="now"/>, earliest first.</summary>
    Task<IReadOnlyList<(string SessionId, string Id)>> FindExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Open requests held by a node that is gone: neither <paramref name="self"/> nor a node the store knows alive
    /// (PostgreSQL: renewed within its presence liveness; a store of one node knows no other, so any holder but this run
    /// is a previous run's). In the order made; those nobody holds, and every one of a kind without holders, are never among them.
    /// </summary>
    Task<IReadOnlyList<(string SessionId, string Id, string Holder)>> FindUnheldAsync(string self, int limit, CancellationToken cancellationToken);
}
