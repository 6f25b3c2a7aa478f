using System.Data;
using System.Globalization;
using Npgsql;
using Switchboard.Writes;

namespace Switchboard.Storage.Postgres;

internal sealed partial class PostgresSessionStore
{
    /// <inheritdoc />
    protected override Streams.IStreamWriter StreamWriterIn(IStoreTransaction transaction) => ((PostgresWriteTransaction)transaction).Streams;

    /// <inheritdoc />
    /// <remarks>
    /// One READ COMMITTED transaction (<see cref="PostgresWriteTransaction"/>). A transient failure before COMMIT was sent
    /// is retried once on a fresh connection: nothing was committed, and the unit of work is pure, so redoing it is safe.
    /// A value the database refuses fails the batch with <see cref="StoreRejectedException"/>.
    /// </remarks>
    protected override async Task<T> InTransactionAsync<T>(Func<IStoreTransaction, Task<T>> body, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var commitSent = false;
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
                await using var transaction = new PostgresWriteTransaction(connection,
                    await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken), _options, () => commitSent = true);
                return await body(transaction);
            }
            catch (PostgresException ex) when (PostgresErrors.IsRefusal(ex))
            {
                throw new StoreRejectedException($"{ex.MessageText} (SQLSTATE {ex.SqlState})", ex);
            }
            catch (Exception ex) when (attempt == 1 && !commitSent && PostgresErrors.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
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
