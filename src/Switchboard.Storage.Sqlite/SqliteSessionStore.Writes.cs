using Switchboard.Writes;
using Microsoft.Data.Sqlite;
using Switchboard.Storage.Sql;

namespace Switchboard.Storage.Sqlite;

internal sealed partial class SqliteSessionStore
{
    /// <summary>The write transaction open under the write lock and its stream primitives (<see cref="StreamWriterIn"/>); default otherwise.</summary>
    private (SqliteWriteTransaction? Transaction, SqliteStreamWriter? Writer) _sessionStreams;

    /// <inheritdoc />
    protected override Streams.IStreamWriter StreamWriterIn(IStoreTransaction transaction) =>
        ReferenceEquals(transaction, _sessionStreams.Transaction) && _sessionStreams.Writer is { } writer
            ? writer
            : throw new InvalidOperationException("Stream primitives are only handed out inside the store's open write transaction.");

    /// <inheritdoc />
    /// <remarks>
    /// One IMMEDIATE transaction on the writer, under the store's lock, with <see cref="SqliteWriteTransaction"/>'s
    /// primitives. The writer's caches and in-memory head move only once it committed (<see cref="Committed"/>).
    /// </remarks>
    protected override async Task<T> InTransactionAsync<T>(Func<IStoreTransaction, Task<T>> body, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var commands = _commands ?? throw new ObjectDisposedException(nameof(SqliteSessionStore));
            try
            {
                await EnsureActiveCountsAsync();
                var transaction = _writer!.BeginTransaction(deferred: false);
                await using var tx = new SqliteWriteTransaction(transaction, commands, _rows, _waits, _spanOwners, new LogHead(_headSeq, _activeCount, _fleetPaused));
                _sessionStreams = (tx, new SqliteStreamWriter(_writer, transaction, commands.Kept));
                commands.Bind(transaction);
                EnsureHeadUnmoved(commands, transaction);
                var result = await body(tx);
                OnCommitted(tx);
                return result;
            }
            catch (SqliteException ex)
            {
                _rows.Clear(); // whatever the file holds now, read it again
                _waits.Reset();
                throw SqliteFailure.Refused(ex) ?? (Exception)SqliteFailure.Unavailable("commit", ex, DataDirectory);
            }
        }
        finally
        {
            _sessionStreams = default;
            _writeLock.Release();
        }
    }

    /// <summary>Still under the write lock, right after the commit: the writer's head and row cache, and the feed.</summary>
    private void OnCommitted(SqliteWriteTransaction tx)
    {
        if (tx.Batch is not { } batch)
        {
            return;
        }

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
        if (_sessionStreams.Writer?.Persisted is { Advances.Count: > 0 } persisted)
        {
            _streamFeed.Publish(persisted.Advances);
        }

        if (tx.EndedStreams.Count > 0)
        {
            _streamFeed.Publish(tx.EndedStreams);
        }
    }

    /// <inheritdoc />
    public override async Task CheckWritableAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var commands = _commands ?? throw new ObjectDisposedException(nameof(SqliteSessionStore));
            await EnsureActiveCountsAsync();
            using var transaction = _writer!.BeginTransaction(deferred: false);
            commands.Bind(transaction);
            EnsureHeadUnmoved(commands, transaction);
            await StampWriteCheckAsync(new SqlSession(_writer, transaction, Sql));
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
        ForgetLinks();
        _waits.Load(_writer!);
        _spanOwners.Load(_writer!, Now() - TelemetryDedupe.Window);
        LoadHead(_writer!);
        _feed.Reset(_headSeq, reason);
        throw new StoreUnavailableException(reason + "; the node reloaded its state, retry the write.");
    }
}
