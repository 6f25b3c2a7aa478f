using Microsoft.Data.Sqlite;
using SQLitePCL;
using Switchboard.Webhooks;

namespace Switchboard.Storage.Sqlite;

internal sealed partial class SqliteSessionStore
{
    private const int AutoCheckpointPages = 1000; // SQLite's default

    private const string WebhookColumns =
        "id, config, cursor, state, attempts, failures, consecutive_failures, last_error, last_attempt_at, lease_owner, lease_expires_at";

    /// <inheritdoc />
    public Task<IReadOnlyList<WebhookEndpoint>> ListWebhooksAsync(CancellationToken cancellationToken)
    {
        using var lease = _readers.Rent();
        var connection = lease.Connection;
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {WebhookColumns} FROM webhooks ORDER BY id;";
        return Task.FromResult<IReadOnlyList<WebhookEndpoint>>(ReadWebhooks(command));
    }

    /// <inheritdoc />
    public Task<WebhookEndpoint?> GetWebhookAsync(string id, CancellationToken cancellationToken)
    {
        using var lease = _readers.Rent();
        var connection = lease.Connection;
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {WebhookColumns} FROM webhooks WHERE id = $id;";
        command.Parameters.AddWithValue("$id", id);
        return Task.FromResult(ReadWebhooks(command).FirstOrDefault());
    }

    /// <inheritdoc />
    public Task<bool> CreateWebhookAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken) =>
        OnWriterAsync(c =>
        {
            c.CommandText = "INSERT INTO webhooks(id, config, cursor, state) VALUES ($id, $config, $cursor, $state) ON CONFLICT(id) DO NOTHING;";
            c.Parameters.AddWithValue("$id", endpoint.Id);
            c.Parameters.AddWithValue("$config", WebhookJson.ConfigToText(endpoint));
            c.Parameters.AddWithValue("$cursor", endpoint.Cursor);
            c.Parameters.AddWithValue("$state", endpoint.State);
            return c.ExecuteNonQuery() > 0;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> UpdateWebhookAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken) =>
        OnWriterAsync(c =>
        {
            c.CommandText = "UPDATE webhooks SET config = $config WHERE id = $id;";
            c.Parameters.AddWithValue("$id", endpoint.Id);
            c.Parameters.AddWithValue("$config", WebhookJson.ConfigToText(endpoint));
            return c.ExecuteNonQuery() > 0;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> DeleteWebhookAsync(string id, CancellationToken cancellationToken) =>
        OnWriterAsync(c =>
        {
            c.CommandText = "DELETE FROM webhooks WHERE id = $id;";
            c.Parameters.AddWithValue("$id", id);
            return c.ExecuteNonQuery() > 0;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<WebhookEndpoint?> ResetWebhookCursorAsync(string id, long cursor, CancellationToken cancellationToken) =>
        OnWriterAsync(c =>
        {
            c.CommandText = "UPDATE webhooks SET cursor = $cursor, state = 'active', consecutive_failures = 0 WHERE id = $id " +
                $"RETURNING {WebhookColumns};";
            c.Parameters.AddWithValue("$id", id);
            c.Parameters.AddWithValue("$cursor", cursor);
            return ReadWebhooks(c).FirstOrDefault();
        }, cancellationToken);

    /// <inheritdoc />
    public Task<WebhookEndpoint?> AcquireWebhookLeaseAsync(string id, string node, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken) =>
        OnWriterAsync(c =>
        {
            c.CommandText = "UPDATE webhooks SET lease_owner = $node, lease_expires_at = $until WHERE id = $id " +
                "AND (lease_owner IS NULL OR lease_owner = $node OR lease_expires_at < $now) " +
                $"RETURNING {WebhookColumns};";
            c.Parameters.AddWithValue("$id", id);
            c.Parameters.AddWithValue("$node", node);
            c.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            c.Parameters.AddWithValue("$until", until.ToUnixTimeMilliseconds());
            return ReadWebhooks(c).FirstOrDefault();
        }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> SaveWebhookProgressAsync(string id, string node, long expectedCursor, WebhookProgress p, CancellationToken cancellationToken) =>
        OnWriterAsync(c =>
        {
            c.CommandText = "UPDATE webhooks SET cursor = $cursor, state = $state, attempts = $attempts, failures = $failures, " +
                "consecutive_failures = $consecutive, last_error = $error, last_attempt_at = $at WHERE id = $id AND lease_owner = $node AND cursor = $expected;";
            c.Parameters.AddWithValue("$id", id);
            c.Parameters.AddWithValue("$node", node);
            c.Parameters.AddWithValue("$expected", expectedCursor);
            c.Parameters.AddWithValue("$cursor", p.Cursor);
            c.Parameters.AddWithValue("$state", p.State);
            c.Parameters.AddWithValue("$attempts", p.Attempts);
            c.Parameters.AddWithValue("$failures", p.Failures);
            c.Parameters.AddWithValue("$consecutive", p.ConsecutiveFailures);
            c.Parameters.AddWithValue("$error", (object?)p.LastError ?? DBNull.Value);
            c.Parameters.AddWithValue("$at", p.LastAttemptAt is { } at ? at.ToUnixTimeMilliseconds() : DBNull.Value);
            return c.ExecuteNonQuery() > 0;
        }, cancellationToken);

    /// <inheritdoc />
    public Task ReleaseWebhookLeaseAsync(string id, string node, CancellationToken cancellationToken) =>
        OnWriterAsync(c =>
        {
            c.CommandText = "UPDATE webhooks SET lease_owner = NULL, lease_expires_at = NULL WHERE id = $id AND lease_owner = $node;";
            c.Parameters.AddWithValue("$id", id);
            c.Parameters.AddWithValue("$node", node);
            return c.ExecuteNonQuery() > 0;
        }, cancellationToken);

    /// <summary>
    /// Runs one statement on the writer connection, under the write lock, without SQLite's automatic checkpoint.
    /// Webhook workers commit a cursor per delivery; with the checkpoint on, each of those small commits would also run
    /// one (two fsyncs) whenever the WAL is over its 1,000 pages, which under ingest it mostly is. The ingest's group
    /// commits keep checkpointing as before. (A second connection would avoid that too, but each of its commits would
    /// throw away the writer's page cache.)
    /// </summary>
    private async Task<T> OnWriterAsync<T>(Func<SqliteCommand, T> body, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var writer = _writer ?? throw new ObjectDisposedException(nameof(SqliteSessionStore));
            raw.sqlite3_wal_autocheckpoint(writer.Handle, 0);
            try
            {
                using var command = writer.CreateCommand();
                return body(command);
            }
            finally
            {
                raw.sqlite3_wal_autocheckpoint(writer.Handle, AutoCheckpointPages);
            }
        }
        catch (SqliteException ex)
        {
            throw SqliteFailure.Unavailable("write", ex, DataDirectory);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static List<WebhookEndpoint> ReadWebhooks(SqliteCommand command)
    {
        var list = new List<WebhookEndpoint>();
        using var r = command.ExecuteReader();
        while (r.Read())
        {
            list.Add(WebhookJson.ConfigFromText(r.GetString(0), r.GetString(1)) with
            {
                Cursor = r.GetInt64(2),
                State = r.GetString(3),
                Attempts = r.GetInt64(4),
                Failures = r.GetInt64(5),
                ConsecutiveFailures = r.GetInt32(6),
                LastError = r.IsDBNull(7) ? null : r.GetString(7),
                LastAttemptAt = r.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(8)),
                LeaseOwner = r.IsDBNull(9) ? null : r.GetString(9),
                LeaseExpiresAt = r.IsDBNull(10) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(10)),
            });
        }

        return list;
    }
}
