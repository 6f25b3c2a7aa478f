using Npgsql;
using Switchboard.Core.Storage;

namespace Switchboard.Storage.Postgres;

/// <summary>
/// Presence through two tables: <c>switchboard_nodes</c> (each node's last renewal, on the database's clock, so node
/// clocks never matter) and <c>switchboard_presence</c> (each node's viewers). A node reads the viewers of every node
/// renewed within <see cref="Liveness"/>; the rows of nodes gone for longer are deleted by whichever node renews next.
/// </summary>
internal sealed class PostgresPresenceExchange(NpgsqlDataSource source, PostgresStoreOptions options) : IPresenceExchange
{
    /// <summary>This process's node id: random, so it never repeats across nodes or restarts.</summary>
    private readonly string _nodeId = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();

    public string NodeId => _nodeId;

    public TimeSpan Liveness => options.PresenceLiveness;

    public TimeSpan RenewInterval => options.PresenceRenewInterval;

    /// <remarks>Also deletes what nodes gone for six liveness periods left behind, so the tables stay small.</remarks>
    public Task RenewAsync(CancellationToken cancellationToken) => RunAsync(cancellationToken,
        ("INSERT INTO switchboard_nodes (node_id, renewed_at) VALUES ($1, now()) ON CONFLICT (node_id) DO UPDATE SET renewed_at = now()", [_nodeId]),
        ("DELETE FROM switchboard_presence WHERE node_id IN (SELECT node_id FROM switchboard_nodes WHERE renewed_at < now() - $1 * 6)", [Liveness]),
        ("DELETE FROM switchboard_nodes WHERE renewed_at < now() - $1 * 6", [Liveness]));

    public Task AddAsync(IReadOnlyList<PresenceRecord> records, CancellationToken cancellationToken) => RunAsync(cancellationToken,
        [.. records.Select(r => ("INSERT INTO switchboard_presence (ref, node_id, topic, key, meta) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (ref) DO NOTHING",
            new object[] { r.Ref, _nodeId, r.Topic, r.Key, r.MetaJson }))]);

    public async Task RemoveAsync(IReadOnlyList<string> refs, CancellationToken cancellationToken)
    {
        await using var command = source.CreateCommand("DELETE FROM switchboard_presence WHERE node_id = $1 AND ref = ANY($2)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _nodeId });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. refs] });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<PresenceRecord>> ReadOthersAsync(CancellationToken cancellationToken)
    {
        await using var command = source.CreateCommand("""
            SELECT p.topic, p.key, p.ref, p.meta FROM switchboard_presence p
                JOIN switchboard_nodes n ON n.node_id = p.node_id
                WHERE p.node_id <> $1 AND n.renewed_at >= now() - $2
                ORDER BY p.ref
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _nodeId });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = Liveness });
        var records = new List<PresenceRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(new PresenceRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        }

        return records;
    }

    public Task LeaveAsync(CancellationToken cancellationToken) => RunAsync(cancellationToken,
        ("DELETE FROM switchboard_presence WHERE node_id = $1", [_nodeId]),
        ("DELETE FROM switchboard_nodes WHERE node_id = $1", [_nodeId]));

    /// <summary>Runs the statements in one round trip and one implicit transaction.</summary>
    private async Task RunAsync(CancellationToken cancellationToken, params (string Sql, object[] Values)[] statements)
    {
        await using var batch = source.CreateBatch();
        foreach (var (sql, values) in statements)
        {
            var command = new NpgsqlBatchCommand(sql);
            foreach (var value in values)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = value });
            }

            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
    }
}
