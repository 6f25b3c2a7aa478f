using System.Data.Common;
using System.Text;
using System.Text.Json;
using Switchboard.Core.Alerts;

namespace Switchboard.Core.Storage.Sql;

/// <summary>Alerts (their rows change only in write transactions) and alert rules (plain rows).</summary>
internal abstract partial class SqlStore
{
    /// <inheritdoc />
    public Task<IReadOnlyList<Alert>> ListAlertsAsync(bool? openOnly, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<Alert>>("list alerts", snapshot: false, async db => await db.QueryAsync(
            $"SELECT data FROM {Sql.Table("alerts")}" + openOnly switch { true => $" WHERE open = {Sql.True}", false => $" WHERE open <> {Sql.True}", null => "" } +
            " ORDER BY raised_seq DESC LIMIT @limit;", ReadAlert, ("@limit", limit)), cancellationToken);

    /// <inheritdoc />
    public Task<Alert?> GetAlertAsync(string id, CancellationToken cancellationToken) => ReadAsync("read an alert", snapshot: false, db =>
        db.FirstAsync($"SELECT data FROM {Sql.Table("alerts")} WHERE id = @id;", ReadAlert, ("@id", id)), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<AlertRule>> ListAlertRulesAsync(CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<AlertRule>>("list alert rules", snapshot: false, async db => await db.QueryAsync(
            $"SELECT data, version FROM {Sql.Table("alert_rules")} ORDER BY id;", r =>
            {
                using var doc = JsonDocument.Parse(r.GetString(0));
                return AlertJson.ReadRule(doc.RootElement) with { Version = r.GetInt64(1) };
            }), cancellationToken);

    /// <inheritdoc />
    /// <remarks>One statement compares and changes: of two writes expecting the same version, the row's lock lets one match.</remarks>
    public async Task<AlertRule?> PutAlertRuleAsync(AlertRule rule, long? expectedVersion, CancellationToken cancellationToken)
    {
        var table = Sql.Table("alert_rules");
        var text = expectedVersion is null
            ? $"INSERT INTO {table} (id, data, version) VALUES (@id, @data, 1) " +
              $"ON CONFLICT (id) DO UPDATE SET version = {VersionAfter("data", table + ".")}, data = excluded.data RETURNING version;"
            : $"UPDATE {table} SET version = {VersionAfter("data")}, data = @data WHERE id = @id AND version = @expected RETURNING version;";
        var version = await WriteOutsideLogAsync("write the alert rule", db => db.FirstAsync(text, r => (long?)r.GetInt64(0),
            [("@id", rule.Id), ("@data", Encoding.UTF8.GetString(AlertJson.ToBytes(rule))), .. Expected(expectedVersion)]), cancellationToken);
        return version is { } v ? rule with { Version = v } : null;
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAlertRuleAsync(string id, CancellationToken cancellationToken) =>
        await WriteOutsideLogAsync("delete the alert rule", db => db.ExecuteAsync($"DELETE FROM {Sql.Table("alert_rules")} WHERE id = @id;", ("@id", id)),
            cancellationToken) > 0;

    private static Alert ReadAlert(DbDataReader reader)
    {
        using var doc = JsonDocument.Parse(reader.GetString(0));
        return AlertJson.ReadAlert(doc.RootElement);
    }
}
