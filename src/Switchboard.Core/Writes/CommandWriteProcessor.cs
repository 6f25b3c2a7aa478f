using Switchboard.Core.Commands;
using Switchboard.Core.Errors;
using Switchboard.Core.Sessions;

namespace Switchboard.Core.Writes;

/// <summary>
/// What a command write does, given the session and the command it targets, read inside the store's transaction. Pure,
/// like <see cref="SessionTransitions"/>: a refusal changes nothing; an acceptance lists the transitions to log.
/// </summary>
internal static class CommandWriteProcessor
{
    /// <summary>
    /// A new pending command, or why not. <paramref name="outstanding"/> is how many commands of the session are outstanding
    /// and unexpired now; at <see cref="CommandPolicy.MaxOutstanding"/> the issue is refused until some are answered.
    /// </summary>
    public static RequestDecision<Command> Issue(IssueCommand write, Session? session, int outstanding, DateTimeOffset now)
    {
        var max = write.CommandPolicy.MaxOutstanding;
        if (RequestWriteProcessor.RefusesCreate(session, write.SessionId, "it takes no more commands.", AcceptsCommands, outstanding, max, s => new(ErrorKind.TooMany,
                "too_many_commands", $"Session '{s.Id}' already has {outstanding} outstanding commands, the most one session may have ({CommandPolicy.MaxOutstandingSetting} = {max}). " +
                "Issue more once some are answered: its producer acknowledges the ones it was handed, and an operator may withdraw pending ones."), out var refused))
        {
            return RequestDecision<Command>.Refuse(refused);
        }

        var command = new Command
        {
            Id = write.Id,
            SessionId = write.SessionId,
            Type = write.Type,
            Text = write.Text,
            Data = write.Data,
            IssuedAt = now,
            IssuedBy = write.IssuedBy,
            ExpiresAt = now.AddSeconds(write.ExpiresInSeconds),
        };
        return RequestDecision<Command>.Moved(command, (Switchboard.Core.Events.EventTypes.CommandIssued, command));
    }

    /// <summary>
    /// The producer's answer. The same answer twice changes nothing and answers the same; a different one, or an answer
    /// to a command that expired or was withdrawn, is a conflict. A pending command is delivered and acknowledged at once
    /// (a producer that learnt it from its session's topic), so every acknowledged command went through delivered.
    /// </summary>
    public static RequestDecision<Command> Acknowledge(AcknowledgeCommand write, Command? target, DateTimeOffset now)
    {
        if (Find(write.SessionId, write.CommandId, target) is { } refused)
        {
            return refused;
        }

        var c = target!;
        switch (c.State)
        {
            case CommandState.Acknowledged when c.Outcome == write.Outcome && c.Note == write.Note:
                return RequestDecision<Command>.Unchanged(c);
            case CommandState.Acknowledged:
                return RequestDecision<Command>.Refuse(new(ErrorKind.Conflict, "command_already_acknowledged",
                    $"Command '{c.Id}' was already acknowledged with outcome '{c.Outcome?.ToWire()}'{(c.Note is null ? "" : " and a note")}; an acknowledgement is given once."));
            case CommandState.Withdrawn:
                return RequestDecision<Command>.Refuse(Withdrawn(c));
        }

        if (c.State == CommandState.Expired || c.ExpiresAt <= now)
        {
            return RequestDecision<Command>.Refuse(Expired(c));
        }

        if (c.State == CommandState.Pending)
        {
            // Learnt from the session's topic, which is no hand-over: this is its first delivery, logged before the answer.
            var delivered = c with { State = CommandState.Delivered, DeliveredAt = now, Attempt = c.Attempt + 1 };
            var answered = delivered with { State = CommandState.Acknowledged, AcknowledgedAt = now, Outcome = write.Outcome, Note = write.Note, RedeliverAt = null };
            return RequestDecision<Command>.Moved(answered, (Switchboard.Core.Events.EventTypes.CommandDelivered, delivered), (Switchboard.Core.Events.EventTypes.CommandAcknowledged, answered));
        }

        var acknowledged = c with { State = CommandState.Acknowledged, AcknowledgedAt = now, Outcome = write.Outcome, Note = write.Note, RedeliverAt = null };
        return RequestDecision<Command>.Moved(acknowledged, (Switchboard.Core.Events.EventTypes.CommandAcknowledged, acknowledged));
    }

    /// <summary>An operator takes back a command no producer has been handed; withdrawing it again changes nothing.</summary>
    public static RequestDecision<Command> Withdraw(WithdrawCommand write, Command? target, DateTimeOffset now)
    {
        if (Find(write.SessionId, write.CommandId, target) is { } refused)
        {
            return refused;
        }

        var c = target!;
        return c.State switch
        {
            CommandState.Withdrawn => RequestDecision<Command>.Unchanged(c),
            CommandState.Expired => RequestDecision<Command>.Refuse(Expired(c)),
            CommandState.Pending when c.ExpiresAt <= now => RequestDecision<Command>.Refuse(Expired(c)),
            CommandState.Pending => RequestDecision<Command>.Moved(c with { State = CommandState.Withdrawn }, (Switchboard.Core.Events.EventTypes.CommandWithdrawn, c with { State = CommandState.Withdrawn })),
            CommandState.Delivered => RequestDecision<Command>.Refuse(new(ErrorKind.Conflict, "command_delivered",
                $"Command '{c.Id}' was already handed to the producer ({FormatTime(c.DeliveredAt)}); it can no longer be withdrawn. Issue another command (resume after pause, say) instead.")),
            _ => RequestDecision<Command>.Refuse(new(ErrorKind.Conflict, "command_already_acknowledged",
                $"Command '{c.Id}' was already acknowledged with outcome '{c.Outcome?.ToWire()}'; it can no longer be withdrawn.")),
        };
    }

    /// <summary>Expires a command still outstanding at its expiry; anything else (acknowledged first, say) changes nothing.</summary>
    public static RequestDecision<Command> Expire(Command? target, DateTimeOffset now) =>
        RequestWriteProcessor.Expire(target, now, c => c with { State = CommandState.Expired }, Switchboard.Core.Events.EventTypes.CommandExpired);

    /// <summary>
    /// A command handed to its producer: if it is due (<see cref="Command.IsDueAt"/>) it becomes delivered with the next
    /// attempt and a new visibility timeout, <paramref name="redeliverAfter"/> from now (one <c>command_delivered</c>);
    /// anything else stays as it is and is not handed over.
    /// </summary>
    public static RequestDecision<Command> Deliver(Command c, DateTimeOffset now, TimeSpan redeliverAfter)
    {
        if (!c.IsDueAt(now))
        {
            return RequestDecision<Command>.Unchanged(c);
        }

        var delivered = c with { State = CommandState.Delivered, DeliveredAt = c.DeliveredAt ?? now, Attempt = c.Attempt + 1, RedeliverAt = now + redeliverAfter };
        return RequestDecision<Command>.Moved(delivered, (Switchboard.Core.Events.EventTypes.CommandDelivered, delivered));
    }

    /// <summary>The refusal when the target is not a command of the session the request names.</summary>
    private static RequestDecision<Command>? Find(string sessionId, string commandId, Command? target) =>
        RequestWriteProcessor.Find(target, sessionId, () => CommandNotFound(sessionId, commandId), c => new(ErrorKind.Conflict, "command_of_other_session",
            $"Command '{commandId}' belongs to session '{c.SessionId}', not to '{sessionId}'; a producer answers only its own session's commands."))
            is { } refused ? RequestDecision<Command>.Refuse(refused) : null;

    /// <summary>The refusal of a command to a session whose producer cannot read them.</summary>
    private static SwitchboardError? AcceptsCommands(Session session) => session.AcceptsCommands
        ? null
        : new(ErrorKind.Conflict, "commands_not_supported",
            $"Session '{session.Id}' cannot receive commands (accepts_commands is false: its producer, such as an OpenTelemetry exporter, has no way to read them).");

    /// <summary>The first rule a command write breaks before it reaches the store, or null.</summary>
    public static SwitchboardError? Validate(SessionWrite write) => write switch
    {
        IssueCommand i => SessionIdRule(i.SessionId) ?? CommandIdRule(i.Id) ?? CommandValidator.Issue(i.Type, i.Text, i.Data, i.ExpiresInSeconds),
        AcknowledgeCommand a => SessionIdRule(a.SessionId) ?? CommandIdRule(a.CommandId) ?? CommandValidator.Note(a.Note),
        WithdrawCommand w => SessionIdRule(w.SessionId) ?? CommandIdRule(w.CommandId),
        ExpireCommand e => SessionIdRule(e.SessionId) ?? CommandIdRule(e.CommandId),
        DeliverCommands d => SessionIdRule(d.SessionId) ?? d.CommandIds.Select(CommandIdRule).FirstOrDefault(e => e is not null),
        _ => throw new ArgumentOutOfRangeException(nameof(write), write.GetType().Name, "Not a command write."),
    };

    private static SwitchboardError? SessionIdRule(string id) => RequestWriteProcessor.SessionIdRule(id);

    private static SwitchboardError? CommandIdRule(string id) => RequestWriteProcessor.IdRule(id, "command_id", "A command");

    /// <summary>A 404 for a command id that no session has.</summary>
    public static SwitchboardError CommandNotFound(string sessionId, string commandId) =>
        new(ErrorKind.NotFound, "command_not_found", $"Command '{commandId}' does not exist (session '{sessionId}').");

    private static SwitchboardError Expired(Command c) =>
        new(ErrorKind.Conflict, "command_expired", $"Command '{c.Id}' expired at {FormatTime(c.ExpiresAt)} before it was acknowledged; the producer should not act on it.");

    private static SwitchboardError Withdrawn(Command c) =>
        new(ErrorKind.Conflict, "command_withdrawn", $"Command '{c.Id}' was withdrawn by an operator; the producer should not act on it.");

    private static string FormatTime(DateTimeOffset? at) => RequestWriteProcessor.FormatTime(at);
}
