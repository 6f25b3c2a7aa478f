using Microsoft.Data.Sqlite;
using Switchboard.Core.Storage.Sql;
using Switchboard.Core.Streams;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// Durable streams' write transaction on SQLite: on the writer connection under the store's write lock (the one writer,
/// so stream writes serialise with session writes), with advances going to readers on this node straight after each
/// commit (<see cref="LocalStreamFeed"/>). Reads and upkeep are <see cref="SqlStore"/>'s.
/// </summary>
internal sealed partial class SqliteSessionStore
{
    private readonly LocalStreamFeed _streamFeed = new();

    /// <inheritdoc />
    public override IStreamFeed StreamFeed => _streamFeed;

    /// <inheritdoc />
    public override Task<T> WriteStreamsAsync<T>(Func<IDurableStreamWriter, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        OnWriterAsync(async (connection, commands) =>
        {
            T result;
            SqliteStreamWriter writer;
            using (var transaction = connection.BeginTransaction(deferred: false))
            {
                writer = new SqliteStreamWriter(connection, transaction, commands.Kept);
                result = await work(writer, cancellationToken);
                transaction.Commit();
            }

            // Under the lock, so advances reach the feed in commit order.
            if (writer.Persisted is { Advances.Count: > 0 } persisted)
            {
                _streamFeed.Publish(persisted.Advances);
            }

            return result;
        }, ex => SqliteFailure.Unavailable("commit the stream writes", ex, DataDirectory), cancellationToken);
}
