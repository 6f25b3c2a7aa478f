namespace Switchboard.Core.Storage.Sql;

/// <summary>
/// Each approval's Slack message (<see cref="ISlackStore"/>): one row per approval a node claimed to post, written outside
/// the log. A claim's holder counts while it is this node or among <see cref="LiveNodes"/>.
/// </summary>
internal abstract partial class SqlStore : ISlackStore
{
    private string SlackTable => Sql.Table("slack_messages");

    /// <inheritdoc />
    public async Task<bool> ClaimSlackPostAsync(string approvalId, string node, CancellationToken cancellationToken) =>
        await WriteOutsideLogAsync("claim a Slack post", db => db.ExecuteAsync(
            $"INSERT INTO {SlackTable} (approval_id, posted_by) VALUES (@id, @node) ON CONFLICT (approval_id) DO UPDATE SET posted_by = excluded.posted_by " +
            $"WHERE {SlackTable}.ts IS NULL AND {SlackTable}.posted_by <> excluded.posted_by AND {SlackTable}.posted_by NOT IN ({LiveNodes});",
            ("@id", approvalId), ("@node", node)), cancellationToken) > 0;

    /// <inheritdoc />
    public Task SaveSlackPostAsync(string approvalId, string node, string channel, string ts, CancellationToken cancellationToken) =>
        WriteOutsideLogAsync("record a Slack post", db => db.ExecuteAsync(
            $"UPDATE {SlackTable} SET channel = @channel, ts = @ts WHERE approval_id = @id AND posted_by = @node AND ts IS NULL;",
            ("@id", approvalId), ("@node", node), ("@channel", channel), ("@ts", ts)), cancellationToken);

    /// <inheritdoc />
    public Task<(string Channel, string Ts)?> ClaimSlackUpdateAsync(string approvalId, string node, CancellationToken cancellationToken) =>
        WriteOutsideLogAsync("claim a Slack update", db => db.FirstAsync<(string, string)?>(
            $"UPDATE {SlackTable} SET updated_by = @node WHERE approval_id = @id AND ts IS NOT NULL AND updated_at IS NULL " +
            $"AND (updated_by IS NULL OR (updated_by <> @node AND updated_by NOT IN ({LiveNodes}))) RETURNING channel, ts;",
            r => (r.GetString(0), r.GetString(1)), ("@id", approvalId), ("@node", node)), cancellationToken);

    /// <inheritdoc />
    public Task SaveSlackUpdateAsync(string approvalId, string node, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteOutsideLogAsync("record a Slack update", db => db.ExecuteAsync(
            $"UPDATE {SlackTable} SET updated_at = @at WHERE approval_id = @id AND updated_by = @node;",
            ("@id", approvalId), ("@node", node), ("@at", Sql.Time(at))), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<(string SessionId, string ApprovalId)>> FindSlackLeftoversAsync(string self, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<(string, string)>>("find Slack messages left undone", snapshot: false, async db => await db.QueryAsync(
            $"SELECT a.session_id, a.id FROM {SlackTable} m JOIN {Sql.Table("approvals")} a ON a.id = m.approval_id WHERE m.updated_at IS NULL AND (" +
            $"(m.ts IS NULL AND a.state = 'pending' AND m.posted_by <> @self AND m.posted_by NOT IN ({LiveNodes})) OR " +
            $"(m.ts IS NOT NULL AND a.state <> 'pending' AND COALESCE(m.updated_by, m.posted_by) <> @self AND COALESCE(m.updated_by, m.posted_by) NOT IN ({LiveNodes}))" +
            ") ORDER BY a.requested_seq LIMIT @limit;",
            r => (r.GetString(0), r.GetString(1)), ("@self", self), ("@limit", limit)), cancellationToken);
}
