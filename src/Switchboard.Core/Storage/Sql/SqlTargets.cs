using System.Text.Json;
using Switchboard.Core.Alerts;
using Switchboard.Core.Approvals;
using Switchboard.Core.Commands;
using Switchboard.Core.Sessions;
using Switchboard.Core.Writes;

namespace Switchboard.Core.Storage.Sql;

/// <summary>
/// The write primitives of alerts, commands and approvals (<see cref="IStoreTransaction"/>), once for every SQL store in its
/// dialect: each one statement on the transaction's session (their rows' upserts a statement per table and 500 rows). A store that keeps its commands prepared
/// (<see cref="PreparedStatements"/>) hands in a session that keeps them; the reads' texts are fixed for that.
/// </summary>
internal static class SqlTargets
{
    /// <summary>Rows per statement of <see cref="WriteAsync"/>: 6 parameters each stays far below either database's bound.</summary>
    private const int RowsPerStatement = 500;

    /// <summary>
    /// Each target's alert: by id, or the open one of its rule and subject; null where there is none. Open alerts are read by
    /// rule and by subject and paired here, so the statement's text stays fixed.
    /// </summary>
    public static async ValueTask<IReadOnlyDictionary<AlertTarget, Alert?>> ReadAlertsAsync(SqlConnectionScope db, IReadOnlyCollection<AlertTarget> targets)
    {
        var open = targets.Where(t => t.AlertId is null).ToArray();
        var alerts = await db.QueryAsync(
            $"SELECT data FROM {db.Sql.Table("alerts")} WHERE {db.Sql.In("id", "@ids")} " +
            $"OR (open = {db.Sql.True} AND {db.Sql.In("rule_id", "@rules")} AND {db.Sql.In("subject", "@subjects")});",
            r =>
            {
                using var doc = JsonDocument.Parse(r.GetString(0));
                return AlertJson.ReadAlert(doc.RootElement);
            },
            ("@ids", db.Sql.List(targets.Select(t => t.AlertId).OfType<string>())), ("@rules", db.Sql.List(open.Select(t => t.RuleId!).Distinct())),
            ("@subjects", db.Sql.List(open.Select(t => t.Subject!).Distinct())));
        return targets.ToDictionary(t => t, t => alerts.FirstOrDefault(a => t.AlertId is { } id ? a.Id == id : a.IsOpen && a.RuleId == t.RuleId && a.Subject == t.Subject));
    }

    /// <summary>The commands with <see cref="RequestTargets.Ids"/> and every outstanding one of <see cref="RequestTargets.Sessions"/>.</summary>
    public static async ValueTask<IReadOnlyList<Command>> ReadCommandsAsync(SqlConnectionScope db, RequestTargets targets) =>
        await db.QueryAsync(
            $"SELECT data FROM {db.Sql.Table("commands")} WHERE {db.Sql.In("id", "@ids")} " +
            $"OR ({SqlStore.CommandsOutstanding} AND {db.Sql.In("session_id", "@sessions")});",
            r => CommandJson.Read(r.GetString(0)), ("@ids", db.Sql.List(targets.Ids)), ("@sessions", db.Sql.List(targets.Sessions)));

    /// <summary>
    /// The approvals with <see cref="RequestTargets.Ids"/>, and per session of <see cref="RequestTargets.Sessions"/> the
    /// count of its pending ones with the resume state of the oldest (one field of one row, found by the session's
    /// <c>requested_seq</c> index): a write reads what it targets, never the rows of everything that waits. One statement;
    /// a row with a count is a session's, one without is a targeted approval.
    /// </summary>
    public static async ValueTask<ApprovalRows> ReadApprovalsAsync(SqlConnectionScope db, RequestTargets targets)
    {
        var table = db.Sql.Table("approvals");
        var rows = await db.QueryAsync(
            $"SELECT data, NULL, NULL FROM {table} WHERE {db.Sql.In("id", "@ids")} " +
            $"UNION ALL SELECT p.session_id, p.pending, {db.Sql.JsonText("a.data", "resume_state")} FROM " +
            $"(SELECT session_id, COUNT(*) AS pending, MIN(requested_seq) AS oldest FROM {table} " +
            $"WHERE state = 'pending' AND {db.Sql.In("session_id", "@sessions")} GROUP BY session_id) AS p " +
            $"JOIN {table} AS a ON a.session_id = p.session_id AND a.requested_seq = p.oldest;",
            r => (Text: r.GetString(0), Count: r.IsDBNull(1) ? (long?)null : r.GetInt64(1), Resume: r.IsDBNull(2) ? null : r.GetString(2)),
            ("@ids", db.Sql.List(targets.Ids)), ("@sessions", db.Sql.List(targets.Sessions)));
        var targeted = new List<Approval>();
        var pending = new Dictionary<string, PendingApprovals>(StringComparer.Ordinal);
        foreach (var (text, count, resume) in rows)
        {
            if (count is { } n)
            {
                pending[text] = new PendingApprovals(checked((int)n), SessionStates.TryParse(resume, out var state) ? state : SessionState.Working);
            }
            else
            {
                targeted.Add(ApprovalJson.Read(text));
            }
        }

        return new ApprovalRows(targeted, pending);
    }

    /// <summary>The pending approvals of <paramref name="sessionIds"/>, in the order asked (the pending index of each session).</summary>
    public static async ValueTask<IReadOnlyList<Approval>> ReadPendingApprovalsAsync(SqlConnectionScope db, IReadOnlyCollection<string> sessionIds) =>
        await db.QueryAsync(
            $"SELECT data FROM {db.Sql.Table("approvals")} WHERE state = 'pending' AND {db.Sql.In("session_id", "@sessions")} ORDER BY requested_seq;",
            r => ApprovalJson.Read(r.GetString(0)), ("@sessions", db.Sql.List(sessionIds)));

    /// <summary>Inserts or updates the alerts, commands and approvals <paramref name="batch"/> changed, by id.</summary>
    public static async ValueTask WriteAsync(SqlConnectionScope db, WriteBatch batch)
    {
        await UpsertAsync(db, "alerts", ["id", "rule_id", "subject", "open", "raised_seq", "data"], ["open", "data"], batch.DirtyAlerts,
            a => [a.Id, a.RuleId, a.Subject, a.IsOpen, a.RaisedSeq, System.Text.Encoding.UTF8.GetString(AlertJson.ToBytes(a))]);
        await UpsertAsync(db, "commands", ["id", "session_id", "state", "issued_seq", "expires_at", "data"], ["state", "data"], batch.DirtyCommands,
            c => [c.Id, c.SessionId, c.State.ToWire(), c.IssuedSeq, db.Sql.Time(c.ExpiresAt), CommandJson.ToRow(c)]);
        await UpsertAsync(db, "approvals", ["id", "session_id", "state", "requested_seq", "expires_at", "data"], ["state", "data"], batch.DirtyApprovals,
            a => [a.Id, a.SessionId, a.State.ToWire(), a.RequestedSeq, db.Sql.Time(a.ExpiresAt), ApprovalJson.ToRow(a)]);
    }

    /// <summary>
    /// Inserts <paramref name="rows"/> into <paramref name="table"/> (keyed by its first column), or sets
    /// <paramref name="updated"/> where the key is there; a statement per <see cref="RowsPerStatement"/> rows.
    /// </summary>
    private static async ValueTask UpsertAsync<T>(SqlConnectionScope db, string table, string[] columns, string[] updated, IEnumerable<T> rows, Func<T, object?[]> values)
    {
        foreach (var chunk in rows.Chunk(RowsPerStatement))
        {
            var args = new List<(string Name, object? Value)>(chunk.Length * columns.Length);
            var tuples = new string[chunk.Length];
            for (var i = 0; i < chunk.Length; i++)
            {
                var row = values(chunk[i]);
                tuples[i] = "(" + string.Join(", ", columns.Select((_, c) => $"@p{i}_{c}")) + ")";
                args.AddRange(row.Select((v, c) => ($"@p{i}_{c}", v)));
            }

            await db.ExecuteAsync(
                $"INSERT INTO {db.Sql.Table(table)} ({string.Join(", ", columns)}) VALUES {string.Join(", ", tuples)} " +
                $"ON CONFLICT ({columns[0]}) DO UPDATE SET {string.Join(", ", updated.Select(c => $"{c} = excluded.{c}"))};", [.. args]);
        }
    }
}
