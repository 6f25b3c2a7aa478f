using Npgsql;
using Switchboard.Commands;

namespace Switchboard.Storage.Postgres;

internal sealed partial class PostgresSessionStore
{
    /// <inheritdoc />
    public Task<IReadOnlyList<Command>> ListCommandsAsync(string sessionId, IReadOnlyCollection<CommandState>? states, int limit, CancellationToken cancellationToken) =>
        RunAsync("list commands", async (connection, ct) =>
        {
            var filter = states is { Count: > 0 } ? " AND state = ANY(@states)" : "";
            await using var command = new NpgsqlCommand(
                $"SELECT data FROM switchboard_commands WHERE session_id = @session{filter} ORDER BY issued_seq LIMIT @limit;", connection);
            command.Parameters.Add(new NpgsqlParameter<string>("session", sessionId));
            command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
            if (states is { Count: > 0 })
            {
                command.Parameters.Add(new NpgsqlParameter<string[]>("states", [.. states.Select(s => s.ToWire())]));
            }

            return (IReadOnlyList<Command>)await ReadCommandsAsync(command, ct);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<Command?> GetCommandAsync(string id, CancellationToken cancellationToken) =>
        RunAsync("read a command", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand("SELECT data FROM switchboard_commands WHERE id = @id;", connection);
            command.Parameters.Add(new NpgsqlParameter<string>("id", id));
            return (await ReadCommandsAsync(command, ct)).FirstOrDefault();
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<(string SessionId, string CommandId)>> FindExpiredCommandsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        RunAsync("find expired commands", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(
                $"SELECT session_id, id FROM switchboard_commands WHERE {PostgresCommandSchema.Outstanding} AND expires_at <= @now ORDER BY expires_at LIMIT @limit;",
                connection);
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now.ToUniversalTime()));
            command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
            var due = new List<(string, string)>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                due.Add((reader.GetString(0), reader.GetString(1)));
            }

            return (IReadOnlyList<(string SessionId, string CommandId)>)due;
        }, cancellationToken);

    /// <summary>The outstanding commands, inside <see cref="LoadStateAsync"/>'s snapshot.</summary>
    private static async Task<List<Command>> ReadOutstandingCommandsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT data FROM switchboard_commands WHERE {PostgresCommandSchema.Outstanding} ORDER BY issued_seq;", connection, transaction);
        return await ReadCommandsAsync(command, ct);
    }

    private static async Task<List<Command>> ReadCommandsAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var commands = new List<Command>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            commands.Add(CommandJson.Read(reader.GetString(0)));
        }

        return commands;
    }
}
