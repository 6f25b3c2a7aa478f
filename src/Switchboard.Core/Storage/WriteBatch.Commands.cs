using Switchboard.Commands;
using Switchboard.Events;
using Switchboard.Sessions;
using Switchboard.Writes;

namespace Switchboard.Storage;

/// <summary>Commands in a batch: command writes, the delivery of outstanding commands in a producer's answer, and rule actions.</summary>
internal sealed partial class WriteBatch
{
    private readonly Dictionary<string, Command> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Command> _dirtyCommands = new(StringComparer.Ordinal);

    /// <summary>Commands whose row must be written (the final version of each); upserted by id.</summary>
    public IEnumerable<Command> DirtyCommands => _dirtyCommands.Values;

    /// <summary>
    /// What the store must read, inside its transaction, for a batch's commands: the commands with these ids (acks,
    /// withdrawals, expiries) and every outstanding command of these sessions (the sessions whose answers carry them).
    /// </summary>
    public static CommandTargets CommandTargets(IReadOnlyList<SessionWrite> writes)
    {
        HashSet<string>? ids = null;
        HashSet<string>? sessions = null;
        foreach (var write in writes)
        {
            switch (write)
            {
                case AcknowledgeCommand a:
                    (ids ??= new(StringComparer.Ordinal)).Add(a.CommandId);
                    break;
                case WithdrawCommand w:
                    (ids ??= new(StringComparer.Ordinal)).Add(w.CommandId);
                    break;
                case ExpireCommand e:
                    (ids ??= new(StringComparer.Ordinal)).Add(e.CommandId);
                    break;
                case DeliverCommands d:
                    (sessions ??= new(StringComparer.Ordinal)).Add(d.SessionId);
                    break;
                default:
                    if (write.DeliversCommands && SessionWriteProcessor.TargetId(write) is { } id)
                    {
                        (sessions ??= new(StringComparer.Ordinal)).Add(id);
                    }

                    break;
            }
        }

        return new(ids is null ? [] : [.. ids], sessions is null ? [] : [.. sessions]);
    }

    /// <summary>The session a command write (or a rule action) is about, so the store reads and locks its row.</summary>
    private static string? CommandSessionId(SessionWrite write) => write switch
    {
        IssueCommand i => i.SessionId,
        AcknowledgeCommand a => a.SessionId,
        WithdrawCommand w => w.SessionId,
        ExpireCommand e => e.SessionId,
        DeliverCommands d => d.SessionId,
        RaiseAlert { Action: not null } r => r.Alert.SessionId,
        _ => null,
    };

    private static bool IsCommandWrite(SessionWrite write) =>
        write is IssueCommand or AcknowledgeCommand or WithdrawCommand or ExpireCommand or DeliverCommands;

    private WriteResult ApplyCommand(SessionWrite write, DateTimeOffset now)
    {
        if (write is DeliverCommands d)
        {
            var session = _sessions.GetValueOrDefault(d.SessionId);
            return session is null
                ? new WriteResult(Errors.SwitchboardError.SessionNotFound(d.SessionId), null, null)
                : new WriteResult(null, session, null) { Commands = session.State == SessionState.Terminated ? [] : Deliver(session, now) };
        }

        var decision = write switch
        {
            IssueCommand i => CommandWriteProcessor.Issue(i, _sessions.GetValueOrDefault(i.SessionId), now),
            AcknowledgeCommand a => _sessions.GetValueOrDefault(a.SessionId) is null
                ? CommandDecision.Refuse(Errors.SwitchboardError.SessionNotFound(a.SessionId))
                : CommandWriteProcessor.Acknowledge(a, _commands.GetValueOrDefault(a.CommandId), now),
            WithdrawCommand w => _sessions.GetValueOrDefault(w.SessionId) is null
                ? CommandDecision.Refuse(Errors.SwitchboardError.SessionNotFound(w.SessionId))
                : CommandWriteProcessor.Withdraw(w, _commands.GetValueOrDefault(w.CommandId), now),
            ExpireCommand e => CommandWriteProcessor.Expire(_commands.GetValueOrDefault(e.CommandId), now),
            _ => throw new ArgumentOutOfRangeException(nameof(write), write.GetType().Name, "Not a command write."),
        };

        if (decision.Error is { } error)
        {
            return new WriteResult(error, null, null);
        }

        var last = Record(decision, now);
        return new WriteResult(null, null, last) { Command = _commands.GetValueOrDefault(decision.Command?.Id ?? "") ?? decision.Command };
    }

    /// <summary>
    /// The session's outstanding commands, oldest first, for its producer's answer: pending ones become delivered
    /// (one <c>command_delivered</c> each); delivered ones are handed over again until acknowledged (at least once, the
    /// command id is the producer's key to drop a repeat). Commands past their expiry are left for the expiry job.
    /// </summary>
    private List<Command> Deliver(Session session, DateTimeOffset now)
    {
        List<Command>? outstanding = null;
        foreach (var c in _commands.Values)
        {
            if (c.SessionId == session.Id && c.IsLiveAt(now))
            {
                (outstanding ??= []).Add(c);
            }
        }

        if (outstanding is null)
        {
            return [];
        }

        outstanding.Sort(static (a, b) => a.IssuedSeq.CompareTo(b.IssuedSeq));
        for (var i = 0; i < outstanding.Count; i++)
        {
            var decision = CommandWriteProcessor.Deliver(outstanding[i], now);
            Record(decision, now);
            outstanding[i] = decision.Command!;
        }

        return outstanding;
    }

    /// <summary>An alert rule's action: the command it issues about the alert's session, or null when the session takes none now.</summary>
    private Command? IssueForAlert(Alerts.Alert alert, string sessionId, CommandAction action, DateTimeOffset now)
    {
        var data = CommandJson.AlertData(alert.Id, alert.RuleId);
        var write = new IssueCommand(Command.NewId(now), sessionId, action.Type, action.Text, data, CommandLimits.DefaultExpirySeconds, CommandLimits.Rule(alert.RuleId));
        var decision = CommandWriteProcessor.Issue(write, _sessions.GetValueOrDefault(sessionId), now);
        if (decision.Error is not null)
        {
            return null; // the alert stands; an ending session or one that takes no commands gets none
        }

        Record(decision, now);
        return _commands[write.Id];
    }

    /// <summary>Appends the decision's events (each with the next seq, at the batch's time) and keeps the command's final version to write.</summary>
    private EventRecord? Record(CommandDecision decision, DateTimeOffset now)
    {
        EventRecord? last = null;
        foreach (var (type, after) in decision.Transitions)
        {
            var seq = Head.HeadSeq + 1;
            var command = type == EventTypes.CommandIssued ? after with { IssuedSeq = seq } : after;
            last = new EventRecord(seq, type, command.SessionId, now, CommandJson.EventData(command))
            {
                Labels = _sessions.GetValueOrDefault(command.SessionId)?.Labels,
            };
            Events.Add(last);
            Head = Head with { HeadSeq = seq };
            _commands[command.Id] = command;
            _dirtyCommands[command.Id] = command;
        }

        return last;
    }
}

/// <summary>What a store reads for a batch's commands (see <see cref="WriteBatch.CommandTargets"/>).</summary>
internal sealed record CommandTargets(IReadOnlyCollection<string> Ids, IReadOnlyCollection<string> Sessions)
{
    /// <summary>True when the batch needs no command read.</summary>
    public bool IsEmpty => Ids.Count == 0 && Sessions.Count == 0;
}
