using System.Data;
using System.Globalization;
using Npgsql;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;

namespace Switchboard.Storage.Postgres;

internal sealed partial class PostgresSessionStore
{
    /// <inheritdoc />
    protected override Switchboard.Core.Streams.IDurableStreamWriter StreamWriterIn(IStoreTransaction transaction) => ((PostgresWriteTransaction)transaction).Streams;

    /// <inheritdoc />
    /// <remarks>
    /// One READ COMMITTED transaction (<see cref="PostgresWriteTransaction"/>) in the store's one loop (<see cref="TransactAsync{T}"/>):
    /// retried once after a transient failure before COMMIT was sent; a value the database refuses fails the batch with
    /// <see cref="StoreRejectedException"/>.
    /// </remarks>
    protected override Task<T> InTransactionAsync<T>(Func<IStoreTransaction, Task<T>> body, CancellationToken cancellationToken) =>
        TransactAsync(Write, async (connection, commitSent, ct) =>
        {
            await using var transaction = new PostgresWriteTransaction(connection,
                await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct), _options, commitSent);
            return await body(transaction);
        }, cancellationToken);

    private static readonly PostgresWork Write = new("write", "commit", "confirm the commit", Refusals: true);

    /// <summary>What one kind of <see cref="TransactAsync{T}"/> run is called: in the retry's log line, and in the error before and after COMMIT was sent.</summary>
    private sealed record PostgresWork(string Name, string? Committing = null, string? Confirming = null, bool Refusals = false);

    /// <summary>
    /// The store's one connection loop, for every read, write and transaction: opens a pooled connection and runs
    /// <paramref name="body"/>, which calls its <see cref="Action"/> right before it sends COMMIT. A transient failure
    /// (typically a pooled connection that died with a restarted server) before then clears the pool and retries once:
    /// nothing was committed, and the work only reads what its own transaction read, so redoing it is safe. A value the
    /// database refuses fails with <see cref="StoreRejectedException"/> where <see cref="PostgresWork.Refusals"/> says so;
    /// any other database failure surfaces as <see cref="StoreUnavailableException"/>.
    /// </summary>
    private async Task<T> TransactAsync<T>(PostgresWork work, Func<NpgsqlConnection, Action, CancellationToken, Task<T>> body, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var commitSent = false;
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
                return await body(connection, () => commitSent = true, cancellationToken);
            }
            catch (PostgresException ex) when (work.Refusals && PostgresErrors.IsRefusal(ex))
            {
                throw new StoreRejectedException($"{ex.MessageText} (SQLSTATE {ex.SqlState})", ex);
            }
            catch (Exception ex) when (attempt == 1 && !commitSent && PostgresErrors.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                PostgresLog.Retrying(_logger, work.Name, ex.GetBaseException().Message);
                _dataSource.Clear();
            }
            catch (Exception ex) when (PostgresErrors.IsStoreFailure(ex) && !cancellationToken.IsCancellationRequested)
            {
                // If COMMIT itself was cut off the outcome is unknown; callers see 503 and a retry meets the row as it is.
                throw PostgresErrors.Unavailable(commitSent ? work.Confirming ?? work.Name : work.Committing ?? work.Name, ex);
            }
        }
    }

    /// <inheritdoc />
    public override async Task CheckWritableAsync(CancellationToken cancellationToken)
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
}
