using System.Text.Json;
using Microsoft.Data.Sqlite;
using Switchboard.Commands;

namespace Switchboard.Storage.Sqlite;

internal sealed partial class SqliteSessionStore
{
    /// <inheritdoc />
    public Task<IReadOnlyList<Command>> ListCommandsAsync(string sessionId, IReadOnlyCollection<CommandState>? states, int limit, CancellationToken cancellationToken)
    {
        using var lease = _readers.Rent();
        var connection = lease.Connection;
        using var command = connection.CreateCommand();
        var filter = states is { Count: > 0 } ? $" AND state IN ({string.Join(", ", states.Select(s => $"'{s.ToWire()}'"))})" : "";
        command.CommandText = $"SELECT data FROM commands WHERE session_id = $session{filter} ORDER BY issued_seq LIMIT $limit;";
        command.Parameters.AddWithValue("$session", sessionId);
        command.Parameters.AddWithValue("$limit", limit);
        return Task.FromResult<IReadOnlyList<Command>>(ReadCommands(command));
    }

    /// <inheritdoc />
    public Task<Command?> GetCommandAsync(string id, CancellationToken cancellationToken)
    {
        using var lease = _readers.Rent();
        var connection = lease.Connection;
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT data FROM commands WHERE id = $id;";
        command.Parameters.AddWithValue("$id", id);
        return Task.FromResult(ReadCommands(command).FirstOrDefault());
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<(string SessionId, string CommandId)>> FindExpiredCommandsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        using var lease = _readers.Rent();
        var connection = lease.Connection;
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT session_id, id FROM commands WHERE {SqliteCommandSchema.Outstanding} AND expires_at <= $now ORDER BY expires_at LIMIT $limit;";
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$limit", limit);
        var due = new List<(string, string)>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            due.Add((reader.GetString(0), reader.GetString(1)));
        }

        return Task.FromResult<IReadOnlyList<(string SessionId, string CommandId)>>(due);
    }

    /// <summary>The outstanding commands, inside <see cref="LoadStateAsync"/>'s read transaction.</summary>
    private static List<Command> ReadOutstandingCommands(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT data FROM commands WHERE {SqliteCommandSchema.Outstanding} ORDER BY issued_seq;";
        return ReadCommands(command);
    }

    private static List<Command> ReadCommands(SqliteCommand command)
    {
        var commands = new List<Command>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            commands.Add(CommandJson.Read(reader.GetString(0)));
        }

        return commands;
    }
}
