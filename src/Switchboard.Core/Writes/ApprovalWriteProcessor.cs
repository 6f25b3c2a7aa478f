using System.Text;
using Switchboard.Core.Approvals;
using Switchboard.Core.Errors;
using Switchboard.Core.Events;
using Switchboard.Core.Sessions;

namespace Switchboard.Core.Writes;

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
    public static RequestDecision<Approval> Request(RequestApproval write, Session? session, DateTimeOffset now, int pending = 0, SessionState? pendingResume = null)
    {
        if (RequestWriteProcessor.RefusesCreate(session, write.SessionId, "nobody can be asked on its behalf any more.", null, pending, write.MaxPending,
                s => new(ErrorKind.TooMany, "too_many_approvals",
                    $"Session '{s.Id}' already has {pending} pending approvals, the most one session may have ({ApprovalLimits.MaxPendingSetting} = {write.MaxPending}). " +
                    "Ask again once a person has answered some, or they have expired."), out var refused))
        {
            return RequestDecision<Approval>.Refuse(refused);
        }

        // A paused session stays paused after the answer: the pause is the operator's, and only a resume ends it.
        var resume = session.State == SessionState.Paused ? SessionState.Paused : write.ResumeState ?? pendingResume ?? session.State switch
        {
            SessionState.Initializing or SessionState.Waiting => SessionState.Working,
            var s => s,
        };
        var context = write.Context;
        var approval = new Approval
        {
            Id = write.Id,
            SessionId = write.SessionId,
            Kind = context.Kind,
            Tool = write.Tool,
            Summary = write.Summary,
            Data = write.Data,
            Input = context.Input,
            InputTruncated = context.InputTruncated,
            Questions = context.Questions,
            Plan = context.Plan,
            Suggestions = context.Suggestions,
            Cwd = context.Cwd,
            RequestedAt = now,
            RequestedBy = write.RequestedBy,
            RequestedKey = write.RequestedKey,
            ExpiresAt = now + (write.ExpiresAfter ?? TimeSpan.FromSeconds(write.ExpiresInSeconds)),
            ResumeState = resume,
            HeldBy = write.HeldBy,
        };
        return RequestDecision<Approval>.Moved(approval, EventTypes.ApprovalRequested);
    }

    /// <summary>
    /// An operator's decision. The same decision again changes nothing and answers the same (a retried click); any answer
    /// to an approval no longer pending is a conflict.
    /// </summary>
    public static RequestDecision<Approval> Answer(AnswerApproval write, Approval? target, DateTimeOffset now)
    {
        if (Find(write.SessionId, write.ApprovalId, target) is { } refused)
        {
            return refused;
        }

        var a = target!;
        if (!write.AllowSelfAnswer && a.RequestedKey is { } asker && asker == write.AnsweredByKey)
        {
            // An agent's key that could answer its own request would make the approval no control at all (issue 56).
            return RequestDecision<Approval>.Refuse(new(ErrorKind.Forbidden, "self_answer",
                $"Approval '{a.Id}' was asked for with the API key {asker}, and the key that asks may not answer. Answer with another " +
                $"operator's key, or set {ApprovalLimits.AllowSelfAnswerSetting}=true to allow it."));
        }

        if (ApprovalAnswerRules.Fits(write, a) is { } misfit)
        {
            return RequestDecision<Approval>.Refuse(misfit);
        }

        var state = write.Allow ? ApprovalState.Allowed : ApprovalState.Denied;
        if (a.State == state && a.AnsweredBy == write.AnsweredBy && a.Note == write.Note && ApprovalAnswerRules.SameAnswer(write, a))
        {
            return RequestDecision<Approval>.Unchanged(a);
        }

        if (a.State == ApprovalState.Withdrawn)
        {
            return RequestDecision<Approval>.Refuse(NotHeld(a));
        }

        if (!a.IsPending)
        {
            return RequestDecision<Approval>.Refuse(new(ErrorKind.Conflict, "approval_not_pending",
                $"Approval '{a.Id}' is already {a.State.ToWire()}{(a.AnsweredBy is null ? "" : " (by " + a.AnsweredBy + ")")}; an approval is answered once, while it is pending."));
        }

        if (a.ExpiresAt <= now)
        {
            return RequestDecision<Approval>.Refuse(new(ErrorKind.Conflict, "approval_not_pending",
                $"Approval '{a.Id}' expired at {FormatTime(a.ExpiresAt)}; its asker no longer waits for an answer."));
        }

        var answered = a with
        {
            State = state, AnsweredAt = now, AnsweredBy = write.AnsweredBy, Note = write.Note,
            Answers = write.Answers, Interrupt = write.Allow ? null : write.Interrupt, AppliedSuggestion = write.Suggestion,
        };
        return RequestDecision<Approval>.Moved(answered, EventTypes.ApprovalAnswered);
    }

    /// <summary>Expires (past its expiry) or withdraws a pending approval of the session the write names; anything else changes nothing.</summary>
    public static RequestDecision<Approval> End(EndApproval write, Approval? target, DateTimeOffset now)
    {
        if (target?.SessionId != write.SessionId)
        {
            return RequestDecision<Approval>.Unchanged(target);
        }

        if (!write.Withdraw)
        {
            return RequestWriteProcessor.Expire(target, now, a => a with { State = ApprovalState.Expired, AnsweredAt = now, Reason = ApprovalEndReasons.Expired },
                EventTypes.ApprovalExpired);
        }

        return target is { IsPending: true } a
            ? RequestDecision<Approval>.Moved(a with { State = ApprovalState.Withdrawn, AnsweredAt = now, Reason = write.Reason ?? ApprovalEndReasons.AgentGone },
                EventTypes.ApprovalWithdrawn)
            : RequestDecision<Approval>.Unchanged(target);
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
        AnswerApproval a => SessionIdRule(a.SessionId) ?? IdRule(a.ApprovalId) ?? Note(a.Note) ?? ApprovalAnswerRules.Shape(a),
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
    public static bool IsValidId(string? id) => Switchboard.Core.Commands.CommandValidator.IsValidId(id);

    /// <summary>A 404 for an approval id the session does not have.</summary>
    public static SwitchboardError NotFound(string sessionId, string approvalId) =>
        new(ErrorKind.NotFound, "approval_not_found", $"Approval '{approvalId}' does not exist (session '{sessionId}').");

    private static RequestDecision<Approval>? Find(string sessionId, string approvalId, Approval? target) =>
        RequestWriteProcessor.Find(target, sessionId, () => NotFound(sessionId, approvalId)) is { } refused ? RequestDecision<Approval>.Refuse(refused) : null;

    private static SwitchboardError? SessionIdRule(string id) => RequestWriteProcessor.SessionIdRule(id);

    private static SwitchboardError? IdRule(string id) => RequestWriteProcessor.IdRule(id, "approval_id", "An approval");

    private static string FormatTime(DateTimeOffset? at) => RequestWriteProcessor.FormatTime(at);
}

