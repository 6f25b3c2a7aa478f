using System.Globalization;
using Microsoft.Data.Sqlite;
using Switchboard.Json;
using Switchboard.UsageRollups;

namespace Switchboard.Storage.Sqlite;

internal sealed partial class SqliteSessionStore
{
    internal const string RollupColumns =
        "input_tokens, output_tokens, cost_usd, sessions_created, sessions_terminated, sessions_errored, busy_ms, peak_active";

    private static UsageCounters ReadCounters(SqliteDataReader r, int first) => new()
    {
        InputTokens = r.GetInt64(first),
        OutputTokens = r.GetInt64(first + 1),
        CostUsd = decimal.Parse(r.GetString(first + 2), NumberStyles.Number, CultureInfo.InvariantCulture),
        SessionsCreated = r.GetInt64(first + 3),
        SessionsTerminated = r.GetInt64(first + 4),
        SessionsErrored = r.GetInt64(first + 5),
        BusyMilliseconds = r.GetInt64(first + 6),
        PeakActive = r.GetInt64(first + 7),
    };

    /// <summary>
    /// Recounts the active sessions per configured label value from the sessions table, so the counts are right whatever
    /// the group-by list was when the database was last written.
    /// </summary>
    private void RebuildActiveCounts(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        using (var clear = Command(connection, transaction, "DELETE FROM usage_active;"))
        {
            clear.ExecuteNonQuery();
        }

        foreach (var key in _options.Usage.GroupBy)
        {
            using var fill = Command(connection, transaction,
                "INSERT INTO usage_active(group_key, group_value, active) " +
                "SELECT $k, json_extract(labels, '$.' || json_quote($k)), COUNT(*) FROM sessions " +
                "WHERE state <> 'terminated' AND json_extract(labels, '$.' || json_quote($k)) IS NOT NULL GROUP BY 2;");
            fill.Parameters.AddWithValue("$k", key);
            fill.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <inheritdoc />
    public Task<UsageResult> ReadUsageAsync(UsageQuery query, CancellationToken cancellationToken)
    {
        using var lease = _readers.Rent();
        var connection = lease.Connection;
        using var transaction = connection.BeginTransaction(deferred: true);
        var head = Scalar(connection, transaction, "SELECT seq FROM sqlite_sequence WHERE name = 'events';") ?? 0;
        using var select = Command(connection, transaction,
            $"SELECT start, group_value, {RollupColumns} FROM usage_rollups " +
            "WHERE bucket = $b AND group_key = $k AND start >= $since AND start < $until ORDER BY start, group_value;");
        select.Parameters.AddWithValue("$b", query.Bucket.ToWire());
        select.Parameters.AddWithValue("$k", query.GroupKey ?? "");
        select.Parameters.AddWithValue("$since", query.Since.ToUnixTimeMilliseconds());
        select.Parameters.AddWithValue("$until", query.Until.ToUnixTimeMilliseconds());
        var values = query.GroupValues is { } only ? new HashSet<string>(only, StringComparer.Ordinal) : null;
        var rows = new List<UsageRow>();
        using var reader = select.ExecuteReader();
        while (reader.Read())
        {
            var value = reader.GetString(1);
            if (values is null || values.Contains(value))
            {
                var key = new UsageKey(query.Bucket, SqliteRows.FromMs(reader.GetInt64(0)), query.GroupKey ?? "", value);
                rows.Add(new UsageRow(key, ReadCounters(reader, 2)));
            }
        }

        return Task.FromResult(new UsageResult(head, rows));
    }

    /// <inheritdoc />
    public async Task<long> PurgeUsageAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            long deleted = 0;
            foreach (var bucket in UsageBuckets.All)
            {
                using var command = _writer!.CreateCommand();
                command.CommandText = "DELETE FROM usage_rollups WHERE bucket = $b AND start < $cut;";
                command.Parameters.AddWithValue("$b", bucket.ToWire());
                command.Parameters.AddWithValue("$cut", (now - _options.Usage.RetentionOf(bucket)).ToUnixTimeMilliseconds());
                deleted += command.ExecuteNonQuery();
            }

            return deleted;
        }
        catch (SqliteException ex)
        {
            throw SqliteFailure.Unavailable("purge usage", ex, DataDirectory);
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
