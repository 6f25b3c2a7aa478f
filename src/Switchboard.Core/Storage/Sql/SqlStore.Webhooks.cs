using System.Data.Common;
using Switchboard.Core.Webhooks;

namespace Switchboard.Core.Storage.Sql;

/// <summary>Webhook endpoints and their delivery state: plain rows, changed outside the log, leased to one node at a time.</summary>
internal abstract partial class SqlStore
{
    private const string WebhookColumns =
        "id, config, cursor, state, attempts, failures, consecutive_failures, last_error, last_attempt_at, lease_owner, lease_expires_at, version";

    /// <inheritdoc />
    public Task<IReadOnlyList<WebhookEndpoint>> ListWebhooksAsync(CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<WebhookEndpoint>>("list webhooks", snapshot: false, async db =>
            await db.QueryAsync($"SELECT {WebhookColumns} FROM {Sql.Table("webhooks")} ORDER BY id;", ReadWebhook), cancellationToken);

    /// <inheritdoc />
    public Task<WebhookEndpoint?> GetWebhookAsync(string id, CancellationToken cancellationToken) => ReadAsync("read a webhook", snapshot: false, db =>
        db.FirstAsync($"SELECT {WebhookColumns} FROM {Sql.Table("webhooks")} WHERE id = @id;", ReadWebhook, ("@id", id)), cancellationToken);

    /// <inheritdoc />
    public async Task<bool> CreateWebhookAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken) =>
        await WriteOutsideLogAsync("create a webhook", db => db.ExecuteAsync(
            $"INSERT INTO {Sql.Table("webhooks")} (id, config, cursor, state, version) VALUES (@id, @config, @cursor, @state, 1) ON CONFLICT (id) DO NOTHING;",
            ("@id", endpoint.Id), ("@config", WebhookJson.ConfigToText(endpoint)), ("@cursor", endpoint.Cursor), ("@state", endpoint.State)), cancellationToken) > 0;

    /// <inheritdoc />
    /// <remarks>One UPDATE compares and changes: of two writes expecting the same version, the row's lock lets one match.</remarks>
    public Task<WebhookEndpoint?> UpdateWebhookAsync(WebhookEndpoint endpoint, long? expectedVersion, CancellationToken cancellationToken) =>
        WriteOutsideLogAsync("update a webhook", db => db.FirstAsync(
            $"UPDATE {Sql.Table("webhooks")} SET version = {VersionAfter("config")}, config = @config " +
            $"WHERE id = @id{(expectedVersion is null ? "" : " AND version = @expected")} RETURNING {WebhookColumns};",
            ReadWebhook, [("@id", endpoint.Id), ("@config", WebhookJson.ConfigToText(endpoint)), .. Expected(expectedVersion)]), cancellationToken);

    /// <summary>The <c>@expected</c> parameter, only when the statement compares the version.</summary>
    private static (string Name, object? Value)[] Expected(long? expectedVersion) => expectedVersion is { } v ? [("@expected", v)] : [];

    /// <summary>A configuration row's next version: one more when <paramref name="column"/> changes to <c>@{column}</c>.</summary>
    private static string VersionAfter(string column, string? table = null) =>
        $"CASE WHEN {table}{column} = @{column} THEN {table}version ELSE {table}version + 1 END";

    /// <inheritdoc />
    public async Task<bool> DeleteWebhookAsync(string id, CancellationToken cancellationToken) =>
        await WriteOutsideLogAsync("delete a webhook", db => db.ExecuteAsync($"DELETE FROM {Sql.Table("webhooks")} WHERE id = @id;", ("@id", id)),
            cancellationToken) > 0;

    /// <inheritdoc />
    public Task<WebhookEndpoint?> ResetWebhookCursorAsync(string id, long cursor, CancellationToken cancellationToken) =>
        WriteOutsideLogAsync("replay a webhook", db => db.FirstAsync(
            $"UPDATE {Sql.Table("webhooks")} SET cursor = @cursor, state = 'active', consecutive_failures = 0 WHERE id = @id RETURNING {WebhookColumns};",
            ReadWebhook, ("@id", id), ("@cursor", cursor)), cancellationToken);

    /// <inheritdoc />
    /// <remarks>One UPDATE decides it: the row's lock orders competing nodes, and only an expired or own lease is taken.</remarks>
    public Task<WebhookEndpoint?> AcquireWebhookLeaseAsync(string id, string node, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken) =>
        WriteOutsideLogAsync("take a webhook lease", db => db.FirstAsync(
            $"UPDATE {Sql.Table("webhooks")} SET lease_owner = @node, lease_expires_at = @until WHERE id = @id " +
            $"AND (lease_owner IS NULL OR lease_owner = @node OR lease_expires_at < @now) RETURNING {WebhookColumns};",
            ReadWebhook, ("@id", id), ("@node", node), ("@now", Sql.Time(now)), ("@until", Sql.Time(until))), cancellationToken);

    /// <inheritdoc />
    public async Task<bool> SaveWebhookProgressAsync(string id, string node, long expectedCursor, WebhookProgress p, CancellationToken cancellationToken) =>
        await WriteOutsideLogAsync("save webhook progress", db => db.ExecuteAsync(
            $"UPDATE {Sql.Table("webhooks")} SET cursor = @cursor, state = @state, attempts = @attempts, failures = @failures, " +
            "consecutive_failures = @consecutive, last_error = @error, last_attempt_at = @at WHERE id = @id AND lease_owner = @node AND cursor = @expected;",
            ("@id", id), ("@node", node), ("@expected", expectedCursor), ("@cursor", p.Cursor), ("@state", p.State), ("@attempts", p.Attempts),
            ("@failures", p.Failures), ("@consecutive", p.ConsecutiveFailures), ("@error", p.LastError),
            ("@at", p.LastAttemptAt is { } at ? Sql.Time(at) : null)), cancellationToken) > 0;

    /// <inheritdoc />
    public Task ReleaseWebhookLeaseAsync(string id, string node, CancellationToken cancellationToken) =>
        WriteOutsideLogAsync("release a webhook lease", db => db.ExecuteAsync(
            $"UPDATE {Sql.Table("webhooks")} SET lease_owner = NULL, lease_expires_at = NULL WHERE id = @id AND lease_owner = @node;",
            ("@id", id), ("@node", node)), cancellationToken);

    private WebhookEndpoint ReadWebhook(DbDataReader r) => WebhookJson.ConfigFromText(r.GetString(0), r.GetString(1)) with
    {
        Cursor = r.GetInt64(2),
        State = r.GetString(3),
        Attempts = r.GetInt64(4),
        Failures = r.GetInt64(5),
        ConsecutiveFailures = r.GetInt32(6),
        LastError = r.IsDBNull(7) ? null : r.GetString(7),
        LastAttemptAt = r.IsDBNull(8) ? null : Sql.ReadTime(r, 8),
        LeaseOwner = r.IsDBNull(9) ? null : r.GetString(9),
        LeaseExpiresAt = r.IsDBNull(10) ? null : Sql.ReadTime(r, 10),
        Version = r.GetInt64(11),
    };
}
