using System.Data;
using Npgsql;
using Switchboard.Sessions;
using Switchboard.Trees;
using Switchboard.Writes;

namespace Switchboard.Storage.Postgres;

/// <summary>
/// Trees on PostgreSQL. A write batch locks, in one statement ordered by id, every row it may change: its targets, the
/// parents it creates under, every ancestor of those, and the subtrees of its cascades and adoptions. Which rows those are
/// is known before any is locked, because tree paths change only inside a writer holding the log row (an adoption): one
/// fixed lock order across the whole group commit (and every writer already queues on the log row), so no deadlock is
/// possible. Ancestors' totals are then computed from the
/// locked rows and written with a narrow update each, in id order; a child created on another node rolls up the same way.
/// </summary>
internal sealed partial class PostgresSessionStore
{
    /// <inheritdoc />
    public Task<SessionPage> ListChildrenAsync(string parentId, long? afterCreatedSeq, int limit, CancellationToken cancellationToken) =>
        RunAsync("list children", async (connection, ct) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
            var head = await HeadAsync(connection, transaction, ct);
            await using var command = new NpgsqlCommand(
                $"SELECT {PostgresRows.SessionColumns} FROM switchboard_sessions WHERE parent_id = @p AND created_seq > @after " +
                "ORDER BY created_seq LIMIT @limit;", connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<string>("p", parentId));
            command.Parameters.Add(new NpgsqlParameter<long>("after", afterCreatedSeq ?? 0));
            command.Parameters.Add(new NpgsqlParameter<int>("limit", limit + 1));
            var sessions = await ReadSessionsAsync(command, limit, ct);
            await transaction.CommitAsync(ct);
            return new SessionPage(sessions, sessions.Count > limit ? Trim(sessions).CreatedSeq : null) { AsOfSeq = head };
        }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>One REPEATABLE READ snapshot, so the page and its <c>as_of_seq</c> agree (writers commit in seq order).</remarks>
    public Task<TreePage?> ReadSubtreeAsync(string id, string? afterPath, int limit, CancellationToken cancellationToken) =>
        RunAsync("read a subtree", async (connection, ct) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
            long head;
            string? path;
            await using (var command = new NpgsqlCommand(
                "SELECT head_seq, (SELECT tree_path FROM switchboard_sessions WHERE id = @id) FROM switchboard_log WHERE id = 1;", connection, transaction))
            {
                command.Parameters.Add(new NpgsqlParameter<string>("id", id));
                await using var reader = await command.ExecuteReaderAsync(ct);
                await reader.ReadAsync(ct);
                head = reader.GetInt64(0);
                path = reader.IsDBNull(1) ? null : reader.GetString(1);
            }

            if (path is null)
            {
                return null;
            }

            List<Session> sessions;
            await using (var command = new NpgsqlCommand(
                $"SELECT {PostgresRows.SessionColumns} FROM switchboard_sessions WHERE tree_path >= @from AND tree_path > @after AND tree_path < @to " +
                "ORDER BY tree_path LIMIT @limit;", connection, transaction))
            {
                command.Parameters.Add(new NpgsqlParameter<string>("from", path));
                command.Parameters.Add(new NpgsqlParameter<string>("after", afterPath ?? ""));
                command.Parameters.Add(new NpgsqlParameter<string>("to", TreePath.SubtreeEnd(path)));
                command.Parameters.Add(new NpgsqlParameter<int>("limit", limit + 1));
                sessions = await ReadSessionsAsync(command, limit, ct);
            }

            await transaction.CommitAsync(ct);
            return new TreePage(sessions, sessions.Count > limit ? Trim(sessions).TreePath : null, head);
        }, cancellationToken);

    /// <summary>The log head as the transaction sees it.</summary>
    private static async Task<long> HeadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT head_seq FROM switchboard_log WHERE id = 1;", connection, transaction);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private static void AddTreeFilters(SessionQuery query, List<string> where, NpgsqlCommand command)
    {
        if (query.ParentId is { } parent)
        {
            where.Add("parent_id = @parent");
            command.Parameters.Add(new NpgsqlParameter<string>("parent", parent));
        }

        if (query.Roots is { } roots)
        {
            where.Add(roots ? "parent_id IS NULL" : "parent_id IS NOT NULL");
        }
    }

    /// <summary>A subtree replay's filter: the top session's own events and its descendants' (TreePath.SubtreeReplayFilter).</summary>
    private static string SubtreeEventFilter(SubtreeFilter filter, NpgsqlCommand command)
    {
        foreach (var (name, value) in TreePath.SubtreeReplayParameters(filter.SessionId, filter.TreePath))
        {
            command.Parameters.Add(new NpgsqlParameter<string>(name, value));
        }

        return TreePath.SubtreeReplayFilter('@');
    }

    private static async Task<List<Session>> ReadSessionsAsync(NpgsqlCommand command, int limit, CancellationToken ct)
    {
        var sessions = new List<Session>(Math.Min(limit + 1, 1024));
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            sessions.Add(PostgresRows.ReadSession(reader));
        }

        return sessions;
    }

    private static Session Trim(List<Session> sessions)
    {
        sessions.RemoveAt(sessions.Count - 1);
        return sessions[^1];
    }
}
