using Switchboard.Core.Sessions;
using Switchboard.Core.Trees;

namespace Switchboard.Core.Storage.Sql;

/// <summary>Tree reads: children by the parent index, a subtree by one range of the path index, each with its log head.</summary>
internal abstract partial class SqlStore
{
    /// <inheritdoc />
    public Task<SessionPage> ListChildrenAsync(string parentId, long? afterCreatedSeq, int limit, CancellationToken cancellationToken) =>
        ReadAsync("list children", snapshot: true, async db =>
        {
            var head = await db.HeadAsync();
            var sessions = await db.QueryAsync(
                $"SELECT {SqlDialect.SessionColumns} FROM {Sql.Table("sessions")} WHERE parent_id = @p AND created_seq > @after ORDER BY created_seq LIMIT @limit;",
                Sql.ReadSession, ("@p", parentId), ("@after", afterCreatedSeq ?? 0), ("@limit", limit + 1));
            return new SessionPage(sessions, sessions.Count > limit ? Trim(sessions).CreatedSeq : null) { AsOfSeq = head };
        }, cancellationToken);

    /// <inheritdoc />
    public Task<TreePage?> ReadSubtreeAsync(string id, string? afterPath, int limit, CancellationToken cancellationToken) =>
        ReadAsync("read a subtree", snapshot: true, async db =>
        {
            var head = await db.HeadAsync();
            var path = await db.FirstAsync($"SELECT tree_path FROM {Sql.Table("sessions")} WHERE id = @id;", r => r.GetString(0), ("@id", id));
            if (path is null)
            {
                return null;
            }

            var sessions = await db.QueryAsync(
                $"SELECT {SqlDialect.SessionColumns} FROM {Sql.Table("sessions")} WHERE tree_path >= @from AND tree_path > @after AND tree_path < @to " +
                "ORDER BY tree_path LIMIT @limit;",
                Sql.ReadSession, ("@from", path), ("@after", afterPath ?? ""), ("@to", TreePath.SubtreeEnd(path)), ("@limit", limit + 1));
            return new TreePage(sessions, sessions.Count > limit ? Trim(sessions).TreePath : null, head);
        }, cancellationToken);
}
