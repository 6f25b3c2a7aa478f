using System.Data.Common;
using Switchboard.Core.Approvals;

namespace Switchboard.Core.Storage.Sql;

/// <summary>Approvals: their table, read by the request reads (SqlStore.Requests.cs); the node holding an asking hook is <c>held_by</c>.</summary>
internal abstract partial class SqlStore : IRequestStore<Approval, ApprovalState>
{
    private static readonly RequestTable<Approval, ApprovalState> ApprovalTable = new("approvals", "approvals", "an approval", "requested_seq", "state = 'pending'",
        Holder: "held_by", ApprovalJson.Read, s => s.ToWire());

    Task<IReadOnlyList<Approval>> IRequestStore<Approval, ApprovalState>.ListAsync(string sessionId, IReadOnlyCollection<ApprovalState>? states, int limit,
        CancellationToken cancellationToken) => ListRequestsAsync(ApprovalTable, sessionId, states, limit, cancellationToken);

    Task<Approval?> IRequestStore<Approval, ApprovalState>.GetAsync(string id, CancellationToken cancellationToken) => GetRequestAsync(ApprovalTable, id, cancellationToken);

    Task<IReadOnlyList<(string SessionId, string Id)>> IRequestStore<Approval, ApprovalState>.FindExpiredAsync(DateTimeOffset now, int limit,
        CancellationToken cancellationToken) => FindExpiredRequestsAsync(ApprovalTable, now, limit, cancellationToken);

    Task<IReadOnlyList<(string SessionId, string Id, string Holder)>> IRequestStore<Approval, ApprovalState>.FindUnheldAsync(string self, int limit,
        CancellationToken cancellationToken) => FindUnheldRequestsAsync(ApprovalTable, self, limit, cancellationToken);

    private static Approval ReadApproval(DbDataReader reader) => ApprovalJson.Read(reader.GetString(0));
}
