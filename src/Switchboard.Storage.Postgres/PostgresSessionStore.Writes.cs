using System.Data;
using System.Globalization;
using Npgsql;
using Switchboard.Events;
using Switchboard.Sessions;
using Switchboard.Writes;

namespace Switchboard.Storage.Postgres;

internal sealed partial class PostgresSessionStore
{
    /// <inheritdoc />
    /// <remarks>
    /// One READ COMMITTED transaction: lock the log row (every writer on every node queues here, so seq order is
    /// commit order), lock the target session rows, run <see cref="SessionWriteProcessor"/> over them in memory,
    /// then write rows, events, the new head and the NOTIFY in one round trip and commit.
    /// </remarks>
    public async Task<IReadOnlyList<WriteResult>> WriteAsync(IReadOnlyList<SessionWrite> writes, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var commitSent = false;
            try
            {
                return await WriteOnceAsync(writes, () => commitSent = true, cancellationToken);
            }
            catch (Exception ex) when (attempt == 1 && !commitSent && PostgresErrors.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                // Nothing was committed, and the processor is pure: redoing the whole transaction is safe.
                PostgresLog.Retrying(_logger, "write", ex.GetBaseException().Message);
                _dataSource.Clear();
            }
            catch (Exception ex) when (PostgresErrors.IsStoreFailure(ex) && !cancellationToken.IsCancellationRequested)
            {
                // If COMMIT itself was cut off the outcome is unknown; callers see 503 and a retry meets the row as it is.
                throw PostgresErrors.Unavailable(commitSent ? "confirm the commit" : "commit", ex);
            }
        }
    }

    private async Task<WriteResult[]> WriteOnceAsync(IReadOnlyList<SessionWrite> writes, Action committing, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        var targets = WriteBatch.TargetIds(writes);
        var (log, paths) = await LockLogAsync(connection, transaction, targets, ct);
        writes = await DedupeTelemetryAsync(connection, transaction, writes, ct);
        writes = await ResolveStreamsAsync(connection, transaction, writes, ct);
        var submitted = writes.Count;
        var learned = new SpanLinkCache.Changes();
        writes = await LinkSpansAsync(connection, transaction, writes, learned, ct);
        if (writes.Count > submitted)
        {
            targets = await AddTargetsAsync(connection, transaction, writes, paths, ct);
        }

        var sessions = await LockSessionsAsync(connection, transaction, await TreeIdsAsync(connection, transaction, writes, targets, paths, ct), ct);

        var alerts = await LoadAlertTargetsAsync(connection, transaction, WriteBatch.AlertTargets(writes), ct);
        var commandRows = await LoadCommandTargetsAsync(connection, transaction, WriteBatch.CommandTargets(writes), ct);
        var batch = WriteBatch.Apply(writes, sessions, log, Now(), alerts, commandRows);
        var usage = await RollUpAsync(connection, transaction, batch, ct);
        if (!batch.IsEmpty)
        {
            await using var commands = new NpgsqlBatch(connection, transaction);
            AddUsage(commands, usage);
            foreach (var (session, _) in batch.Dirty)
            {
                commands.BatchCommands.Add(PostgresRows.Upsert(session));
            }

            AddSubtrees(commands, batch);
            AddMoves(commands, batch);
            foreach (var e in batch.Events)
            {
                commands.BatchCommands.Add(PostgresRows.Insert(e));
            }

            foreach (var alert in batch.DirtyAlerts)
            {
                commands.BatchCommands.Add(UpsertAlert(alert));
            }

            foreach (var command in batch.DirtyCommands)
            {
                commands.BatchCommands.Add(UpsertCommand(command));
            }

            if (batch.Head != log)
            {
                commands.BatchCommands.Add(UpdateLog(batch.Head));
            }

            if (batch.Events.Count > 0)
            {
                // NOTIFY is transactional: it is delivered on commit, in commit order, carrying only the position.
                var notify = new NpgsqlBatchCommand("SELECT pg_notify(@channel, @payload);");
                notify.Parameters.Add(new NpgsqlParameter<string>("channel", PostgresSchema.Channel));
                notify.Parameters.Add(new NpgsqlParameter<string>("payload", batch.Head.HeadSeq.ToString(CultureInfo.InvariantCulture)));
                commands.BatchCommands.Add(notify);
            }

            await commands.ExecuteNonQueryAsync(ct);
        }

        if (_options.BeforeCommit is { } hook)
        {
            await hook(ct);
        }

        committing();
        await transaction.CommitAsync(ct);
        _links.Commit(learned);
        return batch.Results.Length == submitted ? batch.Results : batch.Results[..submitted]; // not the adoptions the store added
    }

    /// <summary>
    /// Locks the log row, then (in the same round trip) reads the tree paths of <paramref name="targets"/> without locking
    /// them: every writer waits on the log row, and a path changes only inside such a writer (an adoption), so they still
    /// hold when the rows are locked.
    /// </summary>
    private async Task<(LogHead Head, Dictionary<string, string> Paths)> LockLogAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyCollection<string> targets, CancellationToken ct)
    {
        // The timeout frees the log lock should this node hang mid-transaction; it only applies while idle in it.
        var timeout = (long)_options.IdleInTransactionTimeout.TotalMilliseconds;
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand($"SET LOCAL idle_in_transaction_session_timeout = {timeout.ToString(CultureInfo.InvariantCulture)};"),
                new NpgsqlBatchCommand("SELECT head_seq, active_count, fleet_paused FROM switchboard_log WHERE id = 1 FOR UPDATE;"),
                SelectPaths(targets),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            throw new InvalidOperationException("The switchboard_log row is missing; call InitializeAsync first.");
        }

        var head = new LogHead(reader.GetInt64(0), reader.GetInt64(1), reader.GetBoolean(2));
        await reader.NextResultAsync(ct);
        return (head, await ReadPathsAsync(reader, ct));
    }

    /// <summary>Locks and reads <paramref name="ids"/> in one statement, in id order: one fixed lock order for the whole batch.</summary>
    private static async Task<Dictionary<string, Session?>> LockSessionsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        var sessions = ids.ToDictionary(id => id, _ => (Session?)null, StringComparer.Ordinal);
        if (ids.Count == 0)
        {
            return sessions;
        }

        await using var command = new NpgsqlCommand(
            $"SELECT {PostgresRows.SessionColumns} FROM switchboard_sessions WHERE id = ANY(@ids) ORDER BY id FOR UPDATE;", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string[]>("ids", [.. ids]));
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var session = PostgresRows.ReadSession(reader);
            sessions[session.Id] = session;
        }

        return sessions;
    }

    private static NpgsqlBatchCommand UpdateLog(LogHead head)
    {
        var command = new NpgsqlBatchCommand(
            "UPDATE switchboard_log SET head_seq = @head, active_count = @active, fleet_paused = @paused WHERE id = 1;");
        command.Parameters.Add(new NpgsqlParameter<long>("head", head.HeadSeq));
        command.Parameters.Add(new NpgsqlParameter<long>("active", head.ActiveCount));
        command.Parameters.Add(new NpgsqlParameter<bool>("paused", head.FleetPaused));
        return command;
    }

    /// <inheritdoc />
    public async Task CheckWritableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            // A real write that changes nothing: it takes the log row's lock only for the moment of the update.
            await using var command = new NpgsqlCommand("UPDATE switchboard_log SET head_seq = head_seq WHERE id = 1;", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception ex) when (PostgresErrors.IsStoreFailure(ex) && !cancellationToken.IsCancellationRequested)
        {
            throw PostgresErrors.Unavailable("write", ex);
        }
    }

    /// <inheritdoc />
    /// <remarks>Deletes a prefix of the log in chunks, so the retained range stays one contiguous suffix. The head is untouched.</remarks>
    public async Task<long> PurgeAsync(RetentionPolicy policy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const int chunk = 20_000;
        var cut = now.ToUniversalTime() - policy.MaxAge;
        long deleted = 0;
        await RunAsync("purge telemetry keys", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(
                "DELETE FROM switchboard_telemetry_keys WHERE at < @cut; DELETE FROM switchboard_telemetry_streams WHERE at < @cut; " +
                "DELETE FROM switchboard_telemetry_waits WHERE at < @cut;", connection);
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("cut", now.ToUniversalTime() - TelemetryDedupe.Window));
            return await command.ExecuteNonQueryAsync(ct);
        }, cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            var removed = await RunAsync("purge the event log", async (connection, ct) =>
            {
                long head, first;
                long? firstYoung;
                await using (var command = new NpgsqlCommand(
                    "SELECT head_seq, (SELECT min(seq) FROM switchboard_events), " +
                    "(SELECT seq FROM switchboard_events WHERE at >= @cut ORDER BY seq LIMIT 1) FROM switchboard_log WHERE id = 1;", connection))
                {
                    command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("cut", cut));
                    await using var reader = await command.ExecuteReaderAsync(ct);
                    await reader.ReadAsync(ct);
                    head = reader.GetInt64(0);
                    first = reader.IsDBNull(1) ? head + 1 : reader.GetInt64(1);
                    firstYoung = reader.IsDBNull(2) ? null : reader.GetInt64(2);
                }

                // Events are appended in (roughly) time order, so everything before the first young one goes.
                var boundary = Math.Max(head - policy.MaxEvents, firstYoung is { } young ? young - 1 : head);
                if (boundary < first)
                {
                    return -1L;
                }

                await using var delete = new NpgsqlCommand("DELETE FROM switchboard_events WHERE seq <= @upTo;", connection);
                delete.Parameters.Add(new NpgsqlParameter<long>("upTo", Math.Min(boundary, first + chunk - 1)));
                return await delete.ExecuteNonQueryAsync(ct);
            }, cancellationToken);

            if (removed < 0)
            {
                break;
            }

            deleted += removed;
        }

        return deleted;
    }
}
