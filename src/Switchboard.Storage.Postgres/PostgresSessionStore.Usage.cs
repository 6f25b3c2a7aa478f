using System.Data;
using Npgsql;
using NpgsqlTypes;
using Switchboard.UsageRollups;

namespace Switchboard.Storage.Postgres;

internal sealed partial class PostgresSessionStore
{
    private const string RollupColumns =
        "input_tokens, output_tokens, cost_usd, sessions_created, sessions_terminated, sessions_errored, busy_ms, peak_active";

    /// <summary>
    /// Computes the batch's rollup deltas. Runs under the log row's lock, so the per-label active counts read here are
    /// the ones every other node's writes left.
    /// </summary>
    private async Task<UsageRollup?> RollUpAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, WriteBatch batch, CancellationToken ct)
    {
        var usage = _options.Usage;
        if (!usage.Enabled || batch.Changes.Count == 0)
        {
            return null;
        }

        var pairs = UsageRollup.ActiveKeys(batch.Changes, usage.GroupBy);
        var active = new Dictionary<(string Key, string Value), long>();
        if (pairs.Count > 0)
        {
            await using var select = new NpgsqlCommand(
                "SELECT a.k, a.v, u.active FROM unnest(@keys, @values) AS a(k, v) " +
                "JOIN switchboard_usage_active u ON u.group_key = a.k AND u.group_value = a.v;", connection, transaction);
            select.Parameters.Add(new NpgsqlParameter<string[]>("keys", [.. pairs.Select(p => p.Key)]));
            select.Parameters.Add(new NpgsqlParameter<string[]>("values", [.. pairs.Select(p => p.Value)]));
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                active[(reader.GetString(0), reader.GetString(1))] = reader.GetInt64(2);
            }
        }

        return UsageRollup.Compute(batch.Changes, usage.GroupBy, active);
    }

    /// <summary>Additive upserts: sums add, the peak takes the larger, so rows merge the same whichever node writes.</summary>
    private static void AddUsage(NpgsqlBatch commands, UsageRollup? rollup)
    {
        if (rollup is null)
        {
            return;
        }

        foreach (var ((key, value), count) in rollup.Active)
        {
            var upsert = new NpgsqlBatchCommand(
                "INSERT INTO switchboard_usage_active (group_key, group_value, active) VALUES (@k, @v, @n) " +
                "ON CONFLICT (group_key, group_value) DO UPDATE SET active = excluded.active;");
            upsert.Parameters.Add(new NpgsqlParameter<string>("k", key));
            upsert.Parameters.Add(new NpgsqlParameter<string>("v", value));
            upsert.Parameters.Add(new NpgsqlParameter<long>("n", count));
            commands.BatchCommands.Add(upsert);
        }

        // Sorted, so two transactions never take the same rows' locks in opposite orders.
        foreach (var (rowKey, d) in rollup.Rows.OrderBy(r => r.Key.Bucket).ThenBy(r => r.Key.GroupKey, StringComparer.Ordinal)
                     .ThenBy(r => r.Key.Start).ThenBy(r => r.Key.GroupValue, StringComparer.Ordinal))
        {
            var upsert = new NpgsqlBatchCommand(
                $"INSERT INTO switchboard_usage (bucket, group_key, start, group_value, {RollupColumns}) " +
                "VALUES (@b, @k, @s, @v, @in, @out, @cost, @created, @terminated, @errored, @busy, @peak) " +
                "ON CONFLICT (bucket, group_key, start, group_value) DO UPDATE SET " +
                "input_tokens = switchboard_usage.input_tokens + excluded.input_tokens, " +
                "output_tokens = switchboard_usage.output_tokens + excluded.output_tokens, " +
                "cost_usd = switchboard_usage.cost_usd + excluded.cost_usd, " +
                "sessions_created = switchboard_usage.sessions_created + excluded.sessions_created, " +
                "sessions_terminated = switchboard_usage.sessions_terminated + excluded.sessions_terminated, " +
                "sessions_errored = switchboard_usage.sessions_errored + excluded.sessions_errored, " +
                "busy_ms = switchboard_usage.busy_ms + excluded.busy_ms, " +
                "peak_active = GREATEST(switchboard_usage.peak_active, excluded.peak_active);");
            upsert.Parameters.Add(new NpgsqlParameter<string>("b", rowKey.Bucket.ToWire()));
            upsert.Parameters.Add(new NpgsqlParameter<string>("k", rowKey.GroupKey));
            upsert.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("s", rowKey.Start));
            upsert.Parameters.Add(new NpgsqlParameter<string>("v", rowKey.GroupValue));
            upsert.Parameters.Add(new NpgsqlParameter<long>("in", d.InputTokens));
            upsert.Parameters.Add(new NpgsqlParameter<long>("out", d.OutputTokens));
            upsert.Parameters.Add(new NpgsqlParameter<decimal>("cost", d.CostUsd));
            upsert.Parameters.Add(new NpgsqlParameter<long>("created", d.SessionsCreated));
            upsert.Parameters.Add(new NpgsqlParameter<long>("terminated", d.SessionsTerminated));
            upsert.Parameters.Add(new NpgsqlParameter<long>("errored", d.SessionsErrored));
            upsert.Parameters.Add(new NpgsqlParameter<long>("busy", d.BusyMilliseconds));
            upsert.Parameters.Add(new NpgsqlParameter<long>("peak", d.PeakActive));
            commands.BatchCommands.Add(upsert);
        }
    }

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
