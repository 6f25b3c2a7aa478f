using System.Text.Json;
using Microsoft.Data.Sqlite;
using Switchboard.Approvals;
using Switchboard.Writes;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// SQLite's approval primitives, on the writer connection inside its transaction. Approvals are rare next to session
/// writes (one per permission a person is asked for), so they run ad hoc statements rather than hold prepared ones.
/// </summary>
internal sealed partial class SqliteWriteTransaction
{
    public ValueTask<IReadOnlyList<Approval>> ReadApprovalsAsync(ApprovalTargets targets)
    {
        using var select = Statement(
            "SELECT data FROM approvals WHERE id IN (SELECT value FROM json_each($ids)) " +
            "OR (state = 'pending' AND session_id IN (SELECT value FROM json_each($sessions)));");
        select.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(targets.Ids));
        select.Parameters.AddWithValue("$sessions", JsonSerializer.Serialize(targets.Sessions));
        var found = new List<Approval>();
        using var reader = select.ExecuteReader();
        while (reader.Read())
        {
            found.Add(ApprovalJson.Read(reader.GetString(0)));
        }

        return ValueTask.FromResult<IReadOnlyList<Approval>>(found);
    }

    public ValueTask WriteApprovalsAsync(IReadOnlyCollection<Approval> approvals)
    {
        using var upsert = Statement(
            "INSERT INTO approvals(id, session_id, state, requested_seq, expires_at, data) VALUES ($id, $session, $state, $seq, $expires, $data) " +
            "ON CONFLICT(id) DO UPDATE SET state = excluded.state, data = excluded.data;");
        var id = upsert.Parameters.Add("$id", SqliteType.Text);
        var session = upsert.Parameters.Add("$session", SqliteType.Text);
        var state = upsert.Parameters.Add("$state", SqliteType.Text);
        var seq = upsert.Parameters.Add("$seq", SqliteType.Integer);
        var expires = upsert.Parameters.Add("$expires", SqliteType.Integer);
        var data = upsert.Parameters.Add("$data", SqliteType.Text);
        foreach (var a in approvals)
        {
            id.Value = a.Id;
            session.Value = a.SessionId;
            state.Value = a.State.ToWire();
            seq.Value = a.RequestedSeq;
            expires.Value = a.ExpiresAt.ToUnixTimeMilliseconds();
            data.Value = ApprovalJson.ToRow(a);
            upsert.ExecuteNonQuery();
        }

        return ValueTask.CompletedTask;
    }

    private SqliteCommand Statement(string text)
    {
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = text;
        return command;
    }
}
