using Switchboard.Core.Errors;
using Switchboard.Core.Events;
using Switchboard.Core.Sessions;
using Switchboard.Core.Trees;

namespace Switchboard.Core.Writes;

/// <summary>
/// Applies a validated write to the current session: the state machine, versions, leases and event data.
/// Pure: stores call it inside their transaction with the row they just read.
/// </summary>
internal static partial class SessionTransitions
{
    /// <summary>The reason recorded when a lease runs out.</summary>
    public const string LeaseExpiredReason = "lease_expired";

    /// <summary>The reason of the update that places a session made from telemetry under its parent (<see cref="AdoptSession"/>).</summary>
    public const string AdoptedReason = "adopted";

    /// <summary>Decides what <paramref name="write"/> does to <paramref name="current"/> (null when no row exists).</summary>
    public static WriteDecision Apply(SessionWrite write, Session? current, in WriteContext ctx) => write switch
    {
        CreateSession c => Create(c, current, ctx),
        UpdateSession u => Update(u, current, ctx),
        AddUsage a => Usage(a, current, ctx),
        Heartbeat h => Beat(h, current, ctx),
        TerminateSession t => Terminate(t, current, ctx),
        ExpireLease e => Expire(e, current, ctx),
        ApplyTelemetry t => Telemetry(t, current, ctx),
        ApplyHook h => Hook(h, current, ctx),
        SetFleetPaused f => f.Paused == ctx.FleetPaused
            ? new WriteDecision { FleetPaused = f.Paused }
            : new WriteDecision { FleetPaused = f.Paused, Event = new(EventTypes.FleetUpdated, null, ctx.Now, EventData.Fleet(f.Paused)) },
        RaiseAlert or ResolveAlert or AcknowledgeAlert => throw new ArgumentException("Alert writes are applied with the alert they target.", nameof(write)),
        IssueCommand or AcknowledgeCommand or WithdrawCommand or ExpireCommand or DeliverCommands =>
            throw new ArgumentException("Command writes are applied with the command they target.", nameof(write)),
        RequestApproval or AnswerApproval or EndApproval => throw new ArgumentException("Approval writes are applied with the approval they target.", nameof(write)),
        AdoptSession => throw new ArgumentException("An adoption is applied with the subtree it moves (WriteBatch).", nameof(write)),
        _ => throw new ArgumentOutOfRangeException(nameof(write), write.GetType().Name, "Unknown write."),
    };

    /// <summary>
    /// Decides what an alert write does, given the alert it targets: the open alert of its rule and subject for a raise
    /// or resolve, the alert with its id for an acknowledgement (null when there is none).
    /// </summary>
    public static WriteDecision ApplyAlert(SessionWrite write, Switchboard.Core.Alerts.Alert? target, DateTimeOffset now)
    {
        switch (write)
        {
            case RaiseAlert r:
                if (target is not null)
                {
                    return WriteDecision.Unchanged(null); // one open alert per rule and subject, whichever node raised it
                }

                var raised = r.Alert with { RaisedAt = now, ResolvedAt = null, ResolvedSeq = null, ResolveReason = null, AcknowledgedAt = null, AcknowledgedBy = null, Note = null };
                return AlertDecision(EventTypes.AlertRaised, raised, now);
            case ResolveAlert r:
                return target is null ? WriteDecision.Unchanged(null)
                    : AlertDecision(EventTypes.AlertResolved, target with { ResolvedAt = now, ResolveReason = r.Reason }, now);
            case AcknowledgeAlert a:
                if (target is null)
                {
                    return WriteDecision.Refuse(new(ErrorKind.NotFound, "alert_not_found",
                        $"Alert '{a.AlertId}' does not exist."));
                }

                return AlertDecision(EventTypes.AlertAcknowledged, target with { AcknowledgedAt = now, AcknowledgedBy = a.By, Note = a.Note }, now);
            default:
                throw new ArgumentOutOfRangeException(nameof(write), write.GetType().Name, "Not an alert write.");
        }
    }

    private static WriteDecision AlertDecision(string type, Switchboard.Core.Alerts.Alert alert, DateTimeOffset now) =>
        new() { Alert = alert, Event = new(type, alert.SessionId, now, []) };

    /// <summary>The session id a write targets; null for fleet writes.</summary>
    public static string? TargetId(SessionWrite write) => write switch
    {
        CreateSession c => c.Id ?? throw new ArgumentException("Assign an id before the write reaches the store.", nameof(write)),
        UpdateSession u => u.SessionId,
        AddUsage a => a.SessionId,
        Heartbeat h => h.SessionId,
        TerminateSession t => t.SessionId,
        ExpireLease e => e.SessionId,
        ApplyTelemetry t => t.SessionId,
        ApplyHook h => h.SessionId,
        AdoptSession a => a.SessionId,
        WriteSessionStream s => s.SessionId,
        _ => null,
    };

    private static WriteDecision Create(CreateSession c, Session? current, in WriteContext ctx)
    {
        if (current is not null)
        {
            return WriteDecision.Refuse(new(ErrorKind.Conflict, "session_exists",
                $"Session '{current.Id}' already exists (state '{current.State.ToWire()}'). Update it instead, or create a session with another id.", "id"));
        }

        var parent = ctx.Parent;
        if (c.ParentId is { } parentId)
        {
            if (parent is null || parent.Id != parentId)
            {
                return WriteDecision.Refuse(TreeErrors.ParentNotFound(parentId));
            }

            if (parent.State == SessionState.Terminated)
            {
                return WriteDecision.Refuse(TreeErrors.ParentTerminated(parent));
            }

            if (parent.Depth >= c.MaxTreeDepth)
            {
                return WriteDecision.Refuse(TreeErrors.TooDeep(parent, c.MaxTreeDepth));
            }

            if (!TreePath.Fits(parent, c.Id!))
            {
                return WriteDecision.Refuse(TreeErrors.PathTooLong(parent, c.Id!));
            }
        }
        else
        {
            parent = null;
        }

        var session = new Session
        {
            Id = c.Id!,
            Name = c.Name,
            State = c.State,
            Labels = c.Labels ?? Session.EmptyLabels,
            Metadata = c.Metadata ?? "{}",
            ErrorMessage = c.ErrorMessage,
            InputTokens = c.InputTokens,
            OutputTokens = c.OutputTokens,
            CostUsd = c.CostUsd,
            LeaseSeconds = c.LeaseSeconds,
            LeaseExpiresAt = LeaseDeadline(c.LeaseSeconds, ctx.Now),
            AcceptsCommands = c.AcceptsCommands,
            Activity = c.Activity,
            CreatedAt = ctx.Now,
            UpdatedAt = ctx.Now,
            Version = 1,
            ParentId = parent?.Id,
            RootId = parent?.RootId ?? c.Id!,
            Depth = parent is null ? 0 : parent.Depth + 1,
            TreePath = TreePath.Of(c.Id!, parent),
            Continues = c.Continues,
            UsageFrom = c.UsageFrom,
        };
        session = c.ApplyPlainFields(session);
        var delta = SubtreeMath.Own(session);
        session = session with { Subtree = delta };
        var data = EventData.Created(session, ctx.ActiveCount + 1, delta);
        return new WriteDecision
        {
            Session = session,
            PersistSession = true,
            IsNew = true,
            ActiveDelta = 1,
            Delta = delta,
            Event = new(EventTypes.SessionCreated, session.Id, ctx.Now, data),
        };
    }

    private static WriteDecision Update(UpdateSession u, Session? current, in WriteContext ctx)
    {
        if (Precheck(u.SessionId, current, u.ExpectedVersion) is { } refused)
        {
            return refused;
        }

        var to = u.State ?? current!.State;
        if (!SessionStateMachine.IsAllowed(current!.State, to))
        {
            return WriteDecision.Refuse(ForbiddenTransition(current, to));
        }

        var leaving = current.State == SessionState.Error && to != SessionState.Error;
        var next = current with
        {
            State = to,
            Name = u.Name.HasValue ? u.Name.Value : current.Name,
            Labels = u.Labels ?? current.Labels,
            Metadata = u.Metadata ?? current.Metadata,
            ErrorMessage = u.ErrorMessage.HasValue ? u.ErrorMessage.Value : leaving ? null : current.ErrorMessage,
            LeaseSeconds = u.LeaseSeconds.HasValue ? u.LeaseSeconds.Value : current.LeaseSeconds,
        };
        next = u.ApplyPlainFields(next);

        if (current.State == SessionState.Terminated)
        {
            return SessionChanges.Differ(current, next)
                ? WriteDecision.Refuse(TerminatedIsFinal(current, "changed"))
                : WriteDecision.Unchanged(current);
        }

        if (to == SessionState.Terminated)
        {
            return Finish(current, next, "terminated", ctx);
        }

        return Changed(current, next, reason: null, ctx);
    }

    private static WriteDecision Usage(AddUsage a, Session? current, in WriteContext ctx)
    {
        if (Precheck(a.SessionId, current, expectedVersion: null) is { } refused)
        {
            return refused;
        }

        if (current!.State == SessionState.Terminated)
        {
            return WriteDecision.Refuse(TerminatedIsFinal(current, "given more usage"));
        }

        long input, output;
        try
        {
            input = checked(current.InputTokens + a.InputTokens);
            output = checked(current.OutputTokens + a.OutputTokens);
            _ = checked(input + output);
        }
        catch (OverflowException)
        {
            return WriteDecision.Refuse(SwitchboardError.InvalidField("input_tokens", "The increment would overflow the session's 64-bit token counters."));
        }

        var next = current with { InputTokens = input, OutputTokens = output, CostUsd = current.CostUsd + a.CostUsd };
        return Changed(current, next, reason: null, ctx);
    }

    private static WriteDecision Beat(Heartbeat h, Session? current, in WriteContext ctx)
    {
        if (Precheck(h.SessionId, current, expectedVersion: null) is { } refused)
        {
            return refused;
        }

        if (current!.State == SessionState.Terminated)
        {
            return WriteDecision.Refuse(TerminatedIsFinal(current, "kept alive"));
        }

        return Changed(current, current, reason: null, ctx);
    }

    private static WriteDecision Terminate(TerminateSession t, Session? current, in WriteContext ctx)
    {
        if (Precheck(t.SessionId, current, t.ExpectedVersion) is { } refused)
        {
            return refused;
        }

        // Terminating a terminated session sets the state it already has: not a transition, nothing to do.
        return current!.State == SessionState.Terminated
            ? WriteDecision.Unchanged(current)
            : Finish(current, current with { State = SessionState.Terminated }, t.Reason ?? "terminated", ctx);
    }

    private static WriteDecision Expire(ExpireLease e, Session? current, in WriteContext ctx)
    {
        // Re-checked inside the transaction: a heartbeat that landed first wins.
        if (current is null || current.LeaseExpiresAt is not { } deadline || deadline > ctx.Now
            || current.State is SessionState.Error or SessionState.Terminated)
        {
            return WriteDecision.Unchanged(current);
        }

        // `terminating` may only go to `terminated`: a producer that stopped while finishing ends its session.
        if (current.State == SessionState.Terminating)
        {
            return Finish(current, current, LeaseExpiredReason, ctx);
        }

        var next = current with { State = SessionState.Error, ErrorMessage = LeaseExpiredReason };
        var decision = Changed(current, next, LeaseExpiredReason, ctx);
        return decision with { Session = decision.Session! with { LeaseExpiresAt = null } };
    }

    private static DateTimeOffset? LeaseDeadline(int? seconds, DateTimeOffset now) =>
        seconds is { } s ? now.AddSeconds(s) : null;
}
