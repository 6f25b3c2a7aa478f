using Microsoft.Data.Sqlite;
using Switchboard.Writes;

namespace Switchboard.Storage.Sqlite;

internal sealed partial class SqliteSessionStore
{
    /// <inheritdoc />
    /// <remarks>
    /// One IMMEDIATE transaction on the writer, under the store's lock: <see cref="UnitOfWork"/> runs the write through
    /// <see cref="SqliteWriteTransaction"/>'s primitives. The writer's caches and in-memory head move only once it committed.
    /// </remarks>
    public async Task<IReadOnlyList<WriteResult>> WriteAsync(IReadOnlyList<SessionWrite> writes, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var commands = _commands ?? throw new ObjectDisposedException(nameof(SqliteSessionStore));
            UnitOfWork.Outcome outcome;
            try
            {
                EnsureActiveCounts();
                var transaction = _writer!.BeginTransaction(deferred: false);
                await using var tx = new SqliteWriteTransaction(transaction, commands, _rows, _waits, new LogHead(_headSeq, _activeCount, _fleetPaused));
                commands.Bind(transaction);
                EnsureHeadUnmoved(commands, transaction);
                outcome = await _unit.RunAsync(tx, writes, Now);
            }
            catch (SqliteException ex)
            {
                _rows.Clear(); // whatever the file holds now, read it again
                _waits.Reset();
                throw SqliteFailure.Refused(ex) ?? (Exception)SqliteFailure.Unavailable("commit", ex, DataDirectory);
            }

            var batch = outcome.Batch;
            foreach (var (session, _) in batch.Dirty)
            {
                _rows.Remember(session);
            }

            foreach (var session in batch.SubtreeDirty)
            {
                _rows.Remember(session);
            }

            (_headSeq, _activeCount, _fleetPaused) = (batch.Head.HeadSeq, batch.Head.ActiveCount, batch.Head.FleetPaused);
            _feed.Publish(batch.Events);
            return outcome.Results;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc />
    public async Task CheckWritableAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var commands = _commands ?? throw new ObjectDisposedException(nameof(SqliteSessionStore));
            EnsureActiveCounts();
            using var transaction = _writer!.BeginTransaction(deferred: false);
            commands.Bind(transaction);
            EnsureHeadUnmoved(commands, transaction);
            commands.SetMeta.Parameters["$k"].Value = "write_checked_at";
            commands.SetMeta.Parameters["$v"].Value = Now().ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            commands.SetMeta.ExecuteNonQuery();
            transaction.Commit();
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

    /// <summary>
    /// This store assigns seqs from its own head, so the head must not have moved since it last wrote: if another
    /// process wrote to the file (or a backup was restored under it), the store reloads its head, tells the feed's sink to
    /// rebuild, and refuses this write (it would reuse seqs). The next write then succeeds.
    /// </summary>
    private void EnsureHeadUnmoved(WriterCommands commands, SqliteTransaction transaction)
    {
        var head = commands.SelectHead.ExecuteScalar() is long h ? h : 0;
        if (head == _headSeq)
        {
            return;
        }

        var reason = $"The event log moved under this node: it expected head seq {_headSeq} and found {head} " +
            "(another process wrote to the database, or it was replaced)";
        transaction.Rollback();
        _rows.Clear();
        _unit.Reset();
        _waits.Load(_writer!);
        LoadHead(_writer!);
        _feed.Reset(_headSeq, reason);
        throw new StoreUnavailableException(reason + "; the node reloaded its state, retry the write.");
    }

    /// <inheritdoc />
    public async Task<long> PurgeAsync(RetentionPolicy policy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const int chunk = 20_000;
        long deleted = 0;
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            using var command = _writer!.CreateCommand();
            command.CommandText = "DELETE FROM telemetry_keys WHERE at < $cut; DELETE FROM telemetry_streams WHERE at < $cut; " +
                "DELETE FROM telemetry_waits WHERE at < $cut; DELETE FROM telemetry_span_owners WHERE at < $cut;";
            command.Parameters.AddWithValue("$cut", (now - TelemetryDedupe.Window).ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
        }
        catch (SqliteException ex)
        {
            throw SqliteFailure.Unavailable("purge telemetry keys", ex, DataDirectory);
        }
        finally
        {
            _writeLock.Release();
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            await _writeLock.WaitAsync(cancellationToken);
            try
            {
                var boundary = PurgeBoundary(policy, now);
                if (boundary < _firstSeq)
                {
                    return deleted;
                }

                var upTo = Math.Min(boundary, _firstSeq + chunk - 1);
                using var command = _writer!.CreateCommand();
                command.CommandText = "DELETE FROM events WHERE seq <= $upTo;";
                command.Parameters.AddWithValue("$upTo", upTo);
                try
                {
                    deleted += command.ExecuteNonQuery();
                }
                catch (SqliteException ex)
                {
                    throw SqliteFailure.Unavailable("purge", ex, DataDirectory);
                }

                _firstSeq = upTo + 1;
            }
            finally
            {
                _writeLock.Release();
            }
        }

        return deleted;
    }

    /// <summary>The highest seq to delete. The retained range stays one contiguous suffix of the log.</summary>
    private long PurgeBoundary(RetentionPolicy policy, DateTimeOffset now)
    {
        var byCount = _headSeq - policy.MaxEvents;
        using var command = _writer!.CreateCommand();
        // Events are appended in time order, so the first event young enough marks the age boundary.
        command.CommandText = "SELECT seq FROM events WHERE at >= $cut ORDER BY seq LIMIT 1;";
        command.Parameters.AddWithValue("$cut", (now - policy.MaxAge).ToUnixTimeMilliseconds());
        var byAge = command.ExecuteScalar() is long firstYoung ? firstYoung - 1 : _headSeq;
        return Math.Max(byCount, byAge);
    }
}
