using Microsoft.Data.Sqlite;
using Switchboard.Streams;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// Durable streams on SQLite: stream transactions run on the writer connection under the store's write lock (the one
/// writer, so they serialise with session writes), reads on the reader pool, and advances go to readers on this node
/// straight after each commit (<see cref="LocalStreamFeed"/>).
/// </summary>
internal sealed partial class SqliteSessionStore : IStreamStore
{
    private readonly LocalStreamFeed _streamFeed = new();

    /// <inheritdoc />
    public IStreamFeed StreamFeed => _streamFeed;

    /// <inheritdoc />
    public async Task<T> WriteStreamsAsync<T>(Func<IStreamWriter, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var connection = _writer ?? throw new ObjectDisposedException(nameof(SqliteSessionStore));
            T result;
            SqliteStreamWriter writer;
            try
            {
                using var transaction = connection.BeginTransaction(deferred: false);
                writer = new SqliteStreamWriter(connection, transaction);
                result = await work(writer, cancellationToken);
                transaction.Commit();
            }
            catch (SqliteException ex)
            {
                throw SqliteFailure.Unavailable("commit the stream writes", ex, DataDirectory);
            }

            // Under the lock, so advances reach the feed in commit order.
            if (writer.Persisted is { Advances.Count: > 0 } persisted)
            {
                _streamFeed.Publish(persisted.Advances);
            }

            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc />
    public Task<StreamChain?> ReadChainAsync(string path, CancellationToken cancellationToken)
    {
        using var lease = _readers.Rent();
        using var command = lease.Connection.CreateCommand();
        command.CommandText = SqliteStreamSchema.SelectChain;
        command.Parameters.AddWithValue("$path", path);
        var rows = SqliteStreamRows.ReadAll(command);
        return Task.FromResult(rows.Count == 0 ? null : new StreamChain(rows));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StreamChunk>> ReadChunksAsync(IReadOnlyList<ChunkRange> ranges, long maxBytes, CancellationToken cancellationToken)
    {
        using var lease = _readers.Rent();
        return Task.FromResult(SqliteStreamRows.ReadChunks(lease.Connection, null, ranges, maxBytes));
    }

    /// <inheritdoc />
    public async Task RenewAsync(StreamRow renewed, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            using var command = (_writer ?? throw new ObjectDisposedException(nameof(SqliteSessionStore))).CreateCommand();
            command.CommandText = "UPDATE streams SET accessed_at = $a, due_at = $d WHERE id = $id AND state = 0 AND accessed_at < $a;";
            command.Parameters.AddWithValue("$id", renewed.Id);
            command.Parameters.AddWithValue("$a", renewed.AccessedAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$d", (object?)renewed.DueAt?.ToUnixTimeMilliseconds() ?? DBNull.Value);
            command.ExecuteNonQuery();
        }
        catch (SqliteException ex)
        {
            throw SqliteFailure.Unavailable("renew a stream's TTL", ex, DataDirectory);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>Each call deletes at most <see cref="ReclaimChunkBudget"/> chunks, so the write lock is never held long.</remarks>
    public async Task<int> ReclaimAsync(int limit, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var connection = _writer ?? throw new ObjectDisposedException(nameof(SqliteSessionStore));
            using var transaction = connection.BeginTransaction(deferred: false);
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT id FROM streams WHERE state = 2 LIMIT $limit;";
            command.Parameters.AddWithValue("$limit", limit);
            var ids = new List<long>();
            using (var r = command.ExecuteReader())
            {
                while (r.Read())
                {
                    ids.Add(r.GetInt64(0));
                }
            }

            var budget = ReclaimChunkBudget;
            var finished = 0;
            foreach (var id in ids)
            {
                command.Parameters.Clear();
                command.Parameters.AddWithValue("$id", id);
                command.Parameters.AddWithValue("$n", budget);
                command.CommandText = "DELETE FROM stream_chunks WHERE rowid IN (SELECT rowid FROM stream_chunks WHERE stream_id = $id LIMIT $n);";
                budget -= command.ExecuteNonQuery();
                command.CommandText = "SELECT EXISTS (SELECT 1 FROM stream_chunks WHERE stream_id = $id);";
                if (command.ExecuteScalar() is 1L)
                {
                    break; // budget spent; the next run goes on
                }

                command.CommandText = "DELETE FROM stream_producers WHERE stream_id = $id; DELETE FROM streams WHERE id = $id;";
                command.ExecuteNonQuery();
                finished++;
            }

            transaction.Commit();
            return finished;
        }
        catch (SqliteException ex)
        {
            throw SqliteFailure.Unavailable("reclaim deleted streams", ex, DataDirectory);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Chunks one reclaim run deletes at most.</summary>
    private const int ReclaimChunkBudget = 2000;
}
