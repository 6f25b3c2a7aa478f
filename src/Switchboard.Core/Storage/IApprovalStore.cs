using Switchboard.Approvals;

namespace Switchboard.Storage;

/// <summary>
/// Approvals, kept by the same store as the log. Their rows change only through <see cref="ISessionStore.WriteAsync"/>
/// (the approval writes), in the same transaction as their events.
/// </summary>
internal interface IApprovalStore
{
    /// <summary>A session's approvals in the order asked, only those in <paramref name="states"/> when given.</summary>
    Task<IReadOnlyList<Approval>> ListApprovalsAsync(string sessionId, IReadOnlyCollection<ApprovalState>? states, int limit, CancellationToken cancellationToken);

    /// <summary>One approval, or null.</summary>
    Task<Approval?> GetApprovalAsync(string id, CancellationToken cancellationToken);

    /// <summary>Pending approvals whose expiry is at or before <paramref name="now"/>, earliest first.</summary>
    Task<IReadOnlyList<(string SessionId, string ApprovalId)>> FindExpiredApprovalsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Pending approvals held by a node that is gone: neither <paramref name="self"/> nor a node the store knows alive
    /// (PostgreSQL: renewed within its presence liveness; a store of one node knows no other, so any holder but this run
    /// is a previous run's). In the order asked; those nobody holds (asked over the API) are never among them.
    /// </summary>
    Task<IReadOnlyList<(string SessionId, string ApprovalId, string Holder)>> FindUnheldApprovalsAsync(string self, int limit, CancellationToken cancellationToken);
}
