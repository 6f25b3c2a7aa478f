using Switchboard.Core.Hosting;

namespace Switchboard.Core.Writes;

/// <summary>
/// Asks a person to approve something a session's producer is about to do. The id is chosen by the caller; the request
/// time and expiry are the store's clock at commit (<paramref name="ExpiresInSeconds"/> from then). The session becomes
/// <c>waiting</c>; <paramref name="ResumeState"/> is where it goes back to once its last pending approval ends (null: the
/// state it was in when asked).
/// </summary>
internal sealed record RequestApproval(string Id, string SessionId, string? Tool, string Summary, string? Data, int ExpiresInSeconds, string RequestedBy)
    : RequestWrite(SessionId)
{
    public override IReadOnlyList<string> RequestIds => [];

    public Switchboard.Core.Sessions.SessionState? ResumeState { get; init; }

    /// <summary>The name of the API key that asks (null without keys): that key may not answer it.</summary>
    public string? RequestedKey { get; init; }

    /// <summary>The node holding the asking hook (<see cref="Switchboard.Core.Approvals.Approval.HeldBy"/>); null when nobody holds it.</summary>
    public string? HeldBy { get; init; }

    /// <summary>What a hook's approval carries beyond its summary (kind, input, questions, plan, suggestions, folder); none over the API.</summary>
    public Switchboard.Core.Approvals.ApprovalContext Context { get; init; } = Switchboard.Core.Approvals.ApprovalContext.None;

    /// <summary>The exact time to expiry, when it is not whole seconds (a hook's <c>ApprovalWait</c>); else <paramref name="ExpiresInSeconds"/>.</summary>
    public TimeSpan? ExpiresAfter { get; init; }

    /// <summary>
    /// The most approvals the session may have pending (<c>Switchboard:Approvals:MaxPendingPerSession</c>); at it the ask
    /// is refused. It travels with the write because the store's transaction, which counts them, decides; set by the
    /// server from its options, the default otherwise.
    /// </summary>
    internal int MaxPending { get; init; } = SwitchboardDefaults.ApprovalMaxPendingPerSession;
}

/// <summary>
/// An operator's answer to a pending approval: allow (with <see cref="Suggestion"/>, "allow always"), deny (with
/// <see cref="Interrupt"/>, "and stop"), or, for a question, <see cref="Answers"/> (an allow with the answers).
/// </summary>
internal sealed record AnswerApproval(string SessionId, string ApprovalId, bool Allow, string? Note, string AnsweredBy) : RequestWrite(SessionId)
{
    public override IReadOnlyList<string> RequestIds => [ApprovalId];

    /// <summary>A question's answers (question text → label(s) or free text): the decision <c>answer</c>; only with <see cref="Allow"/>.</summary>
    public IReadOnlyDictionary<string, string>? Answers { get; init; }

    /// <summary>A deny that also stops the agent; only without <see cref="Allow"/>.</summary>
    public bool Interrupt { get; init; }

    /// <summary>The index of the approval's suggestion to apply with an allow; null for none.</summary>
    public int? Suggestion { get; init; }

    /// <summary>The name of the API key that answers (null without keys), compared with the one that asked.</summary>
    public string? AnsweredByKey { get; init; }

    /// <summary>
    /// Whether the key that asked may answer (<c>Switchboard:Approvals:AllowSelfAnswer</c>). It travels with the write
    /// because the store's transaction, which reads the approval, decides; set by the server from its options.
    /// </summary>
    public bool AllowSelfAnswer { get; init; }
}

/// <summary>
/// Ends a pending approval nobody answered: expired once its expiry passed (the expiry job, or the node holding the hook
/// when its wait runs out), or withdrawn when <see cref="Withdraw"/> (the asker went away first). Anything else changes nothing.
/// </summary>
internal sealed record EndApproval(string SessionId, string ApprovalId) : RequestWrite(SessionId)
{
    public override IReadOnlyList<string> RequestIds => [ApprovalId];

    public bool Withdraw { get; init; }

    /// <summary>Why it ends without an answer (<see cref="Switchboard.Core.Approvals.Approval.Reason"/>): a code from <see cref="Switchboard.Core.Approvals.ApprovalEndReasons"/>.</summary>
    public string? Reason { get; init; }
}
