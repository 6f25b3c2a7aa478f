namespace Switchboard.Core.Storage.Sql;

/// <summary>
/// A kind of request's table, as <see cref="SqlStore"/>'s request reads (<see cref="IRequestStore{TRequest, TState}"/>)
/// name it: every kind's table has <c>id</c>, <c>session_id</c>, <c>state</c>, a seq column, <c>expires_at</c> and the
/// request as JSON in <c>data</c>.
/// </summary>
/// <param name="Name">The table.</param>
/// <param name="Plural">The kind in the reads' names ("list commands").</param>
/// <param name="Single">One of the kind, with its article ("read a command").</param>
/// <param name="SeqColumn">The seq of the event that made the request: the order made.</param>
/// <param name="Open">The condition of the requests that may still be answered, as the partial indexes spell it.</param>
/// <param name="Holder">The JSON field of the node holding a request; null when the kind has none.</param>
/// <param name="Read">The request from its <c>data</c>.</param>
/// <param name="Wire">A state as the <c>state</c> column spells it.</param>
internal sealed record RequestTable<TRequest, TState>(string Name, string Plural, string Single, string SeqColumn, string Open, string? Holder,
    Func<string, TRequest> Read, Func<TState, string> Wire);
