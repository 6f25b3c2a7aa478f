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
