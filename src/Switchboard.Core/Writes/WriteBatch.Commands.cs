using Switchboard.Storage;
using Switchboard.Commands;
using Switchboard.Errors;
using Switchboard.Events;
using Switchboard.Sessions;
using Switchboard.Writes;

namespace Switchboard.Writes;

/// <summary>
/// Commands in a batch: command writes, the hand-over of due commands in a producer's answer, and rule actions. What to
/// hand over and when to hand it over again is decided here, for every store, from the rows the store read
/// (<see cref="Command.IsDueAt"/>, <see cref="CommandPolicy"/>).
/// </summary>
internal sealed partial class WriteBatch
{
    private readonly Dictionary<string, Command> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _commandIdsBySession = new(StringComparer.Ordinal); // each id once, in the order first seen
    private readonly Dictionary<string, Command> _dirtyCommands = new(StringComparer.Ordinal);

    /// <summary>Commands whose row must be written (the final version of each); upserted by id.</summary>
    public IEnumerable<Command> DirtyCommands => _dirtyCommands.Values;

    /// <summary>
    /// What the store must read, inside its transaction, for a batch's commands: the commands with these ids (acks,
    /// withdrawals, expiries, a long-poll's hand-over) and every outstanding command of these sessions (those whose
    /// answers hand commands over, and those an issue or a rule's action counts against the cap).
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
                    (ids ??= new(StringComparer.Ordinal)).UnionWith(d.CommandIds);
                    break;
                case IssueCommand i:
                    (sessions ??= new(StringComparer.Ordinal)).Add(i.SessionId);
                    break;
                case RaiseAlert { Action: not null, Alert.SessionId: { } subject }:
                    (sessions ??= new(StringComparer.Ordinal)).Add(subject);
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

    /// <summary>Takes a command the store read, or the batch changed, as the batch's current version of it.</summary>
    private void Remember(Command command)
    {
        if (_commands.TryAdd(command.Id, command))
        {
            if (!_commandIdsBySession.TryGetValue(command.SessionId, out var ids))
            {
                ids = [];
                _commandIdsBySession[command.SessionId] = ids;
            }

            ids.Add(command.Id);
            return;
        }

        _commands[command.Id] = command;
    }

    /// <summary>The session's commands a producer may still act on at <paramref name="now"/> (what the cap counts).</summary>
    private int LiveOutstanding(string sessionId, DateTimeOffset now)
    {
        var count = 0;
        foreach (var id in _commandIdsBySession.GetValueOrDefault(sessionId) ?? [])
        {
            if (_commands[id].IsLiveAt(now))
            {
                count++;
            }
        }

        return count;
    }

    private WriteResult ApplyCommand(SessionWrite write, DateTimeOffset now)
    {
        if (write is DeliverCommands d)
        {
            var session = _sessions.GetValueOrDefault(d.SessionId);
            return session is null
                ? new WriteResult(SwitchboardError.SessionNotFound(d.SessionId), null, null)
                : new WriteResult(null, session, null)
                {
                    Commands = session.State == SessionState.Terminated ? [] : HandOver(session, new HashSet<string>(d.CommandIds, StringComparer.Ordinal), d.CommandPolicy, now),
                };
        }

        var decision = write switch
        {
            IssueCommand i => CommandWriteProcessor.Issue(i, _sessions.GetValueOrDefault(i.SessionId), LiveOutstanding(i.SessionId, now), now),
            AcknowledgeCommand a => _sessions.GetValueOrDefault(a.SessionId) is null
                ? CommandDecision.Refuse(SwitchboardError.SessionNotFound(a.SessionId))
                : CommandWriteProcessor.Acknowledge(a, _commands.GetValueOrDefault(a.CommandId), now),
            WithdrawCommand w => _sessions.GetValueOrDefault(w.SessionId) is null
                ? CommandDecision.Refuse(SwitchboardError.SessionNotFound(w.SessionId))
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
    /// Hands the session's due commands to its producer, oldest first and at most <see cref="CommandPolicy.MaxOutstanding"/>:
    /// each becomes delivered with its next attempt and a new visibility timeout (one <c>command_delivered</c> each), and
    /// only those are returned, so nothing is marked delivered that the answer does not carry. A delivered command
    /// inside its visibility timeout is not repeated; past it, it is due again (at least once). Commands past their
    /// expiry are left for the expiry job. <paramref name="only"/> restricts it to the commands a long-poll answers with,
    /// <paramref name="types"/> to the types the answer can carry (the others stay due for a later answer).
    /// </summary>
    private List<Command> HandOver(Session session, HashSet<string>? only, CommandPolicy policy, DateTimeOffset now, IReadOnlySet<CommandType>? types = null)
    {
        List<Command>? due = null;
        foreach (var id in _commandIdsBySession.GetValueOrDefault(session.Id) ?? [])
        {
            var c = _commands[id];
            if (c.IsDueAt(now) && (only is null || only.Contains(id)) && (types is null || types.Contains(c.Type)))
            {
                (due ??= []).Add(c);
            }
        }

        if (due is null)
        {
            return [];
        }

        due.Sort(static (a, b) => a.IssuedSeq.CompareTo(b.IssuedSeq));
        if (due.Count > policy.MaxOutstanding)
        {
            due.RemoveRange(policy.MaxOutstanding, due.Count - policy.MaxOutstanding); // the rest stay due for the next answer
        }

        for (var i = 0; i < due.Count; i++)
        {
            var decision = CommandWriteProcessor.Deliver(due[i], now, policy.RedeliverAfter);
            Record(decision, now);
            due[i] = decision.Command!;
        }

        return due;
    }

    /// <summary>
    /// What an alert rule's action would issue about the alert's session, decided before the alert is recorded so that a
    /// refusal (the session is ending, takes no commands, or is at the cap) can be said on the alert itself. The alert
    /// stands either way: a rule's action never fails its alert.
    /// </summary>
    private (IssueCommand Write, CommandDecision Decision) ActionFor(Alerts.Alert alert, string sessionId, RaiseAlert raise, CommandAction action, DateTimeOffset now)
    {
        var data = CommandJson.AlertData(alert.Id, alert.RuleId);
        var write = new IssueCommand(Command.NewId(now), sessionId, action.Type, action.Text, data, CommandLimits.DefaultExpirySeconds, CommandLimits.Rule(alert.RuleId))
        {
            CommandPolicy = raise.CommandPolicy,
        };
        return (write, CommandWriteProcessor.Issue(write, _sessions.GetValueOrDefault(sessionId), LiveOutstanding(sessionId, now), now));
    }

    /// <summary>The alert's message with why its rule's action was not issued.</summary>
    private static string ActionSkippedMessage(Alerts.Alert alert, CommandAction action, SwitchboardError refused, int maxOutstanding)
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

    /// <summary>Appends the decision's events (each with the next seq, at the batch's time) and keeps the command's final version to write.</summary>
    private EventRecord? Record(CommandDecision decision, DateTimeOffset now)
    {
        EventRecord? last = null;
        foreach (var (type, after) in decision.Transitions)
        {
            var seq = Head.HeadSeq + 1;
            var command = type == EventTypes.CommandIssued ? after with { IssuedSeq = seq } : after;
            last = new EventRecord(seq, type, command.SessionId, now, CommandJson.EventData(type, command))
            {
                Labels = _sessions.GetValueOrDefault(command.SessionId)?.Labels,
            };
            Events.Add(last);
            Head = Head with { HeadSeq = seq };
            Remember(command);
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
