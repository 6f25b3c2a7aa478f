using System.Data.Common;

namespace Switchboard.Core.Storage.Sql;

/// <summary>
/// Commands kept on one connection from one transaction to the next, by their text: a driver that prepares a statement
/// once per command (Microsoft.Data.Sqlite parses its text on a command's first run) then parses each text once for the
/// connection's life instead of once per statement run. Bounded in count; used by the connection's one user at a time
/// (SQLite's writer, under its lock) and disposed with the connection.
/// </summary>
internal sealed class PreparedStatements(DbConnection connection) : IDisposable
{
    /// <summary>Texts kept at most: the writer's statements are a handful; past this, commands are made per run as usual.</summary>
    private const int Capacity = 64;

    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);

    /// <summary>
    /// The kept command for <paramref name="text"/>, in <paramref name="transaction"/>, with <paramref name="args"/>' values;
    /// null when none can be kept for it (the cache is full, or the text came before with other parameter names).
    /// </summary>
    public DbCommand? Take(string text, DbTransaction? transaction, (string Name, object? Value)[] args)
    {
        if (!_commands.TryGetValue(text, out var command))
        {
            if (_commands.Count >= Capacity)
            {
                return null;
            }

            command = connection.CreateCommand();
            command.CommandText = text;
            foreach (var (name, _) in args)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                command.Parameters.Add(parameter);
            }

            _commands[text] = command;
        }

        if (command.Parameters.Count != args.Length)
        {
            return null;
        }

        for (var i = 0; i < args.Length; i++)
        {
            if (command.Parameters[i].ParameterName != args[i].Name)
            {
                return null;
            }
        }

        command.Transaction = transaction;
        for (var i = 0; i < args.Length; i++)
        {
            command.Parameters[i].Value = args[i].Value ?? DBNull.Value;
        }

        return command;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
    }
}
