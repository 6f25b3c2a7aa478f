using Microsoft.Data.Sqlite;
using Switchboard.Events;
using Switchboard.Sessions;
using Switchboard.Writes;

namespace Switchboard.Storage.Sqlite;

internal sealed partial class SqliteSessionStore
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<WriteResult>> WriteAsync(IReadOnlyList<SessionWrite> writes, CancellationToken cancellationToken)
    {
        var submitted = writes.Count;
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var commands = _commands ?? throw new ObjectDisposedException(nameof(SqliteSessionStore));
            WriteBatch batch;
            var learned = new SpanLinkCache.Changes();
            try
            {
                EnsureActiveCounts();
                using var transaction = _writer!.BeginTransaction(deferred: false);
                commands.Bind(transaction);
                EnsureHeadUnmoved(commands, transaction);
                writes = DedupeTelemetry(commands, writes);
                writes = ResolveStreams(commands, writes, Now().ToUnixTimeMilliseconds());
                writes = LinkSpans(commands, writes, Now().ToUnixTimeMilliseconds(), learned);
                var current = WriteBatch.TargetIds(writes).ToDictionary(id => id, id => CurrentRow(commands, id), StringComparer.Ordinal);
                ReadTrees(commands, writes, current);
                var alerts = LoadAlertTargets(transaction, WriteBatch.AlertTargets(writes));
                var commandRows = LoadCommandTargets(transaction, WriteBatch.CommandTargets(writes));
                batch = WriteBatch.Apply(writes, current, new LogHead(_headSeq, _activeCount, _fleetPaused), Now(), alerts, commandRows);
                Persist(batch, commands);
                transaction.Commit();
                UsageCommitted();
                _links.Commit(learned);
            }
            catch (SqliteException ex)
            {
                _rows.Clear();
                ForgetUsage(); // whatever the file holds now, read it again
                throw SqliteFailure.Unavailable("commit", ex, DataDirectory);
            }

            foreach (var (session, _) in batch.Dirty)
            {
                _rows.Remember(session);
            }

            foreach (var session in batch.SubtreeDirty)
            {
                _rows.Remember(session);
            }

            // In-memory positions move only once the commit succeeded.
            (_headSeq, _activeCount, _fleetPaused) = (batch.Head.HeadSeq, batch.Head.ActiveCount, batch.Head.FleetPaused);
            _feed.Publish(batch.Events);
            return batch.Results.Length == submitted ? batch.Results : batch.Results[..submitted]; // not the adoptions the store added
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
        _links.Reset();
        ForgetUsage();
        LoadHead(_writer!);
        _feed.Reset(_headSeq, reason);
        throw new StoreUnavailableException(reason + "; the node reloaded its state, retry the write.");
    }

    private void Persist(WriteBatch batch, WriterCommands commands)
    {
        foreach (var (session, isNew) in batch.Dirty)
        {
            var command = isNew ? commands.InsertSession : commands.UpdateSession;
            SqliteRows.BindSession(command, session, update: !isNew);
            command.Execute();
        }

        PersistSubtrees(batch, commands);
        PersistMoves(batch, commands);
        foreach (var e in batch.Events)
        {
            InsertEvent(commands.InsertEvent, e);
        }

        PersistUsage(batch, commands);
        PersistAlerts(batch, commands.Transaction!);
        PersistCommands(batch, commands.Transaction!);
        if (batch.Head.FleetPaused != batch.StartHead.FleetPaused)
        {
            commands.SetMeta.Parameters["$k"].Value = "fleet_paused";
            commands.SetMeta.Parameters["$v"].Value = batch.Head.FleetPaused ? "true" : "false";
            commands.SetMeta.ExecuteNonQuery();
        }
    }

    /// <summary>The committed row of <paramref name="id"/>: from the writer's cache, else selected (and then cached).</summary>
    private Session? CurrentRow(WriterCommands commands, string id)
    {
        if (_rows.TryGet(id, out var cached))
        {
            return cached;
        }

        commands.SelectSession.Parameters["$id"].Value = id;
        using var reader = commands.SelectSession.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        var session = SqliteRows.ReadSession(reader);
        _rows.Remember(session);
        return session;
    }

    private static void InsertEvent(WriterStatement insert, EventRecord e)
    {
        insert.Bind(1, e.Seq);
        insert.Bind(2, e.At.ToUnixTimeMilliseconds());
        insert.Bind(3, e.Type);
        insert.Bind(4, e.SessionId);
        insert.Bind(5, e.Data.Span);
        insert.Bind(6, SqliteRows.LabelsText(e.Labels));
        insert.Bind(7, SqliteRows.LabelsText(e.PriorLabels));
        insert.Bind(8, Trees.TreePath.EventRoot(e.TreePath));
        insert.Bind(9, e.TreePath);
        insert.Execute();
    }

    /// <inheritdoc />
    public async Task<long> PurgeAsync(RetentionPolicy policy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const int chunk = 20_000;
        long deleted = 0;
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            PurgeTelemetryKeys(now);
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
