using System.Data;
using Npgsql;
using Switchboard.Streams;

namespace Switchboard.Storage.Postgres;

/// <summary>
/// Durable streams on PostgreSQL. A stream transaction does not touch the event log's row, so appends never queue behind
/// session writes; writers of one stream on every node queue on its path's advisory lock and its row. Advances reach
/// this node's readers right after the commit and every other node's through <see cref="PostgresStreamFeed"/>. Reads and
/// upkeep are <see cref="Sql.SqlStore"/>'s.
/// </summary>
internal sealed partial class PostgresSessionStore
{
    private PostgresStreamFeed? _streamFeed;

    /// <inheritdoc />
    public override IStreamFeed StreamFeed => LazyInitializer.EnsureInitialized(ref _streamFeed, () =>
    {
        var connection = Listener(new NpgsqlConnectionStringBuilder(_options.ConnectionString), "stream listener");
        // An idle LISTEN connection learns it is dead only when it sends something: a keepalive query every poll interval.
        connection.KeepAlive = Math.Max(1, (int)_options.PollInterval.TotalSeconds);
        return new PostgresStreamFeed(connection, _options, _logger, _loops);
    });

    /// <inheritdoc />
    public override async Task<T> WriteStreamsAsync<T>(Func<IStreamWriter, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var commitSent = false;
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
                var writer = new PostgresStreamWriter(connection, transaction);
                var result = await work(writer, cancellationToken);
                commitSent = true;
                await transaction.CommitAsync(cancellationToken);
                if (writer.Persisted is { Advances.Count: > 0 } persisted)
                {
                    ((PostgresStreamFeed)StreamFeed).Publish(persisted.Advances);
                }

                return result;
            }
            catch (Exception ex) when (attempt == 1 && !commitSent && PostgresErrors.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                // Nothing was committed and the work only reads what this transaction read: doing it again is safe.
                PostgresLog.Retrying(_logger, "stream write", ex.GetBaseException().Message);
                _dataSource.Clear();
            }
            catch (Exception ex) when (PostgresErrors.IsStoreFailure(ex) && !cancellationToken.IsCancellationRequested)
            {
                throw PostgresErrors.Unavailable(commitSent ? "confirm the stream commit" : "commit the stream writes", ex);
            }
        }
    }
}
