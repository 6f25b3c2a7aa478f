using System.Globalization;
using Microsoft.Data.Sqlite;
using Switchboard.Events;
using Switchboard.Sessions;

namespace Switchboard.Storage.Sqlite;

internal sealed partial class SqliteSessionStore
{
    /// <inheritdoc />
    public Task<StoreState> LoadStateAsync(CancellationToken cancellationToken)
    {
        using var lease = _readers.Rent();
        var connection = lease.Connection;
        using var transaction = connection.BeginTransaction(deferred: true);
        var head = Scalar(connection, transaction, "SELECT seq FROM sqlite_sequence WHERE name = 'events';") ?? 0;
        var paused = Meta(connection, transaction, "fleet_paused") == "true";
        var epoch = Meta(connection, transaction, "epoch") ?? Epoch;

        var active = new List<Session>();
        using (var command = Command(connection, transaction,
                   $"SELECT {SqliteRows.SessionColumns} FROM sessions WHERE state <> 'terminated' ORDER BY created_seq;"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                active.Add(SqliteRows.ReadSession(reader));
            }
        }

        var counts = SessionStates.All.ToDictionary(s => s, _ => 0L);
        Int128 input = 0, output = 0;
        // Exact integer sums: SQLite's TOTAL() is a double (2^53+1 comes back as 2^53) and SUM() fails past 2^63, so each
        // counter is summed as its high and low 32 bits, which cannot overflow before 2^31 sessions.
        using (var command = Command(connection, transaction,
                   "SELECT state, COUNT(*), SUM(input_tokens >> 32), SUM(input_tokens & 4294967295), " +
                   "SUM(output_tokens >> 32), SUM(output_tokens & 4294967295) FROM sessions GROUP BY state;"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                if (SessionStates.TryParse(reader.GetString(0), out var state))
                {
                    counts[state] = reader.GetInt64(1);
                }

                input += ((Int128)reader.GetInt64(2) << 32) + reader.GetInt64(3);
                output += ((Int128)reader.GetInt64(4) << 32) + reader.GetInt64(5);
            }
        }

        decimal cost = 0;
        using (var command = Command(connection, transaction, "SELECT cost_usd FROM sessions WHERE cost_usd <> '0';"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                cost += decimal.Parse(reader.GetString(0), NumberStyles.Number, CultureInfo.InvariantCulture);
            }
        }

        List<Alerts.Alert> alerts;
        using (var command = Command(connection, transaction, "SELECT data FROM alerts WHERE open = 1 ORDER BY raised_seq;"))
        {
            alerts = ReadAlerts(command);
        }

        var outstanding = ReadOutstandingCommands(connection, transaction);
        transaction.Commit();
        return Task.FromResult(new StoreState(epoch, head, paused, active, new SessionTotals(counts, input, output, cost))
        {
            OpenAlerts = alerts,
            OutstandingCommands = outstanding,
        });
    }

    /// <inheritdoc />
    public Task<Session?> GetSessionAsync(string id, CancellationToken cancellationToken)
    {
        using var lease = _readers.Rent();
        var connection = lease.Connection;
        using var command = Command(connection, null, $"SELECT {SqliteRows.SessionColumns} FROM sessions WHERE id = $id;");
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        return Task.FromResult(reader.Read() ? SqliteRows.ReadSession(reader) : null);
    }

    /// <inheritdoc />
    public Task<SessionPage> ListSessionsAsync(SessionQuery query, CancellationToken cancellationToken)
    {
        using var lease = _readers.Rent();
        var connection = lease.Connection;
        using var transaction = connection.BeginTransaction(deferred: true);
        var head = Scalar(connection, transaction, "SELECT seq FROM sqlite_sequence WHERE name = 'events';") ?? 0;
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        var where = new List<string>();
        if (query.States is { Count: > 0 } states)
        {
            var names = new List<string>();
            for (var i = 0; i < states.Count; i++)
            {
                names.Add("$s" + i);
                command.Parameters.AddWithValue("$s" + i, states[i].ToWire());
            }

            where.Add($"state IN ({string.Join(", ", names)})");
        }

        if (query.Active is { } active)
        {
            where.Add(active ? "state <> 'terminated'" : "state = 'terminated'");
        }

        if (query.Labels is { Count: > 0 } labels)
        {
            var i = 0;
            foreach (var (key, value) in labels)
            {
                // Keys are restricted to [A-Za-z0-9._:/-], so quoting them in the JSON path is safe.
                where.Add($"json_extract(labels, $lp{i}) = $lv{i}");
                command.Parameters.AddWithValue("$lp" + i, $"$.\"{key}\"");
                command.Parameters.AddWithValue("$lv" + i, value);
                i++;
            }
        }

        AddTreeFilters(query, where, command);
        if (query.BeforeCreatedSeq is { } before)
        {
            where.Add("created_seq < $before");
            command.Parameters.AddWithValue("$before", before);
        }

        command.CommandText = $"SELECT {SqliteRows.SessionColumns} FROM sessions" +
            (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") +
            " ORDER BY created_seq DESC LIMIT $limit;";
        command.Parameters.AddWithValue("$limit", query.Limit + 1);

        var sessions = new List<Session>(Math.Min(query.Limit + 1, 1024));
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                sessions.Add(SqliteRows.ReadSession(reader));
            }
        }

        long? next = null;
        if (sessions.Count > query.Limit)
        {
            sessions.RemoveAt(sessions.Count - 1);
            next = sessions[^1].CreatedSeq;
        }

        transaction.Commit();
        return Task.FromResult(new SessionPage(sessions, next) { AsOfSeq = head });
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<EventRecord>> ReadEventsAsync(EventQuery query, CancellationToken cancellationToken)
    {
        using var lease = _readers.Rent();
        var connection = lease.Connection;
        using var command = connection.CreateCommand();
        var sql = $"SELECT {SqliteRows.EventColumns} FROM events WHERE seq > $after";
        command.Parameters.AddWithValue("$after", query.AfterSeq);
        if (query.UpToSeq is { } upTo)
        {
            sql += " AND seq <= $upTo";
            command.Parameters.AddWithValue("$upTo", upTo);
        }

        if (query.SessionId is { } sessionId)
        {
            sql += " AND session_id = $sid";
            command.Parameters.AddWithValue("$sid", sessionId);
        }

        if (query.Subtree is { } subtree)
        {
            sql += SubtreeEventFilter(subtree, command);
        }

        command.CommandText = sql + " ORDER BY seq LIMIT $limit;";
        command.Parameters.AddWithValue("$limit", query.Limit);
        var events = new List<EventRecord>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            events.Add(SqliteRows.ReadEvent(reader));
        }

        return Task.FromResult<IReadOnlyList<EventRecord>>(events);
    }

    /// <inheritdoc />
    public Task<LogBounds> GetLogBoundsAsync(CancellationToken cancellationToken)
    {
        // Both fields are written under the write lock; a torn read only ever errs towards "not resumable".
        var head = Volatile.Read(ref _headSeq);
        var first = Volatile.Read(ref _firstSeq);
        return Task.FromResult(new LogBounds(Math.Min(first, head + 1), head));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> FindExpiredLeasesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        using var lease = _readers.Rent();
        var connection = lease.Connection;
        using var command = Command(connection, null,
            "SELECT id FROM sessions WHERE lease_expires_at <= $now AND state NOT IN ('error', 'terminating', 'terminated') " +
            "ORDER BY lease_expires_at LIMIT $limit;");
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$limit", limit);
        var ids = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return Task.FromResult<IReadOnlyList<string>>(ids);
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static long? Scalar(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = Command(connection, transaction, sql);
        return command.ExecuteScalar() is long value ? value : null;
    }

    private static string? Meta(SqliteConnection connection, SqliteTransaction transaction, string key)
    {
        using var command = Command(connection, transaction, "SELECT value FROM meta WHERE key = $k;");
        command.Parameters.AddWithValue("$k", key);
        return command.ExecuteScalar() as string;
    }
}
