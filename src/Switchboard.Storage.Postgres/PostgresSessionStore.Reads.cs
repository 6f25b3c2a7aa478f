using System.Data;
using Npgsql;
using Switchboard.Events;
using Switchboard.Sessions;

namespace Switchboard.Storage.Postgres;

internal sealed partial class PostgresSessionStore
{
    /// <inheritdoc />
    /// <remarks>
    /// One REPEATABLE READ snapshot: the head read from the log row and every session row are as of the same commit,
    /// and because writers commit in seq order, every event up to that head is committed in the snapshot too.
    /// </remarks>
    public Task<StoreState> LoadStateAsync(CancellationToken cancellationToken) => RunAsync("load the state", async (connection, ct) =>
    {
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        string epoch;
        long head;
        bool paused;
        await using (var command = new NpgsqlCommand("SELECT epoch, head_seq, fleet_paused FROM switchboard_log WHERE id = 1;", connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct))
            {
                throw new InvalidOperationException("The switchboard_log row is missing; call InitializeAsync first.");
            }

            (epoch, head, paused) = (reader.GetString(0), reader.GetInt64(1), reader.GetBoolean(2));
        }

        var active = new List<Session>();
        await using (var command = new NpgsqlCommand(
            $"SELECT {PostgresRows.SessionColumns} FROM switchboard_sessions WHERE state <> 'terminated' ORDER BY created_seq;", connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                active.Add(PostgresRows.ReadSession(reader));
            }
        }

        var counts = SessionStates.All.ToDictionary(s => s, _ => 0L);
        Int128 input = 0, output = 0;
        decimal cost = 0;
        await using (var command = new NpgsqlCommand(
            "SELECT state, count(*), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0), coalesce(sum(cost_usd), 0) " +
            "FROM switchboard_sessions GROUP BY state;", connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                if (SessionStates.TryParse(reader.GetString(0), out var state))
                {
                    counts[state] = reader.GetInt64(1);
                }

                // sum(bigint) is an exact numeric; past 2^63 a bigint cast would fail.
                input += (Int128)reader.GetDecimal(2);
                output += (Int128)reader.GetDecimal(3);
                cost += reader.GetDecimal(4);
            }
        }

        List<Alerts.Alert> alerts;
        await using (var command = new NpgsqlCommand("SELECT data FROM switchboard_alerts WHERE open ORDER BY raised_seq;", connection, transaction))
        {
            alerts = await ReadAlertsAsync(command, ct);
        }

        var outstanding = await ReadOutstandingCommandsAsync(connection, transaction, ct);
        await transaction.CommitAsync(ct);
        return new StoreState(epoch, head, paused, active, new SessionTotals(counts, input, output, Json.Decimals.Normalize(cost)))
        {
            OpenAlerts = alerts,
            OutstandingCommands = outstanding,
        };
    }, cancellationToken);

    /// <inheritdoc />
    public Task<Session?> GetSessionAsync(string id, CancellationToken cancellationToken) => RunAsync("read a session", async (connection, ct) =>
    {
        await using var command = new NpgsqlCommand($"SELECT {PostgresRows.SessionColumns} FROM switchboard_sessions WHERE id = @id;", connection);
        command.Parameters.Add(new NpgsqlParameter<string>("id", id));
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? PostgresRows.ReadSession(reader) : null;
    }, cancellationToken);

    /// <inheritdoc />
    public Task<SessionPage> ListSessionsAsync(SessionQuery query, CancellationToken cancellationToken) => RunAsync("list sessions", async (connection, ct) =>
    {
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        var head = await HeadAsync(connection, transaction, ct);
        await using var command = new NpgsqlCommand { Connection = connection, Transaction = transaction };
        var where = new List<string>();
        if (query.States is { Count: > 0 } states)
        {
            where.Add("state = ANY(@states)");
            command.Parameters.Add(new NpgsqlParameter<string[]>("states", [.. states.Select(s => s.ToWire())]));
        }

        if (query.Active is { } isActive)
        {
            where.Add(isActive ? "state <> 'terminated'" : "state = 'terminated'");
        }

        if (query.Labels is { Count: > 0 } labels)
        {
            // Containment on the jsonb form of the stored text uses the GIN expression index.
            where.Add("(labels::jsonb) @> (@labels)::jsonb");
            command.Parameters.Add(new NpgsqlParameter<string>("labels", SessionWire.LabelsToText(labels)));
        }

        AddTreeFilters(query, where, command);
        if (query.BeforeCreatedSeq is { } before)
        {
            where.Add("created_seq < @before");
            command.Parameters.Add(new NpgsqlParameter<long>("before", before));
        }

        command.CommandText = $"SELECT {PostgresRows.SessionColumns} FROM switchboard_sessions" +
            (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") +
            " ORDER BY created_seq DESC LIMIT @limit;";
        command.Parameters.Add(new NpgsqlParameter<int>("limit", query.Limit + 1));

        var sessions = new List<Session>(Math.Min(query.Limit + 1, 1024));
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                sessions.Add(PostgresRows.ReadSession(reader));
            }
        }

        long? next = null;
        if (sessions.Count > query.Limit)
        {
            sessions.RemoveAt(sessions.Count - 1);
            next = sessions[^1].CreatedSeq;
        }

        await transaction.CommitAsync(ct);
        return new SessionPage(sessions, next) { AsOfSeq = head };
    }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<EventRecord>> ReadEventsAsync(EventQuery query, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<EventRecord>>("read events", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand { Connection = connection };
            var sql = $"SELECT {PostgresRows.EventColumns} FROM switchboard_events WHERE seq > @after";
            command.Parameters.Add(new NpgsqlParameter<long>("after", query.AfterSeq));
            if (query.UpToSeq is { } upTo)
            {
                sql += " AND seq <= @upTo";
                command.Parameters.Add(new NpgsqlParameter<long>("upTo", upTo));
            }

            if (query.SessionId is { } sessionId)
            {
                sql += " AND session_id = @sid";
                command.Parameters.Add(new NpgsqlParameter<string>("sid", sessionId));
            }

            if (query.Subtree is { } subtree)
            {
                sql += SubtreeEventFilter(subtree, command);
            }

            command.CommandText = sql + " ORDER BY seq LIMIT @limit;";
            command.Parameters.Add(new NpgsqlParameter<int>("limit", query.Limit));
            return await ReadEventsAsync(command, ct);
        }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Read from the database in one statement, so it reflects purges and writes by every node.</remarks>
    public Task<LogBounds> GetLogBoundsAsync(CancellationToken cancellationToken) => RunAsync("read the log bounds", async (connection, ct) =>
    {
        await using var command = new NpgsqlCommand(
            "SELECT head_seq, (SELECT min(seq) FROM switchboard_events) FROM switchboard_log WHERE id = 1;", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var head = reader.GetInt64(0);
        var first = reader.IsDBNull(1) ? head + 1 : reader.GetInt64(1);
        return new LogBounds(Math.Min(first, head + 1), head);
    }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> FindExpiredLeasesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<string>>("find expired leases", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(
                "SELECT id FROM switchboard_sessions WHERE lease_expires_at <= @now AND state NOT IN ('error', 'terminating', 'terminated') " +
                "ORDER BY lease_expires_at LIMIT @limit;", connection);
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now.ToUniversalTime()));
            command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
            var ids = new List<string>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                ids.Add(reader.GetString(0));
            }

            return ids;
        }, cancellationToken);

    internal static async Task<List<EventRecord>> ReadEventsAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var events = new List<EventRecord>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            events.Add(PostgresRows.ReadEvent(reader));
        }

        return events;
    }
}
