using System.Data;
using System.Globalization;
using Npgsql;
using Switchboard.Writes;

namespace Switchboard.Storage.Postgres;

internal sealed partial class PostgresSessionStore
{
    /// <inheritdoc />
    /// <remarks>
    /// One READ COMMITTED transaction (<see cref="PostgresWriteTransaction"/>) run by <see cref="UnitOfWork"/>. A transient
    /// failure before COMMIT was sent is retried once on a fresh connection: nothing was committed, and the unit of work is
    /// pure, so redoing it is safe. A value the database refuses fails the batch with <see cref="StoreRejectedException"/>.
    /// </remarks>
    public async Task<IReadOnlyList<WriteResult>> WriteAsync(IReadOnlyList<SessionWrite> writes, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var commitSent = false;
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
                await using var transaction = new PostgresWriteTransaction(connection,
                    await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken), _options, () => commitSent = true);
                return (await _unit.RunAsync(transaction, writes, Now)).Results;
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
    public async Task CheckWritableAsync(CancellationToken cancellationToken)
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

    /// <inheritdoc />
    /// <remarks>Deletes a prefix of the log in chunks, so the retained range stays one contiguous suffix. The head is untouched.</remarks>
    public async Task<long> PurgeAsync(RetentionPolicy policy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const int chunk = 20_000;
        var cut = now.ToUniversalTime() - policy.MaxAge;
        long deleted = 0;
        await RunAsync("purge telemetry keys", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(
                "DELETE FROM switchboard_telemetry_keys WHERE at < @cut; DELETE FROM switchboard_telemetry_streams WHERE at < @cut; " +
                "DELETE FROM switchboard_telemetry_waits WHERE at < @cut; DELETE FROM switchboard_telemetry_span_owners WHERE at < @cut;", connection);
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("cut", now.ToUniversalTime() - TelemetryDedupe.Window));
            return await command.ExecuteNonQueryAsync(ct);
        }, cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            var removed = await RunAsync("purge the event log", async (connection, ct) =>
            {
                long head, first;
                long? firstYoung;
                await using (var command = new NpgsqlCommand(
                    "SELECT head_seq, (SELECT min(seq) FROM switchboard_events), " +
                    "(SELECT seq FROM switchboard_events WHERE at >= @cut ORDER BY seq LIMIT 1) FROM switchboard_log WHERE id = 1;", connection))
                {
                    command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("cut", cut));
                    await using var reader = await command.ExecuteReaderAsync(ct);
                    await reader.ReadAsync(ct);
                    head = reader.GetInt64(0);
                    first = reader.IsDBNull(1) ? head + 1 : reader.GetInt64(1);
                    firstYoung = reader.IsDBNull(2) ? null : reader.GetInt64(2);
                }

                // Events are appended in (roughly) time order, so everything before the first young one goes.
                var boundary = Math.Max(head - policy.MaxEvents, firstYoung is { } young ? young - 1 : head);
                if (boundary < first)
                {
                    return -1L;
                }

                await using var delete = new NpgsqlCommand("DELETE FROM switchboard_events WHERE seq <= @upTo;", connection);
                delete.Parameters.Add(new NpgsqlParameter<long>("upTo", Math.Min(boundary, first + chunk - 1)));
                return await delete.ExecuteNonQueryAsync(ct);
            }, cancellationToken);

            if (removed < 0)
            {
                break;
            }

            deleted += removed;
        }

        return deleted;
    }
}
