using System.Globalization;
using Microsoft.Data.Sqlite;
using Switchboard.Sessions;
using Switchboard.Trees;
using Switchboard.Writes;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// Trees: the writer reads each batch's ancestors (and the subtrees of cascading terminates) with the rows it writes, and
/// writes the ancestors' new totals with a narrow update; the reads of children and subtrees use the parent and path
/// indexes.
/// </summary>
internal sealed partial class SqliteSessionStore
{
    /// <inheritdoc />
    public Task<SessionPage> ListChildrenAsync(string parentId, long? afterCreatedSeq, int limit, CancellationToken cancellationToken)
    {
        using var lease = _readers.Rent();
        var connection = lease.Connection;
        using var transaction = connection.BeginTransaction(deferred: true);
        var head = Scalar(connection, transaction, "SELECT seq FROM sqlite_sequence WHERE name = 'events';") ?? 0;
        using var command = Command(connection, transaction,
            $"SELECT {SqliteRows.SessionColumns} FROM sessions WHERE parent_id = $p AND created_seq > $after ORDER BY created_seq LIMIT $limit;");
        command.Parameters.AddWithValue("$p", parentId);
        command.Parameters.AddWithValue("$after", afterCreatedSeq ?? 0);
        command.Parameters.AddWithValue("$limit", limit + 1);
        var sessions = ReadSessions(command, limit);
        transaction.Commit();
        return Task.FromResult(new SessionPage(sessions, sessions.Count > limit ? Trim(sessions).CreatedSeq : null) { AsOfSeq = head });
    }

    /// <inheritdoc />
    public Task<TreePage?> ReadSubtreeAsync(string id, string? afterPath, int limit, CancellationToken cancellationToken)
    {
        using var lease = _readers.Rent();
        var connection = lease.Connection;
        using var transaction = connection.BeginTransaction(deferred: true);
        var head = Scalar(connection, transaction, "SELECT seq FROM sqlite_sequence WHERE name = 'events';") ?? 0;
        string path;
        using (var command = Command(connection, transaction, "SELECT tree_path FROM sessions WHERE id = $id;"))
        {
            command.Parameters.AddWithValue("$id", id);
            if (command.ExecuteScalar() is not string found)
            {
                return Task.FromResult<TreePage?>(null);
            }

            path = found;
        }

        List<Session> sessions;
        using (var command = Command(connection, transaction,
                   $"SELECT {SqliteRows.SessionColumns} FROM sessions WHERE tree_path >= $from AND tree_path > $after AND tree_path < $to " +
                   "ORDER BY tree_path LIMIT $limit;"))
        {
            command.Parameters.AddWithValue("$from", path);
            command.Parameters.AddWithValue("$after", afterPath ?? "");
            command.Parameters.AddWithValue("$to", TreePath.SubtreeEnd(path));
            command.Parameters.AddWithValue("$limit", limit + 1);
            sessions = ReadSessions(command, limit);
        }

        transaction.Commit();
        var next = sessions.Count > limit ? Trim(sessions).TreePath : null;
        return Task.FromResult<TreePage?>(new TreePage(sessions, next, head));
    }

    /// <summary>The tree filters of a listing: <c>parent_id</c> and <c>roots</c>.</summary>
    private static void AddTreeFilters(SessionQuery query, List<string> where, SqliteCommand command)
    {
        if (query.ParentId is { } parent)
        {
            where.Add("parent_id = $parent");
            command.Parameters.AddWithValue("$parent", parent);
        }

        if (query.Roots is { } roots)
        {
            where.Add(roots ? "parent_id IS NULL" : "parent_id IS NOT NULL");
        }
    }

    /// <summary>A subtree replay's filter: the top session's own events and its descendants' (TreePath.SubtreeReplayFilter).</summary>
    private static string SubtreeEventFilter(SubtreeFilter filter, SqliteCommand command)
    {
        foreach (var (name, value) in TreePath.SubtreeReplayParameters(filter.SessionId, filter.TreePath))
        {
            command.Parameters.AddWithValue("$" + name, value);
        }

        return TreePath.SubtreeReplayFilter('$');
    }

    private static List<Session> ReadSessions(SqliteCommand command, int limit)
    {
        var sessions = new List<Session>(Math.Min(limit + 1, 1024));
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            sessions.Add(SqliteRows.ReadSession(reader));
        }

        return sessions;
    }

    /// <summary>Drops the extra row read to tell whether another page follows; returns the page's last session.</summary>
    private static Session Trim(List<Session> sessions)
    {
        sessions.RemoveAt(sessions.Count - 1);
        return sessions[^1];
    }
}
