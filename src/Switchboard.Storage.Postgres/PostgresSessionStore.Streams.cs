using System.Data;
using Npgsql;
using Switchboard.Core.Streams;

namespace Switchboard.Storage.Postgres;

/// <summary>
/// Durable streams on PostgreSQL. A stream transaction does not touch the event log's row, so appends never queue behind
/// session writes; writers of one stream on every node queue on its path's advisory lock and its row. Advances reach
/// this node's readers right after the commit and every other node's through <see cref="PostgresStreamFeed"/>. Reads and
/// upkeep are <see cref="Switchboard.Core.Storage.Sql.SqlStore"/>'s.
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
    public override Task<T> WriteStreamsAsync<T>(Func<IDurableStreamWriter, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        TransactAsync(StreamWrite, async (connection, commitSent, ct) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            var writer = new PostgresStreamWriter(connection, transaction);
            var result = await work(writer, ct);
            commitSent();
            await transaction.CommitAsync(ct);
            if (writer.Persisted is { Advances.Count: > 0 } persisted)
            {
                ((PostgresStreamFeed)StreamFeed).Publish(persisted.Advances);
            }

            return result;
        }, cancellationToken);

    private static readonly PostgresWork StreamWrite = new("stream write", "commit the stream writes", "confirm the stream commit");
}
