using System.Data.Common;
using Switchboard.Approvals;

namespace Switchboard.Storage.Sql;

/// <summary>Approval reads; their rows change only in write transactions (<see cref="IStoreTransaction"/>).</summary>
internal abstract partial class SqlStore : IApprovalStore
{
    /// <inheritdoc />
    public Task<IReadOnlyList<Approval>> ListApprovalsAsync(string sessionId, IReadOnlyCollection<ApprovalState>? states, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<Approval>>("list approvals", snapshot: false, async db => states is { Count: > 0 }
            ? await db.QueryAsync($"SELECT data FROM {Sql.Table("approvals")} WHERE session_id = @session AND {Sql.In("state", "@states")} ORDER BY requested_seq LIMIT @limit;",
                ReadApproval, ("@session", sessionId), ("@states", Sql.List(states.Select(s => s.ToWire()))), ("@limit", limit))
            : await db.QueryAsync($"SELECT data FROM {Sql.Table("approvals")} WHERE session_id = @session ORDER BY requested_seq LIMIT @limit;",
                ReadApproval, ("@session", sessionId), ("@limit", limit)), cancellationToken);

    /// <inheritdoc />
    public Task<Approval?> GetApprovalAsync(string id, CancellationToken cancellationToken) => ReadAsync("read an approval", snapshot: false, db =>
        db.FirstAsync($"SELECT data FROM {Sql.Table("approvals")} WHERE id = @id;", ReadApproval, ("@id", id)), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<(string SessionId, string ApprovalId)>> FindExpiredApprovalsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<(string, string)>>("find expired approvals", snapshot: false, async db => await db.QueryAsync(
            $"SELECT session_id, id FROM {Sql.Table("approvals")} WHERE state = 'pending' AND expires_at <= @now ORDER BY expires_at LIMIT @limit;",
            r => (r.GetString(0), r.GetString(1)), ("@now", Sql.Time(now)), ("@limit", limit)), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<(string SessionId, string ApprovalId, string Holder)>> FindUnheldApprovalsAsync(string self, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<(string, string, string)>>("find approvals nobody holds", snapshot: false, async db => await db.QueryAsync(
            $"SELECT session_id, id, holder FROM (SELECT session_id, id, requested_seq, {Sql.JsonText("data", "held_by")} AS holder " +
            $"FROM {Sql.Table("approvals")} WHERE state = 'pending') AS p " +
            $"WHERE holder IS NOT NULL AND holder <> @self AND holder NOT IN ({LiveNodes}) ORDER BY requested_seq LIMIT @limit;",
            r => (r.GetString(0), r.GetString(1), r.GetString(2)), ("@self", self), ("@limit", limit)), cancellationToken);

    /// <summary>
    /// A query of the ids of the nodes alive now (<see cref="FindUnheldApprovalsAsync"/>): none for a store of one node,
    /// whose data directory no other process can open.
    /// </summary>
    protected virtual string LiveNodes => "SELECT NULL WHERE 1 = 0";

    private static Approval ReadApproval(DbDataReader reader) => ApprovalJson.Read(reader.GetString(0));
}
