using Switchboard.Core.UsageRollups;

namespace Switchboard.Core.Storage.Sql;

/// <summary>Usage rollups: read with the log head they are exact as of, purged by bucket size.</summary>
internal abstract partial class SqlStore
{
    public const string RollupColumns =
        "input_tokens, output_tokens, cost_usd, sessions_created, sessions_terminated, sessions_errored, busy_ms, peak_active";

    /// <inheritdoc />
    public Task<UsageResult> ReadUsageAsync(UsageQuery query, CancellationToken cancellationToken) => ReadAsync("read usage", snapshot: true, async db =>
    {
        var head = await db.HeadAsync();
        var values = query.GroupValues is { } only ? new HashSet<string>(only, StringComparer.Ordinal) : null;
        var rows = await db.QueryAsync(
            $"SELECT start, group_value, {RollupColumns} FROM {Sql.Table("usage")} " +
            "WHERE bucket = @b AND group_key = @k AND start >= @since AND start < @until ORDER BY start, group_value;",
            r => new UsageRow(new UsageKey(query.Bucket, Sql.ReadTime(r, 0), query.GroupKey ?? "", r.GetString(1)), new UsageCounters
            {
                InputTokens = r.GetInt64(2),
                OutputTokens = r.GetInt64(3),
                CostUsd = Switchboard.Core.Json.Decimals.Normalize(Sql.ReadDecimal(r, 4)),
                SessionsCreated = r.GetInt64(5),
                SessionsTerminated = r.GetInt64(6),
                SessionsErrored = r.GetInt64(7),
                BusyMilliseconds = r.GetInt64(8),
                PeakActive = r.GetInt64(9),
            }),
            ("@b", query.Bucket.ToWire()), ("@k", query.GroupKey ?? ""), ("@since", Sql.Time(query.Since)), ("@until", Sql.Time(query.Until)));
        return new UsageResult(head, values is null ? rows : [.. rows.Where(r => values.Contains(r.Key.GroupValue))]);
    }, cancellationToken);

    /// <summary>
    /// Recounts the active sessions per value of each configured label from the sessions table, in <paramref name="db"/>'s
    /// transaction with writes held off (at start, so a change of <see cref="UsageOptions.GroupBy"/> takes effect). Rows of
    /// labels not configured are left alone: this node never reads them, and on a shared database another may.
    /// </summary>
    protected async Task RebuildActiveCountsAsync(SqlConnectionScope db)
    {
        var value = Sql.LabelValue("@k");
        foreach (var key in Usage.GroupBy)
        {
            await db.ExecuteAsync($"DELETE FROM {Sql.Table("usage_active")} WHERE group_key = @k;", ("@k", key));
            await db.ExecuteAsync($"INSERT INTO {Sql.Table("usage_active")} (group_key, group_value, active) " +
                $"SELECT @k, {value}, COUNT(*) FROM {Sql.Table("sessions")} WHERE state <> 'terminated' AND {value} IS NOT NULL GROUP BY 2;",
                ("@k", key));
        }
    }

    /// <inheritdoc />
    public Task<long> PurgeUsageAsync(DateTimeOffset now, CancellationToken cancellationToken) => WriteOutsideLogAsync("purge usage", async db =>
    {
        long deleted = 0;
        foreach (var bucket in UsageBuckets.All)
        {
            deleted += await db.ExecuteAsync($"DELETE FROM {Sql.Table("usage")} WHERE bucket = @b AND start < @cut;",
                ("@b", bucket.ToWire()), ("@cut", Sql.Time(now - Usage.RetentionOf(bucket))));
        }

        return deleted;
    }, cancellationToken);
}
