using System.Data.Common;
using Switchboard.Core.Commands;

namespace Switchboard.Core.Storage.Sql;

/// <summary>Commands: their table, read by the request reads (SqlStore.Requests.cs).</summary>
internal abstract partial class SqlStore : IRequestStore<Command, CommandState>
{
    /// <summary>The states whose commands a producer may still act on, as the partial indexes spell them.</summary>
    public const string CommandsOutstanding = "state IN ('pending', 'delivered')";

    private static readonly RequestTable<Command, CommandState> CommandTable = new("commands", "commands", "a command", "issued_seq", CommandsOutstanding, Holder: null,
        CommandJson.Read, s => s.ToWire());

    Task<IReadOnlyList<Command>> IRequestStore<Command, CommandState>.ListAsync(string sessionId, IReadOnlyCollection<CommandState>? states, int limit,
        CancellationToken cancellationToken) => ListRequestsAsync(CommandTable, sessionId, states, limit, cancellationToken);

    Task<Command?> IRequestStore<Command, CommandState>.GetAsync(string id, CancellationToken cancellationToken) => GetRequestAsync(CommandTable, id, cancellationToken);

    Task<IReadOnlyList<(string SessionId, string Id)>> IRequestStore<Command, CommandState>.FindExpiredAsync(DateTimeOffset now, int limit,
        CancellationToken cancellationToken) => FindExpiredRequestsAsync(CommandTable, now, limit, cancellationToken);

    Task<IReadOnlyList<(string SessionId, string Id, string Holder)>> IRequestStore<Command, CommandState>.FindUnheldAsync(string self, int limit,
        CancellationToken cancellationToken) => FindUnheldRequestsAsync(CommandTable, self, limit, cancellationToken);

    private static Command ReadCommand(DbDataReader reader) => CommandJson.Read(reader.GetString(0));
}
