using Switchboard.Core.Approvals;
using Switchboard.Core.Errors;
using Switchboard.Core.Events;
using Switchboard.Core.Sessions;

namespace Switchboard.Core.Writes;

/// <summary>
/// Approvals in a write batch (docs/approvals.md): the approval writes, each with its event, and the session's state they
/// move: a request makes the session <c>waiting</c>; the end of its last pending approval (answered, expired, withdrawn)
/// moves a session still <c>waiting</c> back to the state the approval kept. Decided here, for every store, from what the
/// store read (<see cref="Targets"/>): the approvals the writes name, and per session only how many are pending, never
/// their rows, so a write costs the same however many wait.
/// </summary>
internal sealed class ApprovalLedger : RequestLedger<Approval>
{
    private readonly Dictionary<string, PendingApprovals> _pending = new(StringComparer.Ordinal); // as the batch has changed them

    protected override string CreatedEvent => EventTypes.ApprovalRequested;

    protected override Approval Stamp(Approval created, long seq) => created with { RequestedSeq = seq };

    protected override byte[] EventData(string type, Approval request) => ApprovalJson.EventData(request);

    /// <summary>
    /// What the store must read, inside its transaction, for a batch's approvals: the approvals with these ids (answers and
    /// ends) and how many of these sessions' approvals are pending (the cap on asking, whether an ending one is the
    /// session's last, and where a session already waiting goes back to), and of a <c>waiting</c> session (in
    /// <paramref name="current"/>) that a hook would move on, whether an approval keeps it waiting (<see cref="KeepsWaiting"/>).
    /// </summary>
    public static RequestTargets Targets(IReadOnlyList<SessionWrite> writes, IReadOnlyDictionary<string, Session?>? current = null)
    {
        var targets = new RequestTargets.Builder();
        foreach (var write in writes)
        {
            switch (write)
            {
                case RequestApproval or AnswerApproval or EndApproval:
                    // The cap, and the state a session already waiting goes back to; an answer or end names its approval too.
                    targets.Requests(((RequestWrite)write).RequestIds);
                    targets.Session(((RequestWrite)write).SessionId);
                    break;
                case ApplyHook { Signal: HookSignal.Started or HookSignal.Working or HookSignal.Idle } h
                    when current?.GetValueOrDefault(h.SessionId) is { State: SessionState.Waiting }:
                    targets.Session(h.SessionId); // only a waiting session's hooks pay for the count
                    break;
                case ApplyHook { AsksInTerminal: true } h:
                    targets.Session(h.SessionId); // whether a held hook makes the prompt answerable
                    break;
            }
        }

        return targets.Build();
    }

    /// <summary>True for the writes this ledger applies.</summary>
    public static bool Applies(SessionWrite write) => write is RequestApproval or AnswerApproval or EndApproval;

    /// <summary>Takes what the store read for <see cref="Targets"/>.</summary>
    public void Remember(ApprovalRows? rows)
    {
        if (rows is null)
        {
            return;
        }

        foreach (var a in rows.Targeted)
        {
            Book.Remember(a);
        }

        foreach (var (sessionId, pending) in rows.Pending)
        {
            _pending[sessionId] = pending;
        }
    }

    /// <summary>
    /// A hook that would move a <c>waiting</c> session on while an approval of it is pending only says the agent was heard
    /// from: the session waits until its last pending approval ends, then goes back to the state that approval kept.
    /// </summary>
    public SessionWrite KeepsWaiting(SessionWrite write, Session? current) =>
        write is ApplyHook { Signal: HookSignal.Started or HookSignal.Working or HookSignal.Idle } h && current is { State: SessionState.Waiting }
            && _pending.GetValueOrDefault(current.Id).Count > 0
            ? h with { Signal = HookSignal.Heard }
            : write;

    /// <summary>
    /// A prompt in the agent's terminal: with an approval of the session pending, Switchboard holds the hook that asked and
    /// an operator can answer, so the activity stays the tool's; with none, the activity says where a person must answer.
    /// </summary>
    public SessionWrite AsksInTerminal(SessionWrite write, Session? current)
    {
        if (write is not ApplyHook { AsksInTerminal: true } h)
        {
            return write;
        }

        if (_pending.GetValueOrDefault(h.SessionId).Count > 0)
        {
            return h with { AsksInTerminal = false };
        }

        var labels = current?.Labels ?? h.Labels;
        return h with { AsksInTerminal = false, Activity = new(ApplyHook.TerminalActivity(labels.GetValueOrDefault(ApplyHook.HostLabel), h.Folder)) };
    }

    /// <summary>
    /// The sessions a batch ended, or whose agent said it ends (a hook's end that waits out its grace): nobody will read
    /// an answer for them, so their pending approvals are withdrawn in the same commit (<see cref="WithdrawEnded"/>).
    /// </summary>
    public static IReadOnlyCollection<string> EndedSessions(IReadOnlyList<EventRecord> events, IReadOnlyList<SessionWrite> writes, WriteResult[] results)
    {
        HashSet<string>? ended = null;
        foreach (var e in events)
        {
            if (e.Type == EventTypes.SessionTerminated && e.SessionId is { } id)
            {
                (ended ??= new(StringComparer.Ordinal)).Add(id);
            }
        }

        for (var i = 0; i < writes.Count && i < results.Length; i++)
        {
            if (writes[i] is ApplyHook { Signal: HookSignal.End } && results[i] is { Error: null, Session: { } session })
            {
                (ended ??= new(StringComparer.Ordinal)).Add(session.Id);
            }
        }

        return (IReadOnlyCollection<string>?)ended ?? [];
    }

    /// <summary>
    /// Withdraws (reason <c>session_ended</c>) the pending approvals of the <paramref name="ended"/> sessions:
    /// <paramref name="stored"/> as the store read them (in the order asked), and any this batch raised. Their events follow
    /// the end's; a hook held for one is woken by its event and answered with no decision.
    /// </summary>
    public void WithdrawEnded(IRequestLog log, IReadOnlyCollection<string> ended, IReadOnlyList<Approval> stored, DateTimeOffset now)
    {
        var raisedHere = Book.All.Where(a => a.IsPending && ended.Contains(a.SessionId) && stored.All(s => s.Id != a.Id)).ToList();
        foreach (var group in stored.Concat(raisedHere).GroupBy(a => a.SessionId, StringComparer.Ordinal))
        {
            var first = group.First();
            _pending.TryAdd(group.Key, new PendingApprovals(group.Count(), first.ResumeState));
            foreach (var a in group)
            {
                if (Book.Get(a.Id) is { IsPending: false })
                {
                    continue; // this batch already ended it
                }

                Book.Remember(a);
                Apply(log, new EndApproval(a.SessionId, a.Id) { Withdraw = true, Reason = ApprovalEndReasons.SessionEnded }, now);
            }
        }
    }

    public WriteResult Apply(IRequestLog log, SessionWrite write, DateTimeOffset now)
    {
        var sessionId = ((RequestWrite)write).SessionId;
        var session = log.Session(sessionId);
        if (session is null)
        {
            return new WriteResult(SwitchboardError.SessionNotFound(sessionId), null, null);
        }

        var pending = _pending.GetValueOrDefault(sessionId);
        var decision = write switch
        {
            RequestApproval r => ApprovalWriteProcessor.Request(r, session, now, pending.Count, pending.Count > 0 ? pending.ResumeState : null),
            AnswerApproval a => ApprovalWriteProcessor.Answer(a, Book.Get(a.ApprovalId), now),
            EndApproval e => ApprovalWriteProcessor.End(e, Book.Get(e.ApprovalId), now),
            _ => throw new ArgumentOutOfRangeException(nameof(write), write.GetType().Name, "Not an approval write."),
        };
        if (decision.Error is { } error)
        {
            return new WriteResult(error, null, null);
        }

        if (Record(log, decision, now) is not { } appended)
        {
            return new WriteResult(null, session, null) { Approval = decision.Request };
        }

        var approval = Current(decision)!;
        _pending[sessionId] = pending = pending.After(approval);

        // The session's state follows: waiting while any approval of it is pending.
        SessionState? to = approval.IsPending
            ? session.State == SessionState.Waiting ? null : SessionState.Waiting
            : session.State == SessionState.Waiting && pending.Count == 0 ? approval.ResumeState : null;
        if (to is { } state)
        {
            session = log.Move(session, state, now);
        }

        return new WriteResult(null, session, appended) { Approval = approval };
    }
}

/// <summary>
/// What a store read for <see cref="ApprovalLedger.Targets"/>: the approvals with its ids, and for each of its sessions
/// that has pending approvals how many (a session with none is absent).
/// </summary>
internal sealed record ApprovalRows(IReadOnlyList<Approval> Targeted, IReadOnlyDictionary<string, PendingApprovals> Pending);

/// <summary>How many of a session's approvals are pending, and where the oldest of them sends the session back to.</summary>
internal readonly record struct PendingApprovals(int Count, SessionState ResumeState)
{
    /// <summary>
    /// The count after <paramref name="approval"/> moved: a request adds a pending approval, an answer or end takes one away.
    /// The oldest pending one's resume state stands for the session; once that one ends the others keep it, as they took it when asked.
    /// </summary>
    public PendingApprovals After(Approval approval) => approval.IsPending
        ? new PendingApprovals(Count + 1, Count == 0 ? approval.ResumeState : ResumeState)
        : this with { Count = Math.Max(0, Count - 1) };
}
