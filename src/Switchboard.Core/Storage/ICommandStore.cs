using Switchboard.Commands;

namespace Switchboard.Storage;

/// <summary>
/// Commands, kept by the same store as the log. Their rows change only through <see cref="ISessionStore.WriteAsync"/>
/// (the command writes, and producers' writes that deliver them), in the same transaction as their events.
/// </summary>
internal interface ICommandStore
{
    /// <summary>A session's commands in the order they were issued, only those in <paramref name="states"/> when given.</summary>
    Task<IReadOnlyList<Command>> ListCommandsAsync(string sessionId, IReadOnlyCollection<CommandState>? states, int limit, CancellationToken cancellationToken);

    /// <summary>One command, or null.</summary>
    Task<Command?> GetCommandAsync(string id, CancellationToken cancellationToken);

    /// <summary>Outstanding commands whose expiry is at or before <paramref name="now"/>, earliest first.</summary>
    Task<IReadOnlyList<(string SessionId, string CommandId)>> FindExpiredCommandsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);
}
