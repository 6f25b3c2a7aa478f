using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Switchboard.Alerts;

namespace Switchboard.Storage.Sqlite;

internal sealed partial class SqliteSessionStore
{
    /// <inheritdoc />
    public Task<IReadOnlyList<Alert>> ListAlertsAsync(bool? openOnly, int limit, CancellationToken cancellationToken)
    {
        using var lease = _readers.Rent();
        var connection = lease.Connection;
        using var command = connection.CreateCommand();
        var where = openOnly switch { true => "WHERE open = 1", false => "WHERE open = 0", null => "" };
        command.CommandText = $"SELECT data FROM alerts {where} ORDER BY raised_seq DESC LIMIT $limit;";
        command.Parameters.AddWithValue("$limit", limit);
        return Task.FromResult<IReadOnlyList<Alert>>(ReadAlerts(command));
    }

    /// <inheritdoc />
    public Task<Alert?> GetAlertAsync(string id, CancellationToken cancellationToken)
    {
        using var lease = _readers.Rent();
        var connection = lease.Connection;
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT data FROM alerts WHERE id = $id;";
        command.Parameters.AddWithValue("$id", id);
        return Task.FromResult(ReadAlerts(command).FirstOrDefault());
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<AlertRule>> ListAlertRulesAsync(CancellationToken cancellationToken)
    {
        using var lease = _readers.Rent();
        var connection = lease.Connection;
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT data FROM alert_rules ORDER BY id;";
        var rules = new List<AlertRule>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            using var doc = JsonDocument.Parse(reader.GetString(0));
            rules.Add(AlertJson.ReadRule(doc.RootElement));
        }

        return Task.FromResult<IReadOnlyList<AlertRule>>(rules);
    }

    /// <inheritdoc />
    public Task PutAlertRuleAsync(AlertRule rule, CancellationToken cancellationToken) =>
        WriteRuleAsync("INSERT INTO alert_rules(id, data) VALUES ($id, $data) ON CONFLICT(id) DO UPDATE SET data = excluded.data;",
            rule.Id, Encoding.UTF8.GetString(AlertJson.ToBytes(rule)), cancellationToken);

    /// <inheritdoc />
    public async Task<bool> DeleteAlertRuleAsync(string id, CancellationToken cancellationToken) =>
        await WriteRuleAsync("DELETE FROM alert_rules WHERE id = $id;", id, null, cancellationToken) > 0;

    private async Task<int> WriteRuleAsync(string sql, string id, string? data, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            using var command = (_writer ?? throw new ObjectDisposedException(nameof(SqliteSessionStore))).CreateCommand();
            command.CommandText = sql;
            command.Parameters.AddWithValue("$id", id);
            if (data is not null)
            {
                command.Parameters.AddWithValue("$data", data);
            }

            return command.ExecuteNonQuery();
        }
        catch (SqliteException ex)
        {
            throw SqliteFailure.Unavailable("write the alert rule", ex, DataDirectory);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Reads the alerts a batch's alert writes target, inside the write transaction.</summary>
    private Dictionary<AlertTarget, Alert?>? LoadAlertTargets(SqliteTransaction transaction, IReadOnlyCollection<AlertTarget> targets)
    {
        if (targets.Count == 0)
        {
            return null;
        }

        var found = new Dictionary<AlertTarget, Alert?>();
        using var byOpen = _writer!.CreateCommand();
        byOpen.Transaction = transaction;
        byOpen.CommandText = "SELECT data FROM alerts WHERE rule_id = $rule AND subject = $subject AND open = 1;";
        byOpen.Parameters.Add("$rule", SqliteType.Text);
        byOpen.Parameters.Add("$subject", SqliteType.Text);
        using var byId = _writer.CreateCommand();
        byId.Transaction = transaction;
        byId.CommandText = "SELECT data FROM alerts WHERE id = $id;";
        byId.Parameters.Add("$id", SqliteType.Text);
        foreach (var target in targets)
        {
            SqliteCommand command;
            if (target.AlertId is { } id)
            {
                byId.Parameters["$id"].Value = id;
                command = byId;
            }
            else
            {
                byOpen.Parameters["$rule"].Value = target.RuleId;
                byOpen.Parameters["$subject"].Value = target.Subject;
                command = byOpen;
            }

            found[target] = ReadAlerts(command).FirstOrDefault();
        }

        return found;
    }

    private static void PersistAlerts(WriteBatch batch, SqliteTransaction transaction)
    {
        SqliteCommand? upsert = null;
        try
        {
            foreach (var alert in batch.DirtyAlerts)
            {
                if (upsert is null)
                {
                    upsert = transaction.Connection!.CreateCommand();
                    upsert.Transaction = transaction;
                    upsert.CommandText = "INSERT INTO alerts(id, rule_id, subject, open, raised_seq, data) VALUES ($id, $rule, $subject, $open, $seq, $data) " +
                        "ON CONFLICT(id) DO UPDATE SET open = excluded.open, data = excluded.data;";
                    foreach (var name in new[] { "$id", "$rule", "$subject", "$open", "$seq", "$data" })
                    {
                        upsert.Parameters.Add(new SqliteParameter { ParameterName = name });
                    }
                }

                var p = upsert.Parameters;
                p["$id"].Value = alert.Id;
                p["$rule"].Value = alert.RuleId;
                p["$subject"].Value = alert.Subject;
                p["$open"].Value = alert.IsOpen ? 1 : 0;
                p["$seq"].Value = alert.RaisedSeq;
                p["$data"].Value = Encoding.UTF8.GetString(AlertJson.ToBytes(alert));
                upsert.ExecuteNonQuery();
            }
        }
        finally
        {
            upsert?.Dispose();
        }
    }

    private static List<Alert> ReadAlerts(SqliteCommand command)
    {
        var alerts = new List<Alert>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            using var doc = JsonDocument.Parse(reader.GetString(0));
            alerts.Add(AlertJson.ReadAlert(doc.RootElement));
        }

        return alerts;
    }
}
