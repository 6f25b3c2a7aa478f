using Switchboard.Core.Events;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;

namespace Switchboard.Core.Writes;

/// <summary>The head of the log as a write transaction sees it: the last seq, the active count and the fleet flag.</summary>
internal readonly record struct LogHead(long HeadSeq, long ActiveCount, bool FleetPaused);

/// <summary>
/// The part of <see cref="ISessionStore.WriteAsync"/> every store shares: apply a batch of writes in order to the
/// sessions it touches (read inside the store's transaction), assigning consecutive seqs to the events. The store
/// then persists <see cref="Dirty"/> rows, <see cref="Events"/> and <see cref="Head"/> in that same transaction.
/// </summary>
internal sealed partial class WriteBatch
{
    private readonly Dictionary<string, Session?> _sessions;
    private readonly HashSet<string> _existing;
    private readonly List<string> _dirty = []; // in the order first changed
    private readonly HashSet<string> _dirtyIds = new(StringComparer.Ordinal); // the same ids: a batch of thousands is not searched linearly
    private readonly Dictionary<AlertTarget, Switchboard.Core.Alerts.Alert?> _alerts = [];
    private readonly Dictionary<string, Switchboard.Core.Alerts.Alert> _dirtyAlerts = new(StringComparer.Ordinal);

    private WriteBatch(IReadOnlyDictionary<string, Session?> current, LogHead head)
    {
        _sessions = new Dictionary<string, Session?>(current, StringComparer.Ordinal);
        _existing = current.Where(kv => kv.Value is not null).Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
        Head = head;
        StartHead = head;
    }

    /// <summary>One result per write, in order.</summary>
    public WriteResult[] Results { get; private set; } = [];

    /// <summary>The appended events, in seq order.</summary>
    public List<EventRecord> Events { get; } = [];

    /// <summary>Each appended session event with the session before and after it and the active count after it, for usage rollups.</summary>
    public List<Switchboard.Core.UsageRollups.UsageChange> Changes { get; } = [];

    /// <summary>The log head after the batch.</summary>
    public LogHead Head { get; private set; }

    /// <summary>The log head before the batch.</summary>
    public LogHead StartHead { get; }

    /// <summary>Sessions whose row must be written (the final version of each), with whether the row is new.</summary>
    public IEnumerable<(Session Session, bool IsNew)> Dirty =>
        _dirty.Select(id => (Current(id)!, !_existing.Contains(id)));

    /// <summary>Alerts whose row must be written (the final version of each); upserted by id.</summary>
    public IEnumerable<Switchboard.Core.Alerts.Alert> DirtyAlerts => _dirtyAlerts.Values;

    /// <summary>True when the batch changed nothing the store must write.</summary>
    public bool IsEmpty => _dirty.Count == 0 && Events.Count == 0 && Head == StartHead && _dirtyAlerts.Count == 0 && DirtyCommands.Count == 0
        && DirtyApprovals.Count == 0;

    /// <summary>The alerts a batch's alert writes target, for the store to read inside its transaction.</summary>
    public static IReadOnlyCollection<AlertTarget> AlertTargets(IReadOnlyList<SessionWrite> writes)
    {
        HashSet<AlertTarget>? targets = null;
        foreach (var write in writes)
        {
            if (AlertTarget.Of(write) is { } target)
            {
                (targets ??= []).Add(target);
            }
        }

        return (IReadOnlyCollection<AlertTarget>?)targets ?? [];
    }

    /// <summary>
    /// The distinct session ids a batch touches, for the store to read (and lock) before applying it: each write's target
    /// and each create's or adoption's parent. Their ancestors and the subtrees of cascading terminates and adoptions are
    /// read with them (<see cref="UnitOfWork"/>).
    /// </summary>
    public static IReadOnlyCollection<string> TargetIds(IReadOnlyList<SessionWrite> writes) =>
        writes.Select(w => SessionTransitions.TargetId(w) ?? RequestSessionId(w)).Concat(writes.Select(w => w switch
        {
            CreateSession c => c.ParentId,
            AdoptSession a => a.ParentId,
            ApplyTelemetry { Links.ParentSessions: [var parent, ..] } => parent,
            ApplyHook { ParentId: { } parent } => parent,
            _ => null,
        }))
            .OfType<string>().Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Applies <paramref name="writes"/> to <paramref name="current"/> (every target id, null where no row exists).
    /// Later writes see earlier ones; a refused write leaves no trace.
    /// </summary>
    /// <param name="alerts">Every target of <see cref="AlertTargets"/>, with the alert the store holds (null where none).</param>
    /// <param name="commands">
    /// The commands of <see cref="CommandTargets"/>: those with its ids, and every outstanding command of its sessions.
    /// </param>
    /// <param name="cascades">What each cascading terminate of the batch ends in this commit (none: only its target).</param>
    /// <param name="streams">Applies a session stream write to the streams the transaction locked (needed when there are some).</param>
    /// <param name="approvals">What the store read for <see cref="ApprovalTargets"/> (ReadApprovalsAsync).</param>
    public static WriteBatch Apply(IReadOnlyList<SessionWrite> writes, IReadOnlyDictionary<string, Session?> current, LogHead head, DateTimeOffset now,
        IReadOnlyDictionary<AlertTarget, Switchboard.Core.Alerts.Alert?>? alerts = null, IEnumerable<Switchboard.Core.Commands.Command>? commands = null,
        IReadOnlyDictionary<string, CascadePlan>? cascades = null, Func<Switchboard.Core.Streams.StreamWrite, Switchboard.Core.Streams.StreamOutcome>? streams = null,
        ApprovalRows? approvals = null)
    {
        var batch = new WriteBatch(current, head) { _cascades = cascades, _streams = streams };
        batch._approvals.Remember(approvals);
        if (alerts is not null)
        {
            foreach (var (k, v) in alerts)
            {
                batch._alerts[k] = v;
            }
        }

        foreach (var c in commands ?? [])
        {
            batch._commands.Book.Remember(c);
        }

        batch.Results = new WriteResult[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            batch.Results[i] = batch.ApplyOne(writes[i], now);
        }

        return batch;
    }

    private WriteResult ApplyOne(SessionWrite write, DateTimeOffset now)
    {
        if (write is DecidedWrite decided)
        {
            return decided.Result;
        }

        if (write.Scope is { } scope && Hidden(write, scope) is { } hidden)
        {
            return hidden;
        }

        if (AlertTarget.Of(write) is { } target)
        {
            return ApplyAlert(write, target, now);
        }

        if (ApplyRequest(write, now) is { } request)
        {
            return request;
        }

        if (write is TerminateSession { Cascade: true } cascade)
        {
            return ApplyCascade(cascade, now);
        }

        if (write is AdoptSession adopt)
        {
            return ApplyAdopt(adopt, now);
        }

        if (write is WriteSessionStream stream)
        {
            return ApplyStream(stream, now);
        }

        var id = SessionTransitions.TargetId(write);
        var current = id is null ? null : Current(id);
        var parent = write switch
        {
            CreateSession { ParentId: { } parentId } => Current(parentId),
            ApplyTelemetry { Links.ParentSessions: [var parentId, ..] } => Current(parentId),
            ApplyHook { ParentId: { } parentId } => Current(parentId),
            _ => null,
        };
        if (write.Scope is { } within && parent is not null && !LabelScope.Carries(parent.Labels, within))
        {
            parent = null; // outside the key's scope it does not exist: telemetry starts a root (creates and hooks were refused: Refusal)
        }

        write = _approvals.AsksInTerminal(_approvals.KeepsWaiting(write, current), current);
        var decision = SessionTransitions.Apply(write, current, new WriteContext(now, Head.ActiveCount, Head.FleetPaused) { Parent = parent });
        return Record(write, current, decision, now);
    }

    /// <summary>Makes <paramref name="decision"/> part of the batch: rolls up its delta, appends its event, marks its row.</summary>
    private WriteResult Record(SessionWrite write, Session? current, WriteDecision decision, DateTimeOffset now)
    {
        if (decision.Error is { } error)
        {
            return new WriteResult(error, null, null);
        }

        if (decision is { Event: not null, Session: { } changed } && RollUp(changed, decision.Delta) is { } overflow)
        {
            return new WriteResult(overflow, null, null);
        }

        var session = decision.Session;
        var seq = Head.HeadSeq;
        EventRecord? appended = null;
        if (decision.Event is { } pending)
        {
            seq++;
            if (decision.IsNew)
            {
                session = session! with { CreatedSeq = seq };
            }

            appended = new EventRecord(seq, pending.Type, pending.SessionId, pending.At, pending.Data)
            {
                Session = session,
                Labels = session?.Labels,
                PriorLabels = current is not null && session is not null && !SessionChanges.LabelsEqual(current.Labels, session.Labels) ? current.Labels : null,
                TreePath = session?.TreePath,
                SubtreeDelta = session is null ? null : decision.Delta,
            };
            Events.Add(appended);
        }

        if (decision.PersistSession)
        {
            if (_dirtyIds.Add(session!.Id))
            {
                _dirty.Add(session.Id);
            }

            _sessions[session.Id] = session;
            Rolled(session);
        }

        Head = new LogHead(seq, Head.ActiveCount + decision.ActiveDelta, decision.FleetPaused ?? Head.FleetPaused);
        if (appended is not null && appended.SessionId is not null)
        {
            Changes.Add(new Switchboard.Core.UsageRollups.UsageChange(appended, current, session, Head.ActiveCount));
        }

        var result = new WriteResult(null, session, appended, decision.FleetPaused);
        return write.DeliversCommands && session is { State: not SessionState.Terminated }
            ? result with { Commands = _commands.HandOver(this, session, null, write.CommandPolicy, now, write.HandsOver) }
            : result;
    }

    private WriteResult ApplyAlert(SessionWrite write, AlertTarget target, DateTimeOffset now)
    {
        var decision = SessionTransitions.ApplyAlert(write, _alerts.GetValueOrDefault(target), now);
        if (decision.Error is { } error)
        {
            return new WriteResult(error, null, null);
        }

        if (decision.Alert is not { } alert || decision.Event is not { } pending)
        {
            return new WriteResult(null, null, null);
        }

        // A rule's action is decided before its alert is written, so a command it cannot issue is said on the alert.
        (IssueCommand Write, RequestDecision<Switchboard.Core.Commands.Command> Decision)? action = null;
        if (write is RaiseAlert { Action: { } rule } raise && alert.SessionId is { } subject)
        {
            action = _commands.ActionFor(this, alert, subject, raise, rule, now);
            if (action.Value.Decision.Error is { } refused)
            {
                alert = alert with { Message = CommandLedger.ActionSkippedMessage(alert, rule, refused, raise.CommandPolicy.MaxOutstanding) };
            }
        }

        var seq = Head.HeadSeq + 1;
        alert = pending.Type switch
        {
            EventTypes.AlertRaised => alert with { RaisedSeq = seq },
            EventTypes.AlertResolved => alert with { ResolvedSeq = seq },
            _ => alert,
        };
        var appended = new EventRecord(seq, pending.Type, pending.SessionId, pending.At, Switchboard.Core.Alerts.AlertJson.EventData(alert)) { Labels = alert.Labels };
        Events.Add(appended);
        Head = Head with { HeadSeq = seq };
        _dirtyAlerts[alert.Id] = alert;
        _alerts[AlertTarget.ById(alert.Id)] = alert;
        _alerts[AlertTarget.Open(alert.RuleId, alert.Subject)] = alert.IsOpen ? alert : null;
        Switchboard.Core.Commands.Command? issued = null;
        if (action is { Decision.Error: null } issue)
        {
            _commands.Record(this, issue.Decision, now);
            issued = _commands.Book.Get(issue.Write.Id);
        }

        return new WriteResult(null, null, appended) { Alert = alert, Command = issued, ActionSkipped = action?.Decision.Error };
    }
}

/// <summary>The alert an alert write targets: the open one of a rule and subject, or one by id.</summary>
internal readonly record struct AlertTarget(string? RuleId, string? Subject, string? AlertId)
{
    /// <summary>The open alert of <paramref name="ruleId"/> about <paramref name="subject"/>.</summary>
    public static AlertTarget Open(string ruleId, string subject) => new(ruleId, subject, null);

    /// <summary>The alert with <paramref name="id"/>, open or not.</summary>
    public static AlertTarget ById(string id) => new(null, null, id);

    /// <summary>The target of an alert write; null for any other write.</summary>
    public static AlertTarget? Of(SessionWrite write) => write switch
    {
        RaiseAlert r => Open(r.Alert.RuleId, r.Alert.Subject),
        ResolveAlert r => Open(r.RuleId, r.Subject),
        AcknowledgeAlert a => ById(a.AlertId),
        _ => null,
    };
}
