using System.Globalization;
using Npgsql;
using Switchboard.Core.Alerts;
using Switchboard.Core.Approvals;
using Switchboard.Core.Commands;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.Storage.Sql;
using Switchboard.Core.Trees;
using Switchboard.Core.UsageRollups;
using Switchboard.Core.Writes;

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
    /// The stream primitives in this transaction, for session stream writes (<see cref="Switchboard.Core.Writes.WriteSessionStream"/>). What
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
        (await QueryAsync(Command(PostgresStatements.InsertTelemetryKeys, ("keys", keys.ToArray()), ("at", at)), r => r.GetString(0)))
        .ToHashSet(StringComparer.Ordinal);

    public async ValueTask<IReadOnlyDictionary<string, StreamState>> ReadMetricStreamsAsync(IReadOnlyCollection<string> ids) =>
        (await QueryAsync(Command(PostgresStatements.ReadMetricStreams, ("ids", ids.ToArray())),
            r => (r.GetString(0), new StreamState(unchecked((ulong)r.GetInt64(1)), unchecked((ulong)r.GetInt64(2)), r.GetDecimal(3)))))
        .ToDictionary(s => s.Item1, s => s.Item2, StringComparer.Ordinal);

    public ValueTask WriteMetricStreamsAsync(IReadOnlyDictionary<string, StreamState> streams, DateTimeOffset at) => ExecuteAsync(Command(
        PostgresStatements.WriteMetricStreams,
        ("streams", streams.Keys.ToArray()), ("starts", streams.Values.Select(v => unchecked((long)v.Start)).ToArray()),
        ("ends", streams.Values.Select(v => unchecked((long)v.End)).ToArray()), ("totals", streams.Values.Select(v => v.Total).ToArray()), ("at", at)));

    public ValueTask WriteSpanOwnersAsync(IReadOnlyList<(string Span, string Session)> owners, DateTimeOffset at) => ExecuteAsync(Command(
        PostgresStatements.WriteSpanOwners,
        ("spans", owners.Select(o => o.Span).ToArray()), ("owners", owners.Select(o => o.Session).ToArray()), ("at", at)));

    public async ValueTask<IReadOnlyDictionary<string, string>> ReadSpanOwnersAsync(IReadOnlyCollection<string> spans, DateTimeOffset since) =>
        (await QueryAsync(Command(PostgresStatements.ReadSpanOwners, ("spans", spans.ToArray()), ("since", since)),
            r => (r.GetString(0), r.GetString(1)))).ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal);

    public async ValueTask<IReadOnlyList<(string Span, string Child)>> TakeWaitsAsync(IReadOnlyCollection<string> spans) =>
        await QueryAsync(Command(PostgresStatements.TakeWaits, ("spans", spans.ToArray())), r => (r.GetString(0), r.GetString(1)));

    public ValueTask WriteWaitsAsync(IReadOnlyList<(string Span, string Child)> waits, DateTimeOffset at) => ExecuteAsync(Command(
        PostgresStatements.WriteWaits, ("spans", waits.Select(w => w.Span).ToArray()), ("children", waits.Select(w => w.Child).ToArray()), ("at", at)));

    public async ValueTask<IReadOnlyList<(string Id, string Path)>> ReadDescendantsAsync(string path, bool activeOnly, int limit) =>
        await QueryAsync(Command(activeOnly ? PostgresStatements.Shared.ActiveDescendants : PostgresStatements.Shared.Descendants,
            ("from", TreePath.DescendantsFrom(path)), ("to", TreePath.SubtreeEnd(path)), ("limit", limit)),
            r => (r.GetString(0), r.GetString(1)));

    /// <summary>One statement in id order: one fixed lock order across the whole group commit, so no two writers deadlock.</summary>
    public async ValueTask<IReadOnlyDictionary<string, Session>> LockSessionsAsync(IReadOnlyCollection<string> ids) =>
        ids.Count == 0 ? new Dictionary<string, Session>() : (await QueryAsync(Command(PostgresStatements.LockSessions, ("ids", ids.ToArray())),
            PostgresDialect.Instance.ReadSession)).ToDictionary(s => s.Id, StringComparer.Ordinal);

    public async ValueTask<IReadOnlyDictionary<AlertTarget, Alert?>> ReadAlertsAsync(IReadOnlyCollection<AlertTarget> targets) =>
        await SqlTargets.ReadAlertsAsync(await SessionAsync(), targets);

    public async ValueTask<IReadOnlyList<Command>> ReadCommandsAsync(RequestTargets targets) => await SqlTargets.ReadCommandsAsync(await SessionAsync(), targets);

    public async ValueTask<ApprovalRows> ReadApprovalsAsync(RequestTargets targets) => await SqlTargets.ReadApprovalsAsync(await SessionAsync(), targets);

    public async ValueTask<IReadOnlyList<Approval>> ReadPendingApprovalsAsync(IReadOnlyCollection<string> sessionIds) =>
        await SqlTargets.ReadPendingApprovalsAsync(await SessionAsync(), sessionIds);

    public async ValueTask WriteTargetsAsync(WriteBatch batch) => await SqlTargets.WriteAsync(await SessionAsync(), batch);

    public async ValueTask<IReadOnlyDictionary<(string Key, string Value), long>> ReadActiveCountsAsync(IReadOnlyCollection<(string Key, string Value)> pairs) =>
        (await QueryAsync(Command(PostgresStatements.ReadActiveCounts,
            ("keys", pairs.Select(p => p.Key).ToArray()), ("values", pairs.Select(p => p.Value).ToArray())),
            r => ((r.GetString(0), r.GetString(1)), r.GetInt64(2)))).ToDictionary(p => p.Item1, p => p.Item2);

    /// <remarks>The whole plan in one round trip, with the NOTIFY that carries the new head to every node's listener.</remarks>
    public async ValueTask PersistAsync(PersistPlan plan)
    {
        await ReadHeadAsync();
        if (plan.IsEmpty)
        {
            return;
        }

        await using var commands = Batch();
        var rows = new PostgresRows(commands);
        plan.WriteTo(rows);
        if (plan.Events.Count > 0)
        {
            rows.Notify(plan.Head.HeadSeq);
        }

        await commands.ExecuteNonQueryAsync();
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
        var advances = await SqlStreams.EndSessionStreamsAsync(new SqlConnectionScope(connection, transaction, PostgresDialect.Instance), sessionIds, retainUntil);
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
            batch.BatchCommands.Add(new NpgsqlBatchCommand(PostgresStatements.LockLog));
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

    /// <summary>The transaction as a <see cref="SqlConnectionScope"/>, once its first round trip locked the log row.</summary>
    private async ValueTask<SqlConnectionScope> SessionAsync()
    {
        await ReadHeadAsync();
        return new SqlConnectionScope(connection, transaction, PostgresDialect.Instance);
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

    private static NpgsqlBatchCommand Command(string sql, params (string Name, object Value)[] parameters) => PostgresRows.Command(sql, parameters);
}
