using System.Text;
using System.Text.Json;
using Npgsql;
using Switchboard.Alerts;

namespace Switchboard.Storage.Postgres;

internal sealed partial class PostgresSessionStore
{
    /// <inheritdoc />
    public Task<IReadOnlyList<Alert>> ListAlertsAsync(bool? openOnly, int limit, CancellationToken cancellationToken) =>
        RunAsync("list alerts", async (connection, ct) =>
        {
            var where = openOnly switch { true => "WHERE open", false => "WHERE NOT open", null => "" };
            await using var command = new NpgsqlCommand($"SELECT data FROM switchboard_alerts {where} ORDER BY raised_seq DESC LIMIT @limit;", connection);
            command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
            return (IReadOnlyList<Alert>)await ReadAlertsAsync(command, ct);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<Alert?> GetAlertAsync(string id, CancellationToken cancellationToken) =>
        RunAsync("read an alert", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand("SELECT data FROM switchboard_alerts WHERE id = @id;", connection);
            command.Parameters.Add(new NpgsqlParameter<string>("id", id));
            return (await ReadAlertsAsync(command, ct)).FirstOrDefault();
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<AlertRule>> ListAlertRulesAsync(CancellationToken cancellationToken) =>
        RunAsync("list alert rules", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand("SELECT data FROM switchboard_alert_rules ORDER BY id;", connection);
            var rules = new List<AlertRule>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                using var doc = JsonDocument.Parse(reader.GetString(0));
                rules.Add(AlertJson.ReadRule(doc.RootElement));
            }

            return (IReadOnlyList<AlertRule>)rules;
        }, cancellationToken);

    /// <inheritdoc />
    public Task PutAlertRuleAsync(AlertRule rule, CancellationToken cancellationToken) =>
        RunAsync("write an alert rule", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(
                "INSERT INTO switchboard_alert_rules (id, data) VALUES (@id, @data) ON CONFLICT (id) DO UPDATE SET data = excluded.data;", connection);
            command.Parameters.Add(new NpgsqlParameter<string>("id", rule.Id));
            command.Parameters.Add(new NpgsqlParameter<string>("data", Encoding.UTF8.GetString(AlertJson.ToBytes(rule))));
            return await command.ExecuteNonQueryAsync(ct);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> DeleteAlertRuleAsync(string id, CancellationToken cancellationToken) =>
        RunAsync("delete an alert rule", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand("DELETE FROM switchboard_alert_rules WHERE id = @id;", connection);
            command.Parameters.Add(new NpgsqlParameter<string>("id", id));
            return await command.ExecuteNonQueryAsync(ct) > 0;
        }, cancellationToken);

    private static async Task<List<Alert>> ReadAlertsAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var alerts = new List<Alert>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            using var doc = JsonDocument.Parse(reader.GetString(0));
            alerts.Add(AlertJson.ReadAlert(doc.RootElement));
        }

        return alerts;
    }
}
