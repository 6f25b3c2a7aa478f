using Switchboard.Approvals;
using Switchboard.Errors;
using Switchboard.Sessions;

namespace Switchboard.Writes;

/// <summary>
/// Approvals in a batch (docs/approvals.md): the approval writes, each with its event, and the session's state they move:
/// a request makes the session <c>waiting</c>; the end of its last pending approval (answered, expired, withdrawn) moves
/// a session still <c>waiting</c> back to the state the approval kept. Decided here, for every store, from what the store
/// read (<see cref="ApprovalTargets"/>): the approvals the writes name, and per session only how many are pending, never
/// their rows, so a write costs the same however many wait.
/// </summary>
internal sealed partial class WriteBatch
{
    private readonly Dictionary<string, Approval> _approvals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Approval> _dirtyApprovals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PendingApprovals> _pending = new(StringComparer.Ordinal); // as the batch has changed them

    /// <summary>Approvals whose row must be written (the final version of each); upserted by id.</summary>
    public IReadOnlyCollection<Approval> DirtyApprovals => _dirtyApprovals.Values;

    /// <summary>
    /// What the store must read, inside its transaction, for a batch's approvals: the approvals with these ids (answers and
    /// ends) and how many of these sessions' approvals are pending (the cap on asking, whether an ending one is the
    /// session's last, and where a session already waiting goes back to), and of a <c>waiting</c> session (in
    /// <paramref name="current"/>) that a hook would move on, whether an approval keeps it waiting (<see cref="KeepsWaiting"/>).
    /// </summary>
    public static ApprovalTargets ApprovalTargets(IReadOnlyList<SessionWrite> writes, IReadOnlyDictionary<string, Session?>? current = null)
    {
        HashSet<string>? ids = null;
        HashSet<string>? sessions = null;
        foreach (var write in writes)
        {
            switch (write)
            {
                case RequestApproval r:
                    (sessions ??= new(StringComparer.Ordinal)).Add(r.SessionId); // the cap, and the state a session already waiting goes back to
                    break;
                case AnswerApproval a:
                    (ids ??= new(StringComparer.Ordinal)).Add(a.ApprovalId);
                    (sessions ??= new(StringComparer.Ordinal)).Add(a.SessionId);
                    break;
                case EndApproval e:
                    (ids ??= new(StringComparer.Ordinal)).Add(e.ApprovalId);
                    (sessions ??= new(StringComparer.Ordinal)).Add(e.SessionId);
                    break;
                case ApplyHook { Signal: HookSignal.Started or HookSignal.Working or HookSignal.Idle } h
                    when current?.GetValueOrDefault(h.SessionId) is { State: SessionState.Waiting }:
                    (sessions ??= new(StringComparer.Ordinal)).Add(h.SessionId); // only a waiting session's hooks pay for the count
                    break;
            }
        }

        return new(ids is null ? [] : [.. ids], sessions is null ? [] : [.. sessions]);
    }

    /// <summary>The session an approval write is about, so the store reads and locks its row.</summary>
    private static string? ApprovalSessionId(SessionWrite write) => write switch
    {
        RequestApproval r => r.SessionId,
        AnswerApproval a => a.SessionId,
        EndApproval e => e.SessionId,
        _ => null,
    };

    private static bool IsApprovalWrite(SessionWrite write) => write is RequestApproval or AnswerApproval or EndApproval;

    /// <summary>
    /// A hook that would move a <c>waiting</c> session on while an approval of it is pending only says the agent was heard
    /// from: the session waits until its last pending approval ends, then goes back to the state that approval kept.
    /// </summary>
    private SessionWrite KeepsWaiting(SessionWrite write, Session? current) =>
        write is ApplyHook { Signal: HookSignal.Started or HookSignal.Working or HookSignal.Idle } h && current is { State: SessionState.Waiting }
            && _pending.GetValueOrDefault(current.Id).Count > 0
            ? h with { Signal = HookSignal.Heard }
            : write;

    /// <summary>
    /// The sessions this batch ended, or whose agent said it ends (a hook's end that waits out its grace): nobody will read
    /// an answer for them, so their pending approvals are withdrawn in the same commit (<see cref="WithdrawEnded"/>).
    /// </summary>
    public IReadOnlyCollection<string> EndedSessions(IReadOnlyList<SessionWrite> writes)
    {
        HashSet<string>? ended = null;
        foreach (var e in Events)
        {
            if (e.Type == Switchboard.Events.EventTypes.SessionTerminated && e.SessionId is { } id)
            {
                (ended ??= new(StringComparer.Ordinal)).Add(id);
            }
        }

        for (var i = 0; i < writes.Count && i < Results.Length; i++)
        {
            if (writes[i] is ApplyHook { Signal: HookSignal.End } && Results[i] is { Error: null, Session: { } session })
            {
                (ended ??= new(StringComparer.Ordinal)).Add(session.Id);
            }
        }

        return (IReadOnlyCollection<string>?)ended ?? [];
    }

    /// <summary>
    /// Withdraws (reason <c>session_ended</c>) the pending approvals of the sessions <see cref="EndedSessions"/> named:
    /// <paramref name="stored"/> as the store read them (in the order asked), and any this batch raised. Their events follow
    /// the end's; a hook held for one is woken by its event and answered with no decision.
    /// </summary>
    public void WithdrawEnded(IReadOnlyCollection<string> ended, IReadOnlyList<Approval> stored, DateTimeOffset now)
    {
        var raisedHere = _approvals.Values.Where(a => a.IsPending && ended.Contains(a.SessionId) && stored.All(s => s.Id != a.Id)).ToList();
        foreach (var group in stored.Concat(raisedHere).GroupBy(a => a.SessionId, StringComparer.Ordinal))
        {
            var first = group.First();
            _pending.TryAdd(group.Key, new PendingApprovals(group.Count(), first.ResumeState));
            foreach (var a in group)
            {
                if (_approvals.TryGetValue(a.Id, out var known) && !known.IsPending)
                {
                    continue; // this batch already ended it
                }

                _approvals[a.Id] = a;
                ApplyApproval(new EndApproval(a.SessionId, a.Id) { Withdraw = true, Reason = ApprovalEndReasons.SessionEnded }, now);
            }
        }
    }

    private void RememberApprovals(ApprovalRows? rows)
    {
        if (rows is null)
        {
            return;
        }

        foreach (var a in rows.Targeted)
        {
            _approvals[a.Id] = a;
        }

        foreach (var (sessionId, pending) in rows.Pending)
        {
            _pending[sessionId] = pending;
        }
    }

    private WriteResult ApplyApproval(SessionWrite write, DateTimeOffset now)
    {
        var sessionId = ApprovalSessionId(write)!;
        var session = _sessions.GetValueOrDefault(sessionId);
        if (session is null)
        {
            return new WriteResult(SwitchboardError.SessionNotFound(sessionId), null, null);
        }

        var pending = _pending.GetValueOrDefault(sessionId);
        var decision = write switch
        {
            RequestApproval r => ApprovalWriteProcessor.Request(r, session, now, pending.Count, pending.Count > 0 ? pending.ResumeState : null),
            AnswerApproval a => ApprovalWriteProcessor.Answer(a, _approvals.GetValueOrDefault(a.ApprovalId), now),
            EndApproval e => ApprovalWriteProcessor.End(e, _approvals.GetValueOrDefault(e.ApprovalId), now),
            _ => throw new ArgumentOutOfRangeException(nameof(write), write.GetType().Name, "Not an approval write."),
        };
        if (decision.Error is { } error)
        {
            return new WriteResult(error, null, null);
        }

        if (decision is not { Approval: { } approval, EventType: { } type })
        {
            return new WriteResult(null, session, null) { Approval = decision.Approval };
        }

        var seq = Head.HeadSeq + 1;
        if (type == Switchboard.Events.EventTypes.ApprovalRequested)
        {
            approval = approval with { RequestedSeq = seq };
        }

        var appended = new Switchboard.Events.EventRecord(seq, type, sessionId, now, ApprovalJson.EventData(approval)) { Labels = session.Labels };
        Events.Add(appended);
        Head = Head with { HeadSeq = seq };
        _approvals[approval.Id] = approval;
        _dirtyApprovals[approval.Id] = approval;

        // A request adds a pending approval, an answer or end takes one away (only pending ones move). The oldest pending
        // one's resume state stands for the session; once that one ends the others keep it, as they took it when asked.
        pending = approval.IsPending
            ? new PendingApprovals(pending.Count + 1, pending.Count == 0 ? approval.ResumeState : pending.ResumeState)
            : pending with { Count = Math.Max(0, pending.Count - 1) };
        _pending[sessionId] = pending;

        // The session's state follows: waiting while any approval of it is pending.
        SessionState? to = approval.IsPending
            ? session.State == SessionState.Waiting ? null : SessionState.Waiting
            : session.State == SessionState.Waiting && pending.Count == 0 ? approval.ResumeState : null;
        if (to is { } state && SessionStateMachine.IsAllowed(session.State, state))
        {
            var move = new UpdateSession(sessionId) { State = state };
            var moved = SessionWriteProcessor.Apply(move, session, new WriteContext(now, Head.ActiveCount, Head.FleetPaused));
            var result = Record(move, session, moved, now);
            session = result.Session ?? session;
        }

        return new WriteResult(null, session, appended) { Approval = approval };
    }
}

/// <summary>What a store reads for a batch's approvals (see <see cref="WriteBatch.ApprovalTargets"/>).</summary>
internal sealed record ApprovalTargets(IReadOnlyCollection<string> Ids, IReadOnlyCollection<string> Sessions)
{
    /// <summary>True when the batch needs no approval read.</summary>
    public bool IsEmpty => Ids.Count == 0 && Sessions.Count == 0;
}

/// <summary>
/// What a store read for <see cref="ApprovalTargets"/>: the approvals with its ids, and for each of its sessions that has
/// pending approvals how many (a session with none is absent).
/// </summary>
internal sealed record ApprovalRows(IReadOnlyList<Approval> Targeted, IReadOnlyDictionary<string, PendingApprovals> Pending);

/// <summary>How many of a session's approvals are pending, and where the oldest of them sends the session back to.</summary>
internal readonly record struct PendingApprovals(int Count, SessionState ResumeState);
