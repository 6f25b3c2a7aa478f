using Microsoft.Data.Sqlite;
using Switchboard.Core.Storage;
using Switchboard.Core.Storage.Sql;
using Switchboard.Core.Writes;

namespace Switchboard.Storage.Sqlite;

internal sealed partial class SqliteSessionStore
{
    /// <summary>The write transaction open under the write lock and its stream primitives (<see cref="StreamWriterIn"/>); default otherwise.</summary>
    private (SqliteWriteTransaction? Transaction, SqliteStreamWriter? Writer) _sessionStreams;

    /// <inheritdoc />
    protected override Switchboard.Core.Streams.IDurableStreamWriter StreamWriterIn(IStoreTransaction transaction) =>
        ReferenceEquals(transaction, _sessionStreams.Transaction) && _sessionStreams.Writer is { } writer
            ? writer
            : throw new InvalidOperationException("Stream primitives are only handed out inside the store's open write transaction.");

    /// <inheritdoc />
    /// <remarks>
    /// One IMMEDIATE transaction on the writer (<see cref="OnWriterAsync{T}"/>), with <see cref="SqliteWriteTransaction"/>'s
    /// primitives. The writer's caches and in-memory head move only once it committed (<see cref="OnCommitted"/>).
    /// </remarks>
    protected override Task<T> InTransactionAsync<T>(Func<IStoreTransaction, Task<T>> body, CancellationToken cancellationToken) =>
        OnWriterAsync(async (writer, commands) =>
        {
            try
            {
                var transaction = await BeginLogWriteAsync(commands);
                await using var tx = new SqliteWriteTransaction(transaction, commands, _rows, _waits, _spanOwners, new LogHead(_headSeq, _activeCount, _fleetPaused));
                _sessionStreams = (tx, new SqliteStreamWriter(writer, transaction, commands.Kept));
                var result = await body(tx);
                OnCommitted(tx);
                return result;
            }
            finally
            {
                _sessionStreams = default;
            }
        }, ex =>
        {
            _rows.Clear(); // whatever the file holds now, read it again
            _waits.Reset();
            return SqliteFailure.Refused(ex) ?? (Exception)SqliteFailure.Unavailable("commit", ex, DataDirectory);
        }, cancellationToken);

    /// <summary>
    /// The store's one way onto its writer, for every write (the log's, the streams', those outside the log, the write
    /// check): under the write lock, on the writer connection and its prepared statements; a SQLite failure surfaces as
    /// what <paramref name="failed"/> makes of it.
    /// </summary>
    private async Task<T> OnWriterAsync<T>(Func<SqliteConnection, WriterStatements, Task<T>> body, Func<SqliteException, Exception> failed,
        CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var writer = _writer ?? throw new ObjectDisposedException(nameof(SqliteSessionStore));
            var commands = _commands ?? throw new ObjectDisposedException(nameof(SqliteSessionStore));
            try
            {
                return await body(writer, commands);
            }
            catch (SqliteException ex)
            {
                throw failed(ex);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Opens the IMMEDIATE transaction of a write to the log, on the writer under its lock: the rebuild of the active
    /// counts owed since start-up first, then the head checked unmoved (<see cref="EnsureHeadUnmoved"/>).
    /// </summary>
    private async Task<SqliteTransaction> BeginLogWriteAsync(WriterStatements commands)
    {
        await EnsureActiveCountsAsync();
        var transaction = _writer!.BeginTransaction(deferred: false);
        try
        {
            commands.Bind(transaction);
            EnsureHeadUnmoved(commands, transaction);
            return transaction;
        }
        catch
        {
            transaction.Dispose();
            throw;
        }
    }

    /// <summary>Still under the write lock, right after the commit: the writer's head and row cache, and the feed.</summary>
    private void OnCommitted(SqliteWriteTransaction tx)
    {
        if (tx.Committed is not { } plan)
        {
            return;
        }

        foreach (var (session, _) in plan.Sessions)
        {
            _rows.Remember(session);
        }

        foreach (var session in plan.Subtrees)
        {
            _rows.Remember(session);
        }

        (_headSeq, _activeCount, _fleetPaused) = (plan.Head.HeadSeq, plan.Head.ActiveCount, plan.Head.FleetPaused);
        _feed.Publish(plan.Events);
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
    public override Task CheckWritableAsync(CancellationToken cancellationToken) => OnWriterAsync(async (writer, commands) =>
    {
        using var transaction = await BeginLogWriteAsync(commands);
        await StampWriteCheckAsync(new SqlConnectionScope(writer, transaction, Sql));
        transaction.Commit();
        return true;
    }, ex => SqliteFailure.Unavailable("write", ex, DataDirectory), cancellationToken);

    /// <summary>
    /// This store assigns seqs from its own head, so the head must not have moved since it last wrote: if another
    /// process wrote to the file (or a backup was restored under it), the store reloads its head, tells the feed's sink to
    /// rebuild, and refuses this write (it would reuse seqs). The next write then succeeds.
    /// </summary>
    private void EnsureHeadUnmoved(WriterStatements commands, SqliteTransaction transaction)
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
