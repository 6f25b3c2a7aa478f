using System.Data.Common;
using Switchboard.Commands;

namespace Switchboard.Storage.Sql;

/// <summary>Command reads; their rows change only in write transactions (<see cref="IStoreTransaction"/>).</summary>
internal abstract partial class SqlStore
{
    /// <summary>The states whose commands a producer may still act on, as the partial indexes spell them.</summary>
    public const string CommandsOutstanding = "state IN ('pending', 'delivered')";

    /// <inheritdoc />
    public Task<IReadOnlyList<Command>> ListCommandsAsync(string sessionId, IReadOnlyCollection<CommandState>? states, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<Command>>("list commands", snapshot: false, async db => states is { Count: > 0 }
            ? await db.QueryAsync($"SELECT data FROM {Sql.Table("commands")} WHERE session_id = @session AND {Sql.In("state", "@states")} ORDER BY issued_seq LIMIT @limit;",
                ReadCommand, ("@session", sessionId), ("@states", Sql.List(states.Select(s => s.ToWire()))), ("@limit", limit))
            : await db.QueryAsync($"SELECT data FROM {Sql.Table("commands")} WHERE session_id = @session ORDER BY issued_seq LIMIT @limit;",
                ReadCommand, ("@session", sessionId), ("@limit", limit)), cancellationToken);

    /// <inheritdoc />
    public Task<Command?> GetCommandAsync(string id, CancellationToken cancellationToken) => ReadAsync("read a command", snapshot: false, db =>
        db.FirstAsync($"SELECT data FROM {Sql.Table("commands")} WHERE id = @id;", ReadCommand, ("@id", id)), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<(string SessionId, string CommandId)>> FindExpiredCommandsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<(string, string)>>("find expired commands", snapshot: false, async db => await db.QueryAsync(
            $"SELECT session_id, id FROM {Sql.Table("commands")} WHERE {CommandsOutstanding} AND expires_at <= @now ORDER BY expires_at LIMIT @limit;",
            r => (r.GetString(0), r.GetString(1)), ("@now", Sql.Time(now)), ("@limit", limit)), cancellationToken);

    private static Command ReadCommand(DbDataReader reader) => CommandJson.Read(reader.GetString(0));
}
