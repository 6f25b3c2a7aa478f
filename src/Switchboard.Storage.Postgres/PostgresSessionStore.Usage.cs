using System.Data;
using Npgsql;
using NpgsqlTypes;
using Switchboard.UsageRollups;

namespace Switchboard.Storage.Postgres;

internal sealed partial class PostgresSessionStore
{
    internal const string RollupColumns =
        "input_tokens, output_tokens, cost_usd, sessions_created, sessions_terminated, sessions_errored, busy_ms, peak_active";

    /// <summary>Recounts the active sessions per configured label value, under the log row's lock (no write runs meanwhile).</summary>
    private async Task<bool> RebuildActiveCountsAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        string[] keys = [.. _options.Usage.GroupBy];
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SELECT 1 FROM switchboard_log WHERE id = 1 FOR UPDATE;"),
                new NpgsqlBatchCommand("DELETE FROM switchboard_usage_active WHERE group_key = ANY(@keys);")
                {
                    Parameters = { new NpgsqlParameter<string[]>("keys", keys) },
                },
                new NpgsqlBatchCommand(
                    "INSERT INTO switchboard_usage_active (group_key, group_value, active) " +
                    "SELECT k, labels::jsonb ->> k, count(*) FROM switchboard_sessions, unnest(@keys) AS k " +
                    "WHERE state <> 'terminated' AND labels::jsonb ? k GROUP BY 1, 2;")
                {
                    Parameters = { new NpgsqlParameter<string[]>("keys", keys) },
                },
            },
        };
        await batch.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    /// <inheritdoc />
    /// <remarks>One statement reads the head and the rows, so they are one snapshot.</remarks>
    public Task<UsageResult> ReadUsageAsync(UsageQuery query, CancellationToken cancellationToken) => RunAsync("read usage", async (connection, ct) =>
    {
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        long head;
        await using (var command = new NpgsqlCommand("SELECT head_seq FROM switchboard_log WHERE id = 1;", connection, transaction))
        {
            head = (long)(await command.ExecuteScalarAsync(ct))!;
        }

        var rows = new List<UsageRow>();
        await using (var command = new NpgsqlCommand(
            $"SELECT start, group_value, {RollupColumns} FROM switchboard_usage " +
            "WHERE bucket = @b AND group_key = @k AND start >= @since AND start < @until " +
            "AND (@values::text[] IS NULL OR group_value = ANY(@values)) ORDER BY start, group_value;", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<string>("b", query.Bucket.ToWire()));
            command.Parameters.Add(new NpgsqlParameter<string>("k", query.GroupKey ?? ""));
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("since", query.Since.ToUniversalTime()));
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("until", query.Until.ToUniversalTime()));
            command.Parameters.Add(new NpgsqlParameter("values", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = query.GroupValues is { } v ? v.ToArray() : DBNull.Value });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var key = new UsageKey(query.Bucket, reader.GetFieldValue<DateTimeOffset>(0), query.GroupKey ?? "", reader.GetString(1));
                rows.Add(new UsageRow(key, new UsageCounters
                {
                    InputTokens = reader.GetInt64(2),
                    OutputTokens = reader.GetInt64(3),
                    CostUsd = Json.Decimals.Normalize(reader.GetDecimal(4)),
                    SessionsCreated = reader.GetInt64(5),
                    SessionsTerminated = reader.GetInt64(6),
                    SessionsErrored = reader.GetInt64(7),
                    BusyMilliseconds = reader.GetInt64(8),
                    PeakActive = reader.GetInt64(9),
                }));
            }
        }

        await transaction.CommitAsync(ct);
        return new UsageResult(head, rows);
    }, cancellationToken);

    /// <inheritdoc />
    public Task<long> PurgeUsageAsync(DateTimeOffset now, CancellationToken cancellationToken) => RunAsync("purge usage", async (connection, ct) =>
    {
        long deleted = 0;
        foreach (var bucket in UsageBuckets.All)
        {
            await using var command = new NpgsqlCommand("DELETE FROM switchboard_usage WHERE bucket = @b AND start < @cut;", connection);
            command.Parameters.Add(new NpgsqlParameter<string>("b", bucket.ToWire()));
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("cut", (now - _options.Usage.RetentionOf(bucket)).ToUniversalTime()));
            deleted += await command.ExecuteNonQueryAsync(ct);
        }

        return deleted;
    }, cancellationToken);
}
