using Switchboard.Approvals;
using Switchboard.Writes;

namespace Switchboard.Storage.Postgres;

/// <summary>PostgreSQL's approval primitives: one round trip each, arrays for the rows.</summary>
internal sealed partial class PostgresWriteTransaction
{
    public async ValueTask<IReadOnlyList<Approval>> ReadApprovalsAsync(ApprovalTargets targets) =>
        await QueryAsync(Command(
            "SELECT data FROM switchboard_approvals WHERE id = ANY(@ids) OR (state = 'pending' AND session_id = ANY(@sessions));",
            ("ids", targets.Ids.ToArray()), ("sessions", targets.Sessions.ToArray())), r => ApprovalJson.Read(r.GetString(0)));

    public ValueTask WriteApprovalsAsync(IReadOnlyCollection<Approval> approvals) => ExecuteAsync(Command(
        "INSERT INTO switchboard_approvals (id, session_id, state, requested_seq, expires_at, data) " +
        "SELECT i, s, st, q, to_timestamp(e / 1000.0), d FROM unnest(@ids, @sessions, @states, @seqs, @expires, @data) AS u(i, s, st, q, e, d) " +
        "ON CONFLICT (id) DO UPDATE SET state = excluded.state, data = excluded.data;",
        ("ids", approvals.Select(a => a.Id).ToArray()), ("sessions", approvals.Select(a => a.SessionId).ToArray()),
        ("states", approvals.Select(a => a.State.ToWire()).ToArray()), ("seqs", approvals.Select(a => a.RequestedSeq).ToArray()),
        ("expires", approvals.Select(a => a.ExpiresAt.ToUnixTimeMilliseconds()).ToArray()), ("data", approvals.Select(ApprovalJson.ToRow).ToArray())));
}
