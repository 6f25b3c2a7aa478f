using System.Globalization;
using Microsoft.Data.Sqlite;
using Switchboard.Json;
using Switchboard.UsageRollups;

namespace Switchboard.Storage.Sqlite;

internal sealed partial class SqliteSessionStore
{
    internal const string RollupColumns =
        "input_tokens, output_tokens, cost_usd, sessions_created, sessions_terminated, sessions_errored, busy_ms, peak_active";

    /// <summary>Cached rows and counts past this many are dropped (and read from the file again when next touched).</summary>
    private const int MaxCachedUsageRows = 20_000;

    // The committed values of the rollup rows and active counts this writer touched lately, so a write reads the
    // database only for rows it has not seen. Only the writer (under _writeLock) uses them; a batch's new values join
    // them once its transaction committed (_pendingUsage), so a rolled-back batch leaves them as they were.
    private readonly Dictionary<UsageKey, UsageCounters> _committedRollups = [];
    private readonly Dictionary<(string Key, string Value), long> _committedActive = [];
    private (List<(UsageKey Key, UsageCounters Row)> Rows, IReadOnlyDictionary<(string Key, string Value), long> Active)? _pendingUsage;

    /// <summary>
    /// Adds the batch's usage to the rollups and the per-label active counts, in the batch's own transaction. The writer
    /// holds the database exclusively, so reading a row and writing its sum back is safe (and keeps the cost exact).
    /// The statements are the writer's prepared ones, and a row's committed value is read from the file only when this
    /// writer has not touched it lately.
    /// </summary>
    private void PersistUsage(WriteBatch batch, WriterCommands commands)
    {
        _pendingUsage = null;
        var usage = _options.Usage;
        if (!usage.Enabled || batch.Changes.Count == 0)
        {
            return;
        }

        var active = new Dictionary<(string Key, string Value), long>();
        var selectActive = commands.SelectActive;
        foreach (var pair in UsageRollup.ActiveKeys(batch.Changes, usage.GroupBy))
        {
            if (_committedActive.TryGetValue(pair, out var known))
            {
                active[pair] = known;
                continue;
            }

            selectActive.Parameters["$k"].Value = pair.Key;
            selectActive.Parameters["$v"].Value = pair.Value;
            active[pair] = selectActive.ExecuteScalar() is long n ? n : 0;
        }

        var rollup = UsageRollup.Compute(batch.Changes, usage.GroupBy, active);
        var upsertActive = commands.UpsertActive;
        foreach (var ((key, value), count) in rollup.Active)
        {
            if (active.TryGetValue((key, value), out var before) && before == count)
            {
                continue; // most updates change no state: the count stays as the file has it
            }

            upsertActive.Bind(1, key);
            upsertActive.Bind(2, value);
            upsertActive.Bind(3, count);
            upsertActive.Execute();
        }

        var write = commands.WriteRollup;
        var written = new List<(UsageKey Key, UsageCounters Row)>(rollup.Rows.Count);
        foreach (var (rowKey, delta) in rollup.Rows)
        {
            var row = _committedRollups.TryGetValue(rowKey, out var committed) ? committed with { }
                : ReadRollup(commands.SelectRollup, rowKey) ?? new UsageCounters();
            row.Add(delta);
            written.Add((rowKey, row));
            write.Bind(1, rowKey.Bucket.ToWire());
            write.Bind(2, rowKey.GroupKey);
            write.Bind(3, rowKey.Start.ToUnixTimeMilliseconds());
            write.Bind(4, rowKey.GroupValue);
            write.Bind(5, row.InputTokens);
            write.Bind(6, row.OutputTokens);
            write.Bind(7, Decimals.Normalize(row.CostUsd).ToString(CultureInfo.InvariantCulture));
            write.Bind(8, row.SessionsCreated);
            write.Bind(9, row.SessionsTerminated);
            write.Bind(10, row.SessionsErrored);
            write.Bind(11, row.BusyMilliseconds);
            write.Bind(12, row.PeakActive);
            write.Execute();
        }

        _pendingUsage = (written, rollup.Active);
    }

    /// <summary>The batch committed: its rows and counts are now the committed ones.</summary>
    private void UsageCommitted()
    {
        if (_pendingUsage is not var (rows, active))
        {
            return;
        }

        _pendingUsage = null;
        if (_committedRollups.Count + rows.Count > MaxCachedUsageRows || _committedActive.Count + active.Count > MaxCachedUsageRows)
        {
            ForgetUsage();
        }

        foreach (var (key, row) in rows)
        {
            _committedRollups[key] = row;
        }

        foreach (var (pair, count) in active)
        {
            _committedActive[pair] = count;
        }
    }

    /// <summary>The file changed other than through this writer's batches (purge, another process): read it again.</summary>
    private void ForgetUsage()
    {
        _pendingUsage = null;
        _committedRollups.Clear();
        _committedActive.Clear();
    }

    private static UsageCounters? ReadRollup(SqliteCommand select, UsageKey key)
    {
        SetKey(select, key);
        using var reader = select.ExecuteReader();
        return reader.Read() ? ReadCounters(reader, 0) : null;
    }

    private static void SetKey(SqliteCommand command, UsageKey key)
    {
        command.Parameters["$b"].Value = key.Bucket.ToWire();
        command.Parameters["$k"].Value = key.GroupKey;
        command.Parameters["$s"].Value = key.Start.ToUnixTimeMilliseconds();
        command.Parameters["$v"].Value = key.GroupValue;
    }

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

            if (deleted > 0)
            {
                ForgetUsage();
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
