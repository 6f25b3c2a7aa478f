using Microsoft.Data.Sqlite;
using Switchboard.Events;
using Switchboard.Sessions;
using Switchboard.Writes;

namespace Switchboard.Storage.Sqlite;

public sealed partial class SqliteSessionStore
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<WriteResult>> WriteAsync(IReadOnlyList<SessionWrite> writes, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var commands = _commands ?? throw new ObjectDisposedException(nameof(SqliteSessionStore));
            var committed = new List<EventRecord>(writes.Count);
            WriteResult[] results;
            long head = _headSeq, active = _activeCount;
            var paused = _fleetPaused;
            try
            {
                using var transaction = _writer!.BeginTransaction(deferred: false);
                commands.Bind(transaction);
                results = Apply(writes, commands, committed, ref head, ref active, ref paused);
                transaction.Commit();
            }
            catch (SqliteException ex)
            {
                throw new StoreUnavailableException($"SQLite could not commit ({ex.SqliteErrorCode}): {ex.Message}", ex);
            }

            _headSeq = head;
            _activeCount = active;
            _fleetPaused = paused;
            _feed.Publish(committed);
            return results;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private WriteResult[] Apply(IReadOnlyList<SessionWrite> writes, WriterCommands commands, List<EventRecord> committed,
        ref long head, ref long active, ref bool paused)
    {
        var now = Now();
        var results = new WriteResult[writes.Count];
        // Later writes in the batch must see earlier ones; the prepared SELECT already does, inside the transaction.
        for (var i = 0; i < writes.Count; i++)
        {
            var write = writes[i];
            var id = SessionWriteProcessor.TargetId(write);
            var current = id is null ? null : LoadSession(commands.SelectSession, id);
            var decision = SessionWriteProcessor.Apply(write, current, new WriteContext(now, active, paused));
            if (decision.Error is { } error)
            {
                results[i] = new WriteResult(error, null, null);
                continue;
            }

            var session = decision.Session;
            EventRecord? appended = null;
            if (decision.Event is { } pending)
            {
                var seq = ++head;
                if (decision.IsNew)
                {
                    session = session! with { CreatedSeq = seq };
                }

                appended = new EventRecord(seq, pending.Type, pending.SessionId, pending.At, pending.Data) { Session = session };
                InsertEvent(commands.InsertEvent, appended);
                committed.Add(appended);
            }

            if (decision.PersistSession)
            {
                var command = decision.IsNew ? commands.InsertSession : commands.UpdateSession;
                SqliteRows.BindSession(command.Parameters, session!);
                command.ExecuteNonQuery();
            }

            if (decision.FleetPaused is { } flag && flag != paused)
            {
                commands.SetMeta.Parameters["$k"].Value = "fleet_paused";
                commands.SetMeta.Parameters["$v"].Value = flag ? "true" : "false";
                commands.SetMeta.ExecuteNonQuery();
                paused = flag;
            }

            active += decision.ActiveDelta;
            results[i] = new WriteResult(null, session, appended, decision.FleetPaused);
        }

        return results;
    }

    private static Session? LoadSession(SqliteCommand select, string id)
    {
        select.Parameters["$id"].Value = id;
        using var reader = select.ExecuteReader();
        return reader.Read() ? SqliteRows.ReadSession(reader) : null;
    }

    private static void InsertEvent(SqliteCommand insert, EventRecord e)
    {
        var p = insert.Parameters;
        p["$seq"].Value = e.Seq;
        p["$at"].Value = e.At.ToUnixTimeMilliseconds();
        p["$type"].Value = e.Type;
        p["$session_id"].Value = (object?)e.SessionId ?? DBNull.Value;
        p["$data"].Value = e.Data.ToArray();
        insert.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public async Task<long> PurgeAsync(RetentionPolicy policy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const int chunk = 20_000;
        long deleted = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            await _writeLock.WaitAsync(cancellationToken);
            try
            {
                var boundary = PurgeBoundary(policy, now);
                if (boundary < _firstSeq)
                {
                    return deleted;
                }

                var upTo = Math.Min(boundary, _firstSeq + chunk - 1);
                using var command = _writer!.CreateCommand();
                command.CommandText = "DELETE FROM events WHERE seq <= $upTo;";
                command.Parameters.AddWithValue("$upTo", upTo);
                try
                {
                    deleted += command.ExecuteNonQuery();
                }
                catch (SqliteException ex)
                {
                    throw new StoreUnavailableException($"SQLite could not purge: {ex.Message}", ex);
                }

                _firstSeq = upTo + 1;
            }
            finally
            {
                _writeLock.Release();
            }
        }

        return deleted;
    }

    /// <summary>The highest seq to delete. The retained range stays one contiguous suffix of the log.</summary>
    private long PurgeBoundary(RetentionPolicy policy, DateTimeOffset now)
    {
        var byCount = _headSeq - policy.MaxEvents;
        using var command = _writer!.CreateCommand();
        // Events are appended in time order, so the first event young enough marks the age boundary.
        command.CommandText = "SELECT seq FROM events WHERE at >= $cut ORDER BY seq LIMIT 1;";
        command.Parameters.AddWithValue("$cut", (now - policy.MaxAge).ToUnixTimeMilliseconds());
        var byAge = command.ExecuteScalar() is long firstYoung ? firstYoung - 1 : _headSeq;
        return Math.Max(byCount, byAge);
    }
}
