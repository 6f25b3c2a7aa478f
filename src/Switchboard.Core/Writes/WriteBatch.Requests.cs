using Switchboard.Core.Approvals;
using Switchboard.Core.Commands;
using Switchboard.Core.Events;
using Switchboard.Core.Sessions;

namespace Switchboard.Core.Writes;

/// <summary>
/// Requests to a session in a batch (docs/architecture.md "Requests to a session"): each kind's ledger
/// (<see cref="CommandLedger"/>, <see cref="ApprovalLedger"/>) holds its rows and decides its writes; the batch owns the
/// log they append to and the session rows they read and move (<see cref="IRequestLog"/>).
/// </summary>
internal sealed partial class WriteBatch : IRequestLog
{
    private readonly CommandLedger _commands = new();
    private readonly ApprovalLedger _approvals = new();

    /// <summary>Commands whose row must be written (the final version of each); upserted by id.</summary>
    public IReadOnlyCollection<Command> DirtyCommands => _commands.Book.Dirty;

    /// <summary>Approvals whose row must be written (the final version of each); upserted by id.</summary>
    public IReadOnlyCollection<Approval> DirtyApprovals => _approvals.Book.Dirty;

    /// <summary>What the store must read, inside its transaction, for a batch's commands (<see cref="CommandLedger.Targets"/>).</summary>
    public static RequestTargets CommandTargets(IReadOnlyList<SessionWrite> writes) => CommandLedger.Targets(writes);

    /// <summary>What the store must read, inside its transaction, for a batch's approvals (<see cref="ApprovalLedger.Targets"/>).</summary>
    public static RequestTargets ApprovalTargets(IReadOnlyList<SessionWrite> writes, IReadOnlyDictionary<string, Session?>? current = null) =>
        ApprovalLedger.Targets(writes, current);

    /// <summary>The sessions this batch ended, whose pending approvals go with them (<see cref="ApprovalLedger.EndedSessions"/>).</summary>
    public IReadOnlyCollection<string> EndedSessions(IReadOnlyList<SessionWrite> writes) => ApprovalLedger.EndedSessions(Events, writes, Results);

    /// <summary>Withdraws the pending approvals of the <paramref name="ended"/> sessions (<see cref="ApprovalLedger.WithdrawEnded"/>).</summary>
    public void WithdrawEnded(IReadOnlyCollection<string> ended, IReadOnlyList<Approval> stored, DateTimeOffset now) =>
        _approvals.WithdrawEnded(this, ended, stored, now);

    /// <summary>The session a request write (or a rule's action) is about, so the store reads and locks its row.</summary>
    private static string? RequestSessionId(SessionWrite write) => write switch
    {
        RequestWrite r => r.SessionId,
        RaiseAlert { Action: not null } r => r.Alert.SessionId,
        _ => null,
    };

    /// <summary>The result of a request write, applied by its kind's ledger; null for any other write.</summary>
    private WriteResult? ApplyRequest(SessionWrite write, DateTimeOffset now) =>
        CommandLedger.Applies(write) ? _commands.Apply(this, write, now)
        : ApprovalLedger.Applies(write) ? _approvals.Apply(this, write, now)
        : null;

    Session? IRequestLog.Session(string id) => _sessions.GetValueOrDefault(id);

    long IRequestLog.NextSeq => Head.HeadSeq + 1;

    EventRecord IRequestLog.Append(string type, string sessionId, DateTimeOffset at, byte[] data)
    {
        var appended = new EventRecord(Head.HeadSeq + 1, type, sessionId, at, data) { Labels = _sessions.GetValueOrDefault(sessionId)?.Labels };
        Events.Add(appended);
        Head = Head with { HeadSeq = appended.Seq };
        return appended;
    }

    Session IRequestLog.Move(Session session, SessionState state, DateTimeOffset now)
    {
        if (!SessionStateMachine.IsAllowed(session.State, state))
        {
            return session;
        }

        var move = new UpdateSession(session.Id) { State = state };
        var moved = SessionTransitions.Apply(move, session, new WriteContext(now, Head.ActiveCount, Head.FleetPaused));
        return Record(move, session, moved, now).Session ?? session;
    }
}
