using Switchboard.Writes;
using System.Globalization;
using Npgsql;
using Switchboard.Alerts;
using Switchboard.Approvals;
using Switchboard.Commands;
using Switchboard.Sessions;
using Switchboard.Storage.Sql;
using Switchboard.Trees;
using Switchboard.UsageRollups;

namespace Switchboard.Storage.Postgres;

/// <summary>
/// PostgreSQL's primitives of a write (<see cref="IStoreTransaction"/>): one READ COMMITTED transaction whose first round
/// trip locks the log row (every writer on every node queues there, so seq order is commit order and a span and a session
/// waiting for it never miss each other), each primitive one round trip with arrays for its rows, and the batch persisted
/// in one <see cref="NpgsqlBatch"/> with the NOTIFY that carries the new head to the other nodes.
/// </summary>
internal sealed class PostgresWriteTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction, PostgresStoreOptions options,
    Action committing) : IStoreTransaction
{
    private LogHead? _head;
    private PostgresStreamWriter? _streams;

    /// <summary>
    /// The stream primitives in this transaction, for session stream writes (<see cref="Writes.WriteSessionStream"/>). What
    /// they persist reaches every node's readers, this one's too, by the NOTIFY their persist sends on commit.
    /// </summary>
    public PostgresStreamWriter Streams => _streams ??= new PostgresStreamWriter(connection, transaction);

    public async ValueTask<LogHead> ReadHeadAsync()
    {
        if (_head is null)
        {
            await using var batch = Batch();
            await using var reader = await batch.ExecuteReaderAsync();
            await ReadLockAsync(reader);
        }

        return _head!.Value;
    }

    public async ValueTask<IReadOnlySet<string>> InsertTelemetryKeysAsync(IReadOnlyList<string> keys, DateTimeOffset at) =>
        (await QueryAsync(Command(
            "INSERT INTO switchboard_telemetry_keys (key, at) SELECT k, @at FROM unnest(@keys) AS t(k) ON CONFLICT (key) DO NOTHING RETURNING key;",
            ("keys", keys.ToArray()), ("at", at)), r => r.GetString(0))).ToHashSet(StringComparer.Ordinal);

    public async ValueTask<IReadOnlyDictionary<string, StreamState>> ReadMetricStreamsAsync(IReadOnlyCollection<string> ids) =>
        (await QueryAsync(Command("SELECT stream, started, ended, total FROM switchboard_telemetry_streams WHERE stream = ANY(@ids);", ("ids", ids.ToArray())),
            r => (r.GetString(0), new StreamState(unchecked((ulong)r.GetInt64(1)), unchecked((ulong)r.GetInt64(2)), r.GetDecimal(3)))))
        .ToDictionary(s => s.Item1, s => s.Item2, StringComparer.Ordinal);

    public ValueTask WriteMetricStreamsAsync(IReadOnlyDictionary<string, StreamState> streams, DateTimeOffset at) => ExecuteAsync(Command(
        "INSERT INTO switchboard_telemetry_streams (stream, started, ended, total, at) " +
        "SELECT s, b, e, t, @at FROM unnest(@streams, @starts, @ends, @totals) AS u(s, b, e, t) " +
        "ON CONFLICT (stream) DO UPDATE SET started = excluded.started, ended = excluded.ended, total = excluded.total, at = excluded.at;",
        ("streams", streams.Keys.ToArray()), ("starts", streams.Values.Select(v => unchecked((long)v.Start)).ToArray()),
        ("ends", streams.Values.Select(v => unchecked((long)v.End)).ToArray()), ("totals", streams.Values.Select(v => v.Total).ToArray()), ("at", at)));

    public ValueTask WriteSpanOwnersAsync(IReadOnlyList<(string Span, string Session)> owners, DateTimeOffset at) => ExecuteAsync(Command(
        "INSERT INTO switchboard_telemetry_span_owners (span, session_id, at) SELECT s, o, @at FROM unnest(@spans, @owners) AS t(s, o) " +
        "ON CONFLICT (span) DO NOTHING;",
        ("spans", owners.Select(o => o.Span).ToArray()), ("owners", owners.Select(o => o.Session).ToArray()), ("at", at)));

    public async ValueTask<IReadOnlyDictionary<string, string>> ReadSpanOwnersAsync(IReadOnlyCollection<string> spans, DateTimeOffset since) =>
        (await QueryAsync(Command("SELECT span, session_id FROM switchboard_telemetry_span_owners WHERE span = ANY(@spans) AND at >= @since;",
                ("spans", spans.ToArray()), ("since", since)),
            r => (r.GetString(0), r.GetString(1)))).ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal);

    public async ValueTask<IReadOnlyList<(string Span, string Child)>> TakeWaitsAsync(IReadOnlyCollection<string> spans) =>
        await QueryAsync(Command("DELETE FROM switchboard_telemetry_waits WHERE span = ANY(@spans) RETURNING span, child;", ("spans", spans.ToArray())),
            r => (r.GetString(0), r.GetString(1)));

    public ValueTask WriteWaitsAsync(IReadOnlyList<(string Span, string Child)> waits, DateTimeOffset at) => ExecuteAsync(Command(
        "INSERT INTO switchboard_telemetry_waits (span, child, at) SELECT s, c, @at FROM unnest(@spans, @children) AS t(s, c) " +
        "ON CONFLICT (span, child) DO NOTHING;",
        ("spans", waits.Select(w => w.Span).ToArray()), ("children", waits.Select(w => w.Child).ToArray()), ("at", at)));

    public async ValueTask<IReadOnlyList<(string Id, string Path)>> ReadDescendantsAsync(string path, bool activeOnly, int limit) =>
        await QueryAsync(Command(activeOnly
                ? "SELECT id, tree_path FROM switchboard_sessions WHERE tree_path >= @from AND tree_path < @to AND state <> 'terminated' " +
                  "ORDER BY depth DESC, tree_path LIMIT @limit;"
                : "SELECT id, tree_path FROM switchboard_sessions WHERE tree_path >= @from AND tree_path < @to ORDER BY tree_path LIMIT @limit;",
            ("from", TreePath.DescendantsFrom(path)), ("to", TreePath.SubtreeEnd(path)), ("limit", limit)),
            r => (r.GetString(0), r.GetString(1)));

    /// <summary>One statement in id order: one fixed lock order across the whole group commit, so no two writers deadlock.</summary>
    public async ValueTask<IReadOnlyDictionary<string, Session>> LockSessionsAsync(IReadOnlyCollection<string> ids) =>
        ids.Count == 0 ? new Dictionary<string, Session>() : (await QueryAsync(Command(
            $"SELECT {SqlDialect.SessionColumns} FROM switchboard_sessions WHERE id = ANY(@ids) ORDER BY id FOR UPDATE;", ("ids", ids.ToArray())),
            PostgresDialect.Instance.ReadSession)).ToDictionary(s => s.Id, StringComparer.Ordinal);

    public async ValueTask<IReadOnlyDictionary<AlertTarget, Alert?>> ReadAlertsAsync(IReadOnlyCollection<AlertTarget> targets) =>
        await SqlTargets.ReadAlertsAsync(await SessionAsync(), targets);

    public async ValueTask<IReadOnlyList<Command>> ReadCommandsAsync(CommandTargets targets) => await SqlTargets.ReadCommandsAsync(await SessionAsync(), targets);

    public async ValueTask<ApprovalRows> ReadApprovalsAsync(ApprovalTargets targets) => await SqlTargets.ReadApprovalsAsync(await SessionAsync(), targets);

    public async ValueTask<IReadOnlyList<Approval>> ReadPendingApprovalsAsync(IReadOnlyCollection<string> sessionIds) =>
        await SqlTargets.ReadPendingApprovalsAsync(await SessionAsync(), sessionIds);

    public async ValueTask WriteTargetsAsync(WriteBatch batch) => await SqlTargets.WriteAsync(await SessionAsync(), batch);

    public async ValueTask<IReadOnlyDictionary<(string Key, string Value), long>> ReadActiveCountsAsync(IReadOnlyCollection<(string Key, string Value)> pairs) =>
        (await QueryAsync(Command(
            "SELECT a.k, a.v, u.active FROM unnest(@keys, @values) AS a(k, v) JOIN switchboard_usage_active u ON u.group_key = a.k AND u.group_value = a.v;",
            ("keys", pairs.Select(p => p.Key).ToArray()), ("values", pairs.Select(p => p.Value).ToArray())),
            r => ((r.GetString(0), r.GetString(1)), r.GetInt64(2)))).ToDictionary(p => p.Item1, p => p.Item2);

    public async ValueTask PersistAsync(WriteBatch batch, UsageRollup? rollup)
    {
        var head = await ReadHeadAsync();
        if (batch.IsEmpty)
        {
            return;
        }

        await using var commands = Batch();
        AddUsage(commands, rollup);
        foreach (var (session, _) in batch.Dirty)
        {
            commands.BatchCommands.Add(PostgresRows.Upsert(session));
        }

        foreach (var s in batch.SubtreeDirty)
        {
            commands.BatchCommands.Add(Command(PostgresTreeSchema.UpdateSubtree, ("id", s.Id), ("sessions", s.Subtree.Sessions), ("active", s.Subtree.Active),
                ("input", s.Subtree.InputTokens), ("output", s.Subtree.OutputTokens), ("cost", SessionWire.Normalize(s.Subtree.CostUsd))));
        }

        foreach (var s in batch.Moved)
        {
            commands.BatchCommands.Add(Command(PostgresTreeSchema.MoveSession,
                ("id", s.Id), ("parent", s.ParentId!), ("root", s.RootId), ("depth", s.Depth), ("path", s.TreePath)));
        }

        foreach (var e in batch.Events)
        {
            commands.BatchCommands.Add(PostgresRows.Insert(e));
        }

        if (batch.Head != head)
        {
            commands.BatchCommands.Add(Command(PostgresDialect.Instance.WriteLogSql,
                ("head", batch.Head.HeadSeq), ("active", batch.Head.ActiveCount), ("paused", batch.Head.FleetPaused)));
        }

        if (batch.Events.Count > 0)
        {
            // NOTIFY is transactional: it is delivered on commit, in commit order, carrying only the position.
            commands.BatchCommands.Add(Command("SELECT pg_notify(@channel, @payload);",
                ("channel", PostgresSchema.Channel), ("payload", batch.Head.HeadSeq.ToString(CultureInfo.InvariantCulture))));
        }

        await commands.ExecuteNonQueryAsync();
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
            commands.BatchCommands.Add(Command(
                "INSERT INTO switchboard_usage_active (group_key, group_value, active) VALUES (@k, @v, @n) " +
                "ON CONFLICT (group_key, group_value) DO UPDATE SET active = excluded.active;", ("k", key), ("v", value), ("n", count)));
        }

        // Sorted, so two transactions never take the same rows' locks in opposite orders.
        foreach (var (k, d) in rollup.Rows.OrderBy(r => r.Key.Bucket).ThenBy(r => r.Key.GroupKey, StringComparer.Ordinal)
                     .ThenBy(r => r.Key.Start).ThenBy(r => r.Key.GroupValue, StringComparer.Ordinal))
        {
            commands.BatchCommands.Add(Command(
                $"INSERT INTO switchboard_usage (bucket, group_key, start, group_value, {SqlStore.RollupColumns}) " +
                "VALUES (@b, @k, @s, @v, @in, @out, @cost, @created, @terminated, @errored, @busy, @peak) " +
                "ON CONFLICT (bucket, group_key, start, group_value) DO UPDATE SET " +
                "input_tokens = switchboard_usage.input_tokens + excluded.input_tokens, " +
                "output_tokens = switchboard_usage.output_tokens + excluded.output_tokens, " +
                "cost_usd = switchboard_usage.cost_usd + excluded.cost_usd, " +
                "sessions_created = switchboard_usage.sessions_created + excluded.sessions_created, " +
                "sessions_terminated = switchboard_usage.sessions_terminated + excluded.sessions_terminated, " +
                "sessions_errored = switchboard_usage.sessions_errored + excluded.sessions_errored, " +
                "busy_ms = switchboard_usage.busy_ms + excluded.busy_ms, " +
                "peak_active = GREATEST(switchboard_usage.peak_active, excluded.peak_active);",
                ("b", k.Bucket.ToWire()), ("k", k.GroupKey), ("s", k.Start), ("v", k.GroupValue), ("in", d.InputTokens), ("out", d.OutputTokens),
                ("cost", d.CostUsd), ("created", d.SessionsCreated), ("terminated", d.SessionsTerminated), ("errored", d.SessionsErrored),
                ("busy", d.BusyMilliseconds), ("peak", d.PeakActive)));
        }
    }

    public async ValueTask CommitAsync()
    {
        await ReadHeadAsync(); // a transaction that read and wrote nothing still took its place in the log's order
        if (options.BeforeCommit is { } hook)
        {
            await hook(CancellationToken.None);
        }

        committing();
        await transaction.CommitAsync();
    }

    public async ValueTask EndSessionStreamsAsync(IReadOnlyCollection<string> sessionIds, DateTimeOffset retainUntil)
    {
        var advances = await SqlStreams.EndSessionStreamsAsync(new SqlSession(connection, transaction, PostgresDialect.Instance), sessionIds, retainUntil);
        if (advances.Count == 0)
        {
            return;
        }

        // Sent on commit: every node's stream listener (this one's too) wakes the streams' live readers.
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var notify in PostgresStreamRows.Notify(advances))
        {
            batch.BatchCommands.Add(notify);
        }

        await batch.ExecuteNonQueryAsync();
    }

    public ValueTask DisposeAsync() => transaction.DisposeAsync();

    /// <summary>
    /// A batch for the next round trip; the transaction's first also locks the log row (and bounds how long a hung node
    /// may hold it: the timeout applies only while idle in the transaction).
    /// </summary>
    private NpgsqlBatch Batch()
    {
        var batch = new NpgsqlBatch(connection, transaction);
        if (_head is null)
        {
            var timeout = (long)options.IdleInTransactionTimeout.TotalMilliseconds;
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                $"SET LOCAL idle_in_transaction_session_timeout = {timeout.ToString(CultureInfo.InvariantCulture)};"));
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT head_seq, active_count, fleet_paused FROM switchboard_log WHERE id = 1 FOR UPDATE;"));
        }

        return batch;
    }

    /// <summary>Reads the log row the first round trip locked; moves the reader to the next result.</summary>
    private async Task ReadLockAsync(NpgsqlDataReader reader)
    {
        if (!await reader.ReadAsync())
        {
            throw new InvalidOperationException("The switchboard_log row is missing; call InitializeAsync first.");
        }

        _head = new LogHead(reader.GetInt64(0), reader.GetInt64(1), reader.GetBoolean(2));
        await reader.NextResultAsync();
    }

    /// <summary>The transaction as a <see cref="SqlSession"/>, once its first round trip locked the log row.</summary>
    private async ValueTask<SqlSession> SessionAsync()
    {
        await ReadHeadAsync();
        return new SqlSession(connection, transaction, PostgresDialect.Instance);
    }

    private async Task<List<T>> QueryAsync<T>(NpgsqlBatchCommand command, Func<NpgsqlDataReader, T> read)
    {
        var locking = _head is null;
        await using var batch = Batch();
        batch.BatchCommands.Add(command);
        await using var reader = await batch.ExecuteReaderAsync();
        if (locking)
        {
            await ReadLockAsync(reader);
        }

        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private async ValueTask ExecuteAsync(NpgsqlBatchCommand command) => await QueryAsync<int>(command, _ => 0);

    /// <summary>A statement with typed parameters (arrays of strings bind as <c>text[]</c>).</summary>
    private static NpgsqlBatchCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(value switch
            {
                string s => new NpgsqlParameter<string>(name, s),
                string[] a => new NpgsqlParameter<string[]>(name, a),
                long l => new NpgsqlParameter<long>(name, l),
                long[] a => new NpgsqlParameter<long[]>(name, a),
                int i => new NpgsqlParameter<int>(name, i),
                bool b => new NpgsqlParameter<bool>(name, b),
                decimal d => new NpgsqlParameter<decimal>(name, d),
                decimal[] a => new NpgsqlParameter<decimal[]>(name, a),
                DateTimeOffset t => new NpgsqlParameter<DateTimeOffset>(name, t.ToUniversalTime()),
                _ => throw new ArgumentException($"No PostgreSQL type for parameter '{name}' ({value.GetType().Name}).", nameof(parameters)),
            });
        }

        return command;
    }
}
