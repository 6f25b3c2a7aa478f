using System.Data;
using Npgsql;
using Switchboard.Streams;

namespace Switchboard.Storage.Postgres;

/// <summary>
/// Durable streams on PostgreSQL. A stream transaction does not touch the event log's row, so appends never queue behind
/// session writes; writers of one stream on every node queue on its path's advisory lock and its row. Advances reach
/// this node's readers right after the commit and every other node's through <see cref="PostgresStreamFeed"/>.
/// </summary>
internal sealed partial class PostgresSessionStore : IStreamStore
{
    private PostgresStreamFeed? _streamFeed;

    /// <inheritdoc />
    public IStreamFeed StreamFeed => LazyInitializer.EnsureInitialized(ref _streamFeed, () => new PostgresStreamFeed(
        new NpgsqlConnectionStringBuilder(_options.ConnectionString)
        {
            Pooling = false,
            ApplicationName = "switchboard stream listener",
            // An idle LISTEN connection learns it is dead only when it sends something: a keepalive query every poll interval.
            KeepAlive = Math.Max(1, (int)_options.PollInterval.TotalSeconds),
        }.ConnectionString,
        _options, _logger));

    /// <inheritdoc />
    public async Task<T> WriteStreamsAsync<T>(Func<IStreamWriter, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
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

    /// <inheritdoc />
    public Task<StreamChain?> ReadChainAsync(string path, CancellationToken cancellationToken) =>
        RunAsync("read a stream", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(PostgresStreamSchema.SelectChain, connection);
            command.Parameters.Add(new NpgsqlParameter<string>("path", path));
            await using var reader = await command.ExecuteReaderAsync(ct);
            var rows = await PostgresStreamRows.ReadAllAsync(reader, ct);
            return rows.Count == 0 ? null : new StreamChain(rows);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<StreamChunk>> ReadChunksAsync(IReadOnlyList<ChunkRange> ranges, long maxBytes, CancellationToken cancellationToken) =>
        RunAsync("read stream data", (connection, ct) => ReadChunksAsync(connection, null, ranges, maxBytes, ct), cancellationToken);

    /// <inheritdoc />
    public Task RenewAsync(StreamRow renewed, CancellationToken cancellationToken) =>
        RunAsync("renew a stream's TTL", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(
                "UPDATE switchboard_streams SET accessed_at = @a, due_at = @d WHERE id = @id AND state = 0 AND accessed_at < @a;", connection);
            command.Parameters.Add(new NpgsqlParameter<long>("id", renewed.Id));
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("a", renewed.AccessedAt.ToUniversalTime()));
            command.Parameters.Add(new NpgsqlParameter("d", (object?)renewed.DueAt?.ToUniversalTime() ?? DBNull.Value) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
            return await command.ExecuteNonQueryAsync(ct);
        }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// Each call deletes at most <see cref="ReclaimChunkBudget"/> chunks in one transaction; streams another node is
    /// reclaiming at the same moment are skipped (SKIP LOCKED).
    /// </remarks>
    public Task<int> ReclaimAsync(int limit, CancellationToken cancellationToken) =>
        RunAsync("reclaim deleted streams", async (connection, ct) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            var ids = new List<long>();
            await using (var pick = new NpgsqlCommand(
                "SELECT id FROM switchboard_streams WHERE state = 2 ORDER BY id LIMIT @limit FOR UPDATE SKIP LOCKED;", connection, transaction))
            {
                pick.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
                await using var r = await pick.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct))
                {
                    ids.Add(r.GetInt64(0));
                }
            }

            var budget = ReclaimChunkBudget;
            var finished = 0;
            foreach (var id in ids)
            {
                await using var delete = new NpgsqlCommand(
                    "DELETE FROM switchboard_stream_chunks WHERE ctid IN (SELECT ctid FROM switchboard_stream_chunks WHERE stream_id = @id LIMIT @n);" +
                    "SELECT EXISTS (SELECT 1 FROM switchboard_stream_chunks WHERE stream_id = @id);", connection, transaction);
                delete.Parameters.Add(new NpgsqlParameter<long>("id", id));
                delete.Parameters.Add(new NpgsqlParameter<int>("n", budget));
                await using (var r = await delete.ExecuteReaderAsync(ct))
                {
                    budget -= r.RecordsAffected;
                    await r.ReadAsync(ct);
                    if (r.GetBoolean(0))
                    {
                        break; // budget spent; the next run goes on
                    }
                }

                await using var drop = new NpgsqlCommand(
                    "DELETE FROM switchboard_stream_producers WHERE stream_id = @id; DELETE FROM switchboard_streams WHERE id = @id;", connection, transaction);
                drop.Parameters.Add(new NpgsqlParameter<long>("id", id));
                await drop.ExecuteNonQueryAsync(ct);
                finished++;
            }

            await transaction.CommitAsync(ct);
            return finished;
        }, cancellationToken);

    /// <summary>Chunks one reclaim run deletes at most.</summary>
    private const int ReclaimChunkBudget = 2000;

    internal static async Task<IReadOnlyList<StreamChunk>> ReadChunksAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction,
        IReadOnlyList<ChunkRange> ranges, long maxBytes, CancellationToken ct)
    {
        var chunks = new List<StreamChunk>();
        if (ranges.Count == 0)
        {
            return chunks;
        }

        await using var command = new NpgsqlCommand(PostgresStreamSchema.SelectChunks(ranges.Count), connection, transaction);
        for (var i = 0; i < ranges.Count; i++)
        {
            command.Parameters.Add(new NpgsqlParameter<long>($"s{i}", ranges[i].StreamId));
            command.Parameters.Add(new NpgsqlParameter<long>($"f{i}", ranges[i].From));
            command.Parameters.Add(new NpgsqlParameter<long>($"t{i}", ranges[i].To));
        }

        command.Parameters.Add(new NpgsqlParameter<long>("max", Math.Max(1, maxBytes)));
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            chunks.Add(new StreamChunk(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetFieldValue<byte[]>(3)));
        }

        return chunks;
    }
}
