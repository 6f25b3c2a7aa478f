using Switchboard.Core.Commands;
using Switchboard.Core.Errors;
using Switchboard.Core.Events;
using Switchboard.Core.Sessions;

namespace Switchboard.Core.Writes;

/// <summary>
/// Commands in a write batch: command writes, the hand-over of due commands in a producer's answer, and rule actions.
/// What to hand over and when to hand it over again is decided here, for every store, from the rows the store read
/// (<see cref="Command.IsDueAt"/>, <see cref="CommandPolicy"/>).
/// </summary>
internal sealed class CommandLedger : RequestLedger<Command>
{
    protected override string CreatedEvent => EventTypes.CommandIssued;

    protected override Command Stamp(Command created, long seq) => created with { IssuedSeq = seq };

    protected override byte[] EventData(string type, Command request) => CommandJson.EventData(type, request);

    /// <summary>
    /// What the store must read, inside its transaction, for a batch's commands: the commands with these ids (acks,
    /// withdrawals, expiries, a long-poll's hand-over) and every outstanding command of these sessions (those whose
    /// answers hand commands over, and those an issue or a rule's action counts against the cap).
    /// </summary>
    public static RequestTargets Targets(IReadOnlyList<SessionWrite> writes)
    {
        var targets = new RequestTargets.Builder();
        foreach (var write in writes)
        {
            switch (write)
            {
                case AcknowledgeCommand or WithdrawCommand or ExpireCommand or DeliverCommands:
                    targets.Requests(((RequestWrite)write).RequestIds);
                    break;
                case IssueCommand i:
                    targets.Session(i.SessionId);
                    break;
                case RaiseAlert { Action: not null, Alert.SessionId: { } subject }:
                    targets.Session(subject);
                    break;
                default:
                    if (write.DeliversCommands && SessionTransitions.TargetId(write) is { } id)
                    {
                        targets.Session(id);
                    }

                    break;
            }
        }

        return targets.Build();
    }

    /// <summary>True for the writes this ledger applies.</summary>
    public static bool Applies(SessionWrite write) =>
        write is IssueCommand or AcknowledgeCommand or WithdrawCommand or ExpireCommand or DeliverCommands;

    public WriteResult Apply(IRequestLog log, SessionWrite write, DateTimeOffset now)
    {
        if (write is DeliverCommands d)
        {
            var session = log.Session(d.SessionId);
            return session is null
                ? new WriteResult(SwitchboardError.SessionNotFound(d.SessionId), null, null)
                : new WriteResult(null, session, null)
                {
                    Commands = session.State == SessionState.Terminated ? [] : HandOver(log, session, new HashSet<string>(d.CommandIds, StringComparer.Ordinal), d.CommandPolicy, now),
                };
        }

        var decision = write switch
        {
            IssueCommand i => CommandWriteProcessor.Issue(i, log.Session(i.SessionId), LiveOutstanding(i.SessionId, now), now),
            AcknowledgeCommand a => log.Session(a.SessionId) is null
                ? RequestDecision<Command>.Refuse(SwitchboardError.SessionNotFound(a.SessionId))
                : CommandWriteProcessor.Acknowledge(a, Book.Get(a.CommandId), now),
            WithdrawCommand w => log.Session(w.SessionId) is null
                ? RequestDecision<Command>.Refuse(SwitchboardError.SessionNotFound(w.SessionId))
                : CommandWriteProcessor.Withdraw(w, Book.Get(w.CommandId), now),
            ExpireCommand e => CommandWriteProcessor.Expire(Book.Get(e.CommandId), now),
            _ => throw new ArgumentOutOfRangeException(nameof(write), write.GetType().Name, "Not a command write."),
        };

        if (decision.Error is { } error)
        {
            return new WriteResult(error, null, null);
        }

        var last = Record(log, decision, now);
        return new WriteResult(null, null, last) { Command = Current(decision) };
    }

    /// <summary>
    /// Hands the session's due commands to its producer, oldest first and at most <see cref="CommandPolicy.MaxOutstanding"/>:
    /// each becomes delivered with its next attempt and a new visibility timeout (one <c>command_delivered</c> each), and
    /// only those are returned, so nothing is marked delivered that the answer does not carry. A delivered command
    /// inside its visibility timeout is not repeated; past it, it is due again (at least once). Commands past their
    /// expiry are left for the expiry job. <paramref name="only"/> restricts it to the commands a long-poll answers with,
    /// <paramref name="types"/> to the types the answer can carry (the others stay due for a later answer).
    /// </summary>
    public List<Command> HandOver(IRequestLog log, Session session, HashSet<string>? only, CommandPolicy policy, DateTimeOffset now,
        IReadOnlySet<CommandType>? types = null)
    {
        var due = Book.OfSession(session.Id)
            .Where(c => c.IsDueAt(now) && (only is null || only.Contains(c.Id)) && (types is null || types.Contains(c.Type)))
            .ToList();
        due.Sort(static (a, b) => a.IssuedSeq.CompareTo(b.IssuedSeq));
        if (due.Count > policy.MaxOutstanding)
        {
            due.RemoveRange(policy.MaxOutstanding, due.Count - policy.MaxOutstanding); // the rest stay due for the next answer
        }

        for (var i = 0; i < due.Count; i++)
        {
            var decision = CommandWriteProcessor.Deliver(due[i], now, policy.RedeliverAfter);
            Record(log, decision, now);
            due[i] = decision.Request!;
        }

        return due;
    }

    /// <summary>
    /// What an alert rule's action would issue about the alert's session, decided before the alert is recorded so that a
    /// refusal (the session is ending, takes no commands, or is at the cap) can be said on the alert itself. The alert
    /// stands either way: a rule's action never fails its alert.
    /// </summary>
    public (IssueCommand Write, RequestDecision<Command> Decision) ActionFor(IRequestLog log, Switchboard.Core.Alerts.Alert alert, string sessionId, RaiseAlert raise,
        CommandAction action, DateTimeOffset now)
    {
        var data = CommandJson.AlertData(alert.Id, alert.RuleId);
        var write = new IssueCommand(Command.NewId(now), sessionId, action.Type, action.Text, data, CommandLimits.DefaultExpirySeconds, CommandLimits.Rule(alert.RuleId))
        {
            CommandPolicy = raise.CommandPolicy,
        };
        return (write, CommandWriteProcessor.Issue(write, log.Session(sessionId), LiveOutstanding(sessionId, now), now));
    }

    /// <summary>The alert's message with why its rule's action was not issued.</summary>
    public static string ActionSkippedMessage(Switchboard.Core.Alerts.Alert alert, CommandAction action, SwitchboardError refused, int maxOutstanding)
    {
        var why = refused.Code switch
        {
            "too_many_commands" => $"the session is at its limit of {maxOutstanding} outstanding commands ({CommandPolicy.MaxOutstandingSetting})",
            "commands_not_supported" => "the session cannot receive commands",
            "session_ending" => "the session is ending",
            _ => refused.Detail,
        };
        return $"{alert.Message} Its {action.Type.ToWire()} action was not issued: {why}.";
    }

    /// <summary>The session's commands a producer may still act on at <paramref name="now"/> (what the cap counts).</summary>
    private int LiveOutstanding(string sessionId, DateTimeOffset now) => Book.Count(sessionId, c => c.IsLiveAt(now));
}
