namespace Switchboard.Core.Commands;

/// <summary>
/// What a producer's long-poll (<c>GET …/commands?wait=N</c>) answers with, decided from the session's commands it read.
/// A poll that hands over (a write key, asking for <c>pending</c>) takes what a write answer would take: the commands due
/// now (<see cref="Command.IsDueAt"/>: pending ones, and delivered ones past their visibility timeout). It hands over only
/// those it answers with (at most its <c>limit</c>), in one write that re-checks each (<c>DeliverCommands</c>).
/// </summary>
internal static class CommandPoll
{
    /// <summary>True when the poll hands what it answers with over: a caller that may write, asking for pending commands.</summary>
    public static bool HandsOver(IReadOnlyCollection<CommandState> states, bool mayWrite) => mayWrite && states.Contains(CommandState.Pending);

    /// <summary>
    /// The states to read: a hand-over reads delivered ones too, since one past its visibility timeout is due again and
    /// the earliest timeout of the others says when to look again.
    /// </summary>
    public static IReadOnlyCollection<CommandState> StatesToRead(IReadOnlyCollection<CommandState> states, bool handsOver) =>
        handsOver && !states.Contains(CommandState.Delivered) ? [.. states, CommandState.Delivered] : states;

    /// <summary>
    /// How many rows to read for an answer of <paramref name="limit"/>: a hand-over leaves room for the delivered commands
    /// still inside their visibility timeout, which it reads but does not answer with (at most the cap of them).
    /// </summary>
    public static int RowsToRead(int limit, bool handsOver, CommandPolicy policy) => handsOver ? limit + policy.MaxOutstanding : limit;

    /// <summary>Picks the answer from <paramref name="rows"/> (in the order issued), the ones of it to hand over, and when to look again.</summary>
    public static CommandPollSelection Select(IReadOnlyList<Command> rows, IReadOnlyCollection<CommandState> states, bool handsOver, int limit, DateTimeOffset now)
    {
        var matched = new List<Command>();
        var due = new HashSet<string>(StringComparer.Ordinal);
        DateTimeOffset? next = null;
        foreach (var c in rows)
        {
            var isDue = handsOver && c.IsDueAt(now);
            if (isDue || (states.Contains(c.State) && (!c.IsOutstanding || c.ExpiresAt > now)))
            {
                if (matched.Count < limit)
                {
                    matched.Add(c);
                    if (isDue)
                    {
                        due.Add(c.Id);
                    }
                }
            }
            else if (handsOver && c.State == CommandState.Delivered && c.IsLiveAt(now) && c.RedeliverAt is { } at && (next is null || at < next))
            {
                next = at; // inside its visibility timeout: handed over again from then, with no event to wake the poll
            }
        }

        return new CommandPollSelection(matched, due, next);
    }
}

/// <summary>
/// A long-poll's pick: <see cref="Matched"/> in the order issued, <see cref="Due"/> the ids among them to hand over, and
/// <see cref="NextRedelivery"/> the earliest visibility timeout of the delivered commands it left out (null when none).
/// </summary>
internal sealed record CommandPollSelection(IReadOnlyList<Command> Matched, IReadOnlySet<string> Due, DateTimeOffset? NextRedelivery)
{
    /// <summary>
    /// The answer once <paramref name="handed"/> (what the hand-over's write returned) is known: each handed-over command
    /// as it is now, the others that matched as read, and no due command the write did not hand over (another poll or a
    /// write answer took it first, or it was answered, withdrawn or expired meanwhile): nothing is answered that was not
    /// handed over.
    /// </summary>
    public List<Command> Answer(IReadOnlyList<Command> handed)
    {
        var now = handed.ToDictionary(c => c.Id, StringComparer.Ordinal);
        return [.. Matched.Where(c => !Due.Contains(c.Id) || now.ContainsKey(c.Id)).Select(c => now.GetValueOrDefault(c.Id) ?? c)];
    }
}
