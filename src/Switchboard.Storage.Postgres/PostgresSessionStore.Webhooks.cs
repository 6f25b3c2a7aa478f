using Npgsql;
using Switchboard.Webhooks;

namespace Switchboard.Storage.Postgres;

internal sealed partial class PostgresSessionStore
{
    private const string WebhookColumns =
        "id, config, cursor, state, attempts, failures, consecutive_failures, last_error, last_attempt_at, lease_owner, lease_expires_at";

    /// <inheritdoc />
    public Task<IReadOnlyList<WebhookEndpoint>> ListWebhooksAsync(CancellationToken cancellationToken) =>
        RunAsync("list webhooks", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand($"SELECT {WebhookColumns} FROM switchboard_webhooks ORDER BY id;", connection);
            return (IReadOnlyList<WebhookEndpoint>)await ReadWebhooksAsync(command, ct);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<WebhookEndpoint?> GetWebhookAsync(string id, CancellationToken cancellationToken) =>
        RunAsync("read a webhook", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand($"SELECT {WebhookColumns} FROM switchboard_webhooks WHERE id = @id;", connection);
            command.Parameters.Add(new NpgsqlParameter<string>("id", id));
            return (await ReadWebhooksAsync(command, ct)).FirstOrDefault();
        }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> CreateWebhookAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken) =>
        ExecuteAsync("create a webhook",
            "INSERT INTO switchboard_webhooks (id, config, cursor, state) VALUES (@id, @config, @cursor, @state) ON CONFLICT (id) DO NOTHING;",
            c =>
            {
                c.Parameters.Add(new NpgsqlParameter<string>("id", endpoint.Id));
                c.Parameters.Add(new NpgsqlParameter<string>("config", WebhookJson.ConfigToText(endpoint)));
                c.Parameters.Add(new NpgsqlParameter<long>("cursor", endpoint.Cursor));
                c.Parameters.Add(new NpgsqlParameter<string>("state", endpoint.State));
            }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> UpdateWebhookAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken) =>
        ExecuteAsync("update a webhook", "UPDATE switchboard_webhooks SET config = @config WHERE id = @id;", c =>
        {
            c.Parameters.Add(new NpgsqlParameter<string>("id", endpoint.Id));
            c.Parameters.Add(new NpgsqlParameter<string>("config", WebhookJson.ConfigToText(endpoint)));
        }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> DeleteWebhookAsync(string id, CancellationToken cancellationToken) =>
        ExecuteAsync("delete a webhook", "DELETE FROM switchboard_webhooks WHERE id = @id;",
            c => c.Parameters.Add(new NpgsqlParameter<string>("id", id)), cancellationToken);

    /// <inheritdoc />
    public Task<WebhookEndpoint?> ResetWebhookCursorAsync(string id, long cursor, CancellationToken cancellationToken) =>
        RunAsync("replay a webhook", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(
                "UPDATE switchboard_webhooks SET cursor = @cursor, state = 'active', consecutive_failures = 0 WHERE id = @id " +
                $"RETURNING {WebhookColumns};", connection);
            command.Parameters.Add(new NpgsqlParameter<string>("id", id));
            command.Parameters.Add(new NpgsqlParameter<long>("cursor", cursor));
            return (await ReadWebhooksAsync(command, ct)).FirstOrDefault();
        }, cancellationToken);

    /// <inheritdoc />
    public Task<WebhookEndpoint?> AcquireWebhookLeaseAsync(string id, string node, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken) =>
        RunAsync("take a webhook lease", async (connection, ct) =>
        {
            // One UPDATE decides it: a row lock orders competing nodes, and only an expired or own lease is taken.
            await using var command = new NpgsqlCommand(
                "UPDATE switchboard_webhooks SET lease_owner = @node, lease_expires_at = @until WHERE id = @id " +
                "AND (lease_owner IS NULL OR lease_owner = @node OR lease_expires_at < @now) " +
                $"RETURNING {WebhookColumns};", connection);
            command.Parameters.Add(new NpgsqlParameter<string>("id", id));
            command.Parameters.Add(new NpgsqlParameter<string>("node", node));
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now.ToUniversalTime()));
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("until", until.ToUniversalTime()));
            return (await ReadWebhooksAsync(command, ct)).FirstOrDefault();
        }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> SaveWebhookProgressAsync(string id, string node, long expectedCursor, WebhookProgress p, CancellationToken cancellationToken) =>
        ExecuteAsync("save webhook progress",
            "UPDATE switchboard_webhooks SET cursor = @cursor, state = @state, attempts = @attempts, failures = @failures, " +
            "consecutive_failures = @consecutive, last_error = @error, last_attempt_at = @at WHERE id = @id AND lease_owner = @node AND cursor = @expected;", c =>
            {
                c.Parameters.Add(new NpgsqlParameter<long>("expected", expectedCursor));
                c.Parameters.Add(new NpgsqlParameter<string>("id", id));
                c.Parameters.Add(new NpgsqlParameter<string>("node", node));
                c.Parameters.Add(new NpgsqlParameter<long>("cursor", p.Cursor));
                c.Parameters.Add(new NpgsqlParameter<string>("state", p.State));
                c.Parameters.Add(new NpgsqlParameter<long>("attempts", p.Attempts));
                c.Parameters.Add(new NpgsqlParameter<long>("failures", p.Failures));
                c.Parameters.Add(new NpgsqlParameter<int>("consecutive", p.ConsecutiveFailures));
                c.Parameters.Add(new NpgsqlParameter("error", (object?)p.LastError ?? DBNull.Value));
                c.Parameters.Add(new NpgsqlParameter("at", p.LastAttemptAt is { } at ? at.ToUniversalTime() : DBNull.Value));
            }, cancellationToken);

    /// <inheritdoc />
    public Task ReleaseWebhookLeaseAsync(string id, string node, CancellationToken cancellationToken) =>
        ExecuteAsync("release a webhook lease", "UPDATE switchboard_webhooks SET lease_owner = NULL, lease_expires_at = NULL WHERE id = @id AND lease_owner = @node;", c =>
        {
            c.Parameters.Add(new NpgsqlParameter<string>("id", id));
            c.Parameters.Add(new NpgsqlParameter<string>("node", node));
        }, cancellationToken);

    private Task<bool> ExecuteAsync(string what, string sql, Action<NpgsqlCommand> bind, CancellationToken cancellationToken) =>
        RunAsync(what, async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(sql, connection);
            bind(command);
            return await command.ExecuteNonQueryAsync(ct) > 0;
        }, cancellationToken);

    private static async Task<List<WebhookEndpoint>> ReadWebhooksAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var list = new List<WebhookEndpoint>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(WebhookJson.ConfigFromText(r.GetString(0), r.GetString(1)) with
            {
                Cursor = r.GetInt64(2),
                State = r.GetString(3),
                Attempts = r.GetInt64(4),
                Failures = r.GetInt64(5),
                ConsecutiveFailures = r.GetInt32(6),
                LastError = r.IsDBNull(7) ? null : r.GetString(7),
                LastAttemptAt = r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8),
                LeaseOwner = r.IsDBNull(9) ? null : r.GetString(9),
                LeaseExpiresAt = r.IsDBNull(10) ? null : r.GetFieldValue<DateTimeOffset>(10),
            });
        }

        return list;
    }
}
