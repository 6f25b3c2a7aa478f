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

    /// <summary>Reads the commands a batch targets, inside the write transaction: by id, and every outstanding one of the sessions.</summary>
    private List<Command>? LoadCommandTargets(SqliteTransaction transaction, CommandTargets targets)
    {
        if (targets.IsEmpty)
        {
            return null;
        }

        var found = new List<Command>();
        if (targets.Ids.Count > 0)
        {
            using var byId = _writer!.CreateCommand();
            byId.Transaction = transaction;
            byId.CommandText = "SELECT data FROM commands WHERE id IN (SELECT value FROM json_each($ids));";
            byId.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(targets.Ids));
            found.AddRange(ReadCommands(byId));
        }

        if (targets.Sessions.Count > 0)
        {
            using var bySession = _writer!.CreateCommand();
            bySession.Transaction = transaction;
            bySession.CommandText = $"SELECT data FROM commands WHERE {SqliteCommandSchema.Outstanding} AND session_id IN (SELECT value FROM json_each($sessions));";
            bySession.Parameters.AddWithValue("$sessions", JsonSerializer.Serialize(targets.Sessions));
            found.AddRange(ReadCommands(bySession));
        }

        return found;
    }

    private static void PersistCommands(WriteBatch batch, SqliteTransaction transaction)
    {
        SqliteCommand? upsert = null;
        try
        {
            foreach (var c in batch.DirtyCommands)
            {
                if (upsert is null)
                {
                    upsert = transaction.Connection!.CreateCommand();
                    upsert.Transaction = transaction;
                    upsert.CommandText = "INSERT INTO commands(id, session_id, state, issued_seq, expires_at, data) VALUES ($id, $session, $state, $seq, $expires, $data) " +
                        "ON CONFLICT(id) DO UPDATE SET state = excluded.state, data = excluded.data;";
                    foreach (var name in new[] { "$id", "$session", "$state", "$seq", "$expires", "$data" })
                    {
                        upsert.Parameters.Add(new SqliteParameter { ParameterName = name });
                    }
                }

                var p = upsert.Parameters;
                p["$id"].Value = c.Id;
                p["$session"].Value = c.SessionId;
                p["$state"].Value = c.State.ToWire();
                p["$seq"].Value = c.IssuedSeq;
                p["$expires"].Value = c.ExpiresAt.ToUnixTimeMilliseconds();
                p["$data"].Value = CommandJson.ToRow(c);
                upsert.ExecuteNonQuery();
            }
        }
        finally
        {
            upsert?.Dispose();
        }
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
