using System.Text;
using Switchboard.Approvals;
using Switchboard.Errors;
using Switchboard.Events;
using Switchboard.Sessions;

namespace Switchboard.Writes;

/// <summary>
/// What an approval write does, given the session and the approval it targets, read inside the store's transaction. Pure,
/// like <see cref="CommandWriteProcessor"/>: a refusal changes nothing; an acceptance is the approval after the write and
/// the event that reports it.
/// </summary>
internal static class ApprovalWriteProcessor
{
    /// <summary>
    /// A new pending approval, or why not. <paramref name="pending"/> is how many of the session's approvals are pending
    /// now; at <see cref="RequestApproval.MaxPending"/> the ask is refused until some end. <paramref name="pendingResume"/>
    /// is where the session goes back to according to an approval of it already pending (it is waiting for that one, not
    /// waiting by nature).
    /// </summary>
    public static ApprovalDecision Request(RequestApproval write, Session? session, DateTimeOffset now, int pending = 0, SessionState? pendingResume = null)
    {
        if (session is null)
        {
            return ApprovalDecision.Refuse(SwitchboardError.SessionNotFound(write.SessionId));
        }

        if (session.State is SessionState.Terminating or SessionState.Terminated)
        {
            return ApprovalDecision.Refuse(new(ErrorKind.Conflict, "session_ending",
                $"Session '{session.Id}' is {session.State.ToWire()}; nobody can be asked on its behalf any more."));
        }

        if (pending >= write.MaxPending)
        {
            return ApprovalDecision.Refuse(new(ErrorKind.TooMany, "too_many_approvals",
                $"Session '{session.Id}' already has {pending} pending approvals, the most one session may have ({ApprovalLimits.MaxPendingSetting} = {write.MaxPending}). " +
                "Ask again once a person has answered some, or they have expired."));
        }

        // A paused session stays paused after the answer: the pause is the operator's, and only a resume ends it.
        var resume = session.State == SessionState.Paused ? SessionState.Paused : write.ResumeState ?? pendingResume ?? session.State switch
        {
            SessionState.Initializing or SessionState.Waiting => SessionState.Working,
            var s => s,
        };
        var approval = new Approval
        {
            Id = write.Id,
            SessionId = write.SessionId,
            Tool = write.Tool,
            Summary = write.Summary,
            Data = write.Data,
            RequestedAt = now,
            RequestedBy = write.RequestedBy,
            RequestedKey = write.RequestedKey,
            ExpiresAt = now + (write.ExpiresAfter ?? TimeSpan.FromSeconds(write.ExpiresInSeconds)),
            ResumeState = resume,
            HeldBy = write.HeldBy,
        };
        return ApprovalDecision.Moved(approval, EventTypes.ApprovalRequested);
    }

    /// <summary>
    /// An operator's decision. The same decision again changes nothing and answers the same (a retried click); any answer
    /// to an approval no longer pending is a conflict.
    /// </summary>
    public static ApprovalDecision Answer(AnswerApproval write, Approval? target, DateTimeOffset now)
    {
        if (Find(write.SessionId, write.ApprovalId, target) is { } refused)
        {
            return refused;
        }

        var a = target!;
        if (!write.AllowSelfAnswer && a.RequestedKey is { } asker && asker == write.AnsweredByKey)
        {
            // An agent's key that could answer its own request would make the approval no control at all (issue 56).
            return ApprovalDecision.Refuse(new(ErrorKind.Forbidden, "self_answer",
                $"Approval '{a.Id}' was asked for with the API key {asker}, and the key that asks may not answer. Answer with another " +
                $"operator's key, or set {ApprovalLimits.AllowSelfAnswerSetting}=true to allow it."));
        }

        var state = write.Allow ? ApprovalState.Allowed : ApprovalState.Denied;
        if (a.State == state && a.AnsweredBy == write.AnsweredBy && a.Note == write.Note)
        {
            return ApprovalDecision.Unchanged(a);
        }

        if (a.State == ApprovalState.Withdrawn)
        {
            return ApprovalDecision.Refuse(NotHeld(a));
        }

        if (!a.IsPending)
        {
            return ApprovalDecision.Refuse(new(ErrorKind.Conflict, "approval_not_pending",
                $"Approval '{a.Id}' is already {a.State.ToWire()}{(a.AnsweredBy is null ? "" : " (by " + a.AnsweredBy + ")")}; an approval is answered once, while it is pending."));
        }

        if (a.ExpiresAt <= now)
        {
            return ApprovalDecision.Refuse(new(ErrorKind.Conflict, "approval_not_pending",
                $"Approval '{a.Id}' expired at {FormatTime(a.ExpiresAt)}; its asker no longer waits for an answer."));
        }

        var answered = a with { State = state, AnsweredAt = now, AnsweredBy = write.AnsweredBy, Note = write.Note };
        return ApprovalDecision.Moved(answered, EventTypes.ApprovalAnswered);
    }

    /// <summary>Expires (past its expiry) or withdraws a pending approval; anything else changes nothing.</summary>
    public static ApprovalDecision End(EndApproval write, Approval? target, DateTimeOffset now)
    {
        if (target is not { IsPending: true } a || a.SessionId != write.SessionId || (!write.Withdraw && a.ExpiresAt > now))
        {
            return ApprovalDecision.Unchanged(target);
        }

        return write.Withdraw
            ? ApprovalDecision.Moved(a with { State = ApprovalState.Withdrawn, AnsweredAt = now, Reason = write.Reason ?? ApprovalEndReasons.AgentGone },
                EventTypes.ApprovalWithdrawn)
            : ApprovalDecision.Moved(a with { State = ApprovalState.Expired, AnsweredAt = now, Reason = ApprovalEndReasons.Expired }, EventTypes.ApprovalExpired);
    }

    /// <summary>
    /// The 409 for an answer to an approval nobody holds any more: the request that asked is gone (its agent, its node or
    /// its session), so the answer would reach nobody; it is refused rather than recorded as if it had.
    /// </summary>
    public static SwitchboardError NotHeld(Approval a) => new(ErrorKind.Conflict, "approval_not_held",
        $"Approval '{a.Id}' was withdrawn at {FormatTime(a.AnsweredAt ?? a.RequestedAt)} ({WithdrawnBecause(a.Reason)}); nobody waits for its answer, " +
        "so it was not recorded. If the agent asks again, answer the new approval.");

    private static string WithdrawnBecause(string? reason) => reason switch
    {
        ApprovalEndReasons.NodeStopping => "the node holding the agent's request stopped",
        ApprovalEndReasons.HolderGone => "the node holding the agent's request is gone",
        ApprovalEndReasons.SessionEnded => "its session ended",
        ApprovalEndReasons.Cancelled => "a cancel command stopped the agent",
        ApprovalEndReasons.NotHeld => "the node could not hold the agent's request",
        _ => "the agent stopped waiting",
    };

    /// <summary>The first rule an approval write breaks before it reaches the store, or null.</summary>
    public static SwitchboardError? Validate(SessionWrite write) => write switch
    {
        RequestApproval r => SessionIdRule(r.SessionId) ?? IdRule(r.Id) ?? Request(r.Tool, r.Summary, r.Data, r.ExpiresInSeconds),
        AnswerApproval a => SessionIdRule(a.SessionId) ?? IdRule(a.ApprovalId) ?? Note(a.Note),
        EndApproval e => SessionIdRule(e.SessionId) ?? IdRule(e.ApprovalId),
        _ => throw new ArgumentOutOfRangeException(nameof(write), write.GetType().Name, "Not an approval write."),
    };

    /// <summary>The rules of a request's fields.</summary>
    public static SwitchboardError? Request(string? tool, string? summary, string? data, int expiresInSeconds)
    {
        if (string.IsNullOrWhiteSpace(summary))
        {
            return SwitchboardError.InvalidField("summary", "'summary' is required: what the person is asked to approve (the command, the path, the question).");
        }

        if (summary.Length > ApprovalLimits.MaxSummaryLength)
        {
            return SwitchboardError.InvalidField("summary", $"'summary' is {summary.Length} characters long; at most {ApprovalLimits.MaxSummaryLength} are allowed.");
        }

        if (tool is not null && tool.Length > ApprovalLimits.MaxToolLength)
        {
            return SwitchboardError.InvalidField("tool", $"'tool' is {tool.Length} characters long; at most {ApprovalLimits.MaxToolLength} are allowed.");
        }

        if (data is not null && Encoding.UTF8.GetByteCount(data) is var bytes && bytes > ApprovalLimits.MaxDataBytes)
        {
            return SwitchboardError.InvalidField("data", $"'data' is {bytes} bytes of JSON; at most {ApprovalLimits.MaxDataBytes} (16 KiB) are allowed.");
        }

        return expiresInSeconds is < ApprovalLimits.MinExpirySeconds or > ApprovalLimits.MaxExpirySeconds
            ? SwitchboardError.InvalidField("expires_in_seconds",
                $"'expires_in_seconds' must be from {ApprovalLimits.MinExpirySeconds} to {ApprovalLimits.MaxExpirySeconds} (one day); got {expiresInSeconds}.")
            : null;
    }

    /// <summary>The rule of an answer's note.</summary>
    public static SwitchboardError? Note(string? note) => note is not null && note.Length > ApprovalLimits.MaxNoteLength
        ? SwitchboardError.InvalidField("note", $"'note' is {note.Length} characters long; at most {ApprovalLimits.MaxNoteLength} are allowed.")
        : null;

    /// <summary>True when <paramref name="id"/> could be an approval id (what a path may name).</summary>
    public static bool IsValidId(string? id) => Commands.CommandValidator.IsValidId(id);

    /// <summary>A 404 for an approval id the session does not have.</summary>
    public static SwitchboardError NotFound(string sessionId, string approvalId) =>
        new(ErrorKind.NotFound, "approval_not_found", $"Approval '{approvalId}' does not exist (session '{sessionId}').");

    private static ApprovalDecision? Find(string sessionId, string approvalId, Approval? target) =>
        target is null || target.SessionId != sessionId ? ApprovalDecision.Refuse(NotFound(sessionId, approvalId)) : null;

    private static SwitchboardError? SessionIdRule(string id) => SessionId.IsValid(id)
        ? null
        : SwitchboardError.InvalidField("id", $"'id' must be {SessionId.Rule}.");

    private static SwitchboardError? IdRule(string id) => IsValidId(id)
        ? null
        : SwitchboardError.InvalidField("approval_id", $"An approval id is 1–{Commands.CommandLimits.MaxIdLength} characters from [A-Za-z0-9._:-].");

    private static string FormatTime(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>What <see cref="ApprovalWriteProcessor"/> decided: a refusal, or the approval after the write and the event to append (none: unchanged).</summary>
internal sealed record ApprovalDecision(SwitchboardError? Error, Approval? Approval, string? EventType)
{
    public static ApprovalDecision Refuse(SwitchboardError error) => new(error, null, null);

    public static ApprovalDecision Unchanged(Approval? approval) => new(null, approval, null);

    public static ApprovalDecision Moved(Approval after, string type) => new(null, after, type);
}
