namespace Switchboard.Core.Approvals;

/// <summary>Where an approval is in its life: pending → allowed, denied, expired or withdrawn (each final).</summary>
internal enum ApprovalState
{
    /// <summary>Asked; nobody has answered yet.</summary>
    Pending,
    /// <summary>A person allowed it.</summary>
    Allowed,
    /// <summary>A person denied it.</summary>
    Denied,
    /// <summary>Nobody answered before its expiry; the asker follows its own rules.</summary>
    Expired,
    /// <summary>The asker went away before an answer (a hook whose agent stopped waiting).</summary>
    Withdrawn,
}

/// <summary>
/// A question to a person: may this agent do this? Raised by a coding agent's hook (a permission request) or by any
/// producer over the API, answered by an operator on any node. Its row changes only through the write pipeline, each
/// change in the same transaction as the event that reports it (<c>approval_requested</c>, <c>approval_answered</c>,
/// <c>approval_expired</c>, <c>approval_withdrawn</c>), so the log is its history (docs/approvals.md).
/// </summary>
internal sealed record Approval : Switchboard.Core.Sessions.ISessionRequest
{
    /// <summary>The approval's id (<c>apr_…</c>).</summary>
    public required string Id { get; init; }
    /// <summary>The session that waits for it.</summary>
    public required string SessionId { get; init; }
    /// <summary>A permission, a question or a plan (docs/approvals.md, "Kinds").</summary>
    public ApprovalKind Kind { get; init; } = ApprovalKind.Permission;
    /// <summary>The tool it is about (a hook's), or null (one asked over the API).</summary>
    public string? Tool { get; init; }
    /// <summary>What a person needs to decide: the command, the path, the question (≤ <see cref="ApprovalLimits.MaxSummaryLength"/>).</summary>
    public required string Summary { get; init; }
    /// <summary>A JSON object from the asker, as compact text; null when none.</summary>
    public string? Data { get; init; }
    /// <summary>A hook's tool input as the agent sent it (compact JSON), bounded (<see cref="ApprovalLimits.MaxInputBytes"/>); null over the API.</summary>
    public string? Input { get; init; }
    /// <summary>True when <see cref="Input"/> or <see cref="Plan"/> was cut to fit.</summary>
    public bool InputTruncated { get; init; }
    /// <summary>The questions of a <see cref="ApprovalKind.Question"/>; null for the other kinds.</summary>
    public IReadOnlyList<ApprovalQuestion>? Questions { get; init; }
    /// <summary>The plan's Markdown of a <see cref="ApprovalKind.Plan"/>, bounded like <see cref="Input"/>; null for the other kinds.</summary>
    public string? Plan { get; init; }
    /// <summary>The permission rules the agent offers to remember with an allow; empty when none.</summary>
    public IReadOnlyList<ApprovalSuggestion> Suggestions { get; init; } = [];
    /// <summary>The agent's working folder, from its hook; null over the API.</summary>
    public string? Cwd { get; init; }
    /// <summary>Where it is in its life.</summary>
    public ApprovalState State { get; init; } = ApprovalState.Pending;
    /// <summary>When it was asked.</summary>
    public DateTimeOffset RequestedAt { get; init; }
    /// <summary>The <c>seq</c> of its <c>approval_requested</c> event (orders a session's approvals).</summary>
    public long RequestedSeq { get; init; }
    /// <summary>Who asked: <c>hook:{agent}</c>, or the API key's name (<c>anonymous</c> without keys).</summary>
    public required string RequestedBy { get; init; }
    /// <summary>The name of the API key that asked (a hook's too), which may not answer it; null without keys.</summary>
    public string? RequestedKey { get; init; }
    /// <summary>Unanswered by then, the expiry job (or the node holding the hook) moves it to expired.</summary>
    public DateTimeOffset ExpiresAt { get; init; }
    /// <summary>When it was answered, expired or withdrawn.</summary>
    public DateTimeOffset? AnsweredAt { get; init; }
    /// <summary>
    /// Who answered: an API key's name or <c>anonymous</c>, after the person a trusted proxy named (<c>alice via @ops</c>);
    /// null when it expired or was withdrawn.
    /// </summary>
    public string? AnsweredBy { get; init; }
    /// <summary>The answerer's note (the reason a denied agent reads).</summary>
    public string? Note { get; init; }
    /// <summary>A question's answers, question text → the chosen label(s) or free text; null until answered so.</summary>
    public IReadOnlyDictionary<string, string>? Answers { get; init; }
    /// <summary>A deny's "and stop the agent"; null unless denied.</summary>
    public bool? Interrupt { get; init; }
    /// <summary>The index into <see cref="Suggestions"/> an allow applied ("allow always"); null when none.</summary>
    public int? AppliedSuggestion { get; init; }
    /// <summary>
    /// The node whose request holds the asking hook (its id for this run of the process, never reused), kept after the end
    /// for the log; null for one asked over the API, which nobody holds: its asker reads the answer when it likes.
    /// </summary>
    public string? HeldBy { get; init; }
    /// <summary>Why it ended without an answer (withdrawn or expired), for the log; null otherwise.</summary>
    public string? Reason { get; init; }
    /// <summary>
    /// The state the session goes back to once its last pending approval ends, if it is still <c>waiting</c> then (the
    /// store keeps it; it is not on the wire).
    /// </summary>
    public Switchboard.Core.Sessions.SessionState ResumeState { get; init; } = Switchboard.Core.Sessions.SessionState.Working;

    /// <summary>True while nobody has answered.</summary>
    public bool IsPending => State == ApprovalState.Pending;

    /// <inheritdoc />
    bool Switchboard.Core.Sessions.ISessionRequest.IsOpen => IsPending;

    /// <summary>A fresh approval id, ordered by <paramref name="now"/> (a version 7 UUID), like a command's.</summary>
    public static string NewId(DateTimeOffset now) => "apr_" + Guid.CreateVersion7(now).ToString("N");
}

/// <summary>The limits and defaults of an approval, in one place so errors and docs agree.</summary>
internal static class ApprovalLimits
{
    /// <summary>The configuration key of a session's cap on pending approvals (<see cref="Switchboard.Core.Writes.RequestApproval.MaxPending"/>), for messages.</summary>
    public const string MaxPendingSetting = "Switchboard:Approvals:MaxPendingPerSession";

    /// <summary>The configuration key that lets the key that asked answer, for messages.</summary>
    public const string AllowSelfAnswerSetting = "Switchboard:Approvals:AllowSelfAnswer";

    /// <summary>Longest summary: what a person reads to decide.</summary>
    public const int MaxSummaryLength = 500;

    /// <summary>Longest tool name.</summary>
    public const int MaxToolLength = 200;

    /// <summary>Largest data object, in UTF-8 bytes of its compact JSON.</summary>
    public const int MaxDataBytes = 16 * 1024;

    /// <summary>Most questions (and options of each) an approval keeps, and answers an answer carries.</summary>
    public const int MaxQuestions = 16;

    /// <summary>Longest note with an answer.</summary>
    public const int MaxNoteLength = 2000;

    /// <summary>Largest tool input (and plan) a hook's approval keeps, in UTF-8 bytes of its compact JSON: 64 KiB.</summary>
    public const int MaxInputBytes = 64 * 1024;

    /// <summary>Longest answer to one question (the chosen labels, or free text).</summary>
    public const int MaxAnswerLength = 2000;

    /// <summary>Shortest expiry of one asked over the API.</summary>
    public const int MinExpirySeconds = 1;

    /// <summary>Longest expiry of one asked over the API: one day.</summary>
    public const int MaxExpirySeconds = 86_400;

    /// <summary>Cuts <paramref name="text"/> to <see cref="MaxSummaryLength"/> characters (an ellipsis last), never inside a surrogate pair.</summary>
    public static string Clip(string text, int max = MaxSummaryLength) =>
        text.Length <= max ? text : text[..(char.IsHighSurrogate(text[max - 2]) ? max - 2 : max - 1)] + "…";
}

/// <summary>Why an approval ended without an answer (its <c>reason</c>): what the log says, and what a refused answer reads.</summary>
internal static class ApprovalEndReasons
{
    /// <summary>Nobody answered by <c>expires_at</c>.</summary>
    public const string Expired = "expired";
    /// <summary>The agent stopped waiting: its hook request ended (its own timeout, answered in the terminal, exited).</summary>
    public const string AgentGone = "agent_gone";
    /// <summary>The node holding the hook stopped (a graceful shutdown): the hook was answered with no decision first.</summary>
    public const string NodeStopping = "node_stopping";
    /// <summary>The node holding the hook died (its liveness lapsed, or the store's node restarted): the hook failed with it.</summary>
    public const string HolderGone = "holder_gone";
    /// <summary>The session ended (<c>SessionEnd</c>, a terminate, any end): its agent asks nothing any more.</summary>
    public const string SessionEnded = "session_ended";
    /// <summary>A <c>cancel</c> command reached the held hook: the agent was stopped instead.</summary>
    public const string Cancelled = "cancelled";
    /// <summary>The node could hold no more waits (<c>Commands:MaxWaiters</c>, or the key's scope's share).</summary>
    public const string NotHeld = "not_held";
}

/// <summary>Wire names of approval states.</summary>
internal static class ApprovalWire
{
    /// <summary>Every state, for messages and the API document.</summary>
    public static readonly string[] States = ["pending", "allowed", "denied", "expired", "withdrawn"];

    /// <summary>The decisions an operator gives (<c>answer</c> only to a question).</summary>
    public static readonly string[] Decisions = ["allow", "deny", "answer"];

    /// <summary>Every kind, by <see cref="ApprovalKind"/>.</summary>
    public static readonly string[] Kinds = ["permission", "question", "plan"];

    /// <summary>Where a suggestion's rule is kept: Claude Code's <c>destination</c> → the scope a person reads.</summary>
    public static readonly string[] Scopes = ["session", "local", "project", "user"];

    public static string ToWire(this ApprovalState state) => States[(int)state];

    public static string ToWire(this ApprovalKind kind) => Kinds[(int)kind];

    public static ApprovalKind ParseKind(string? text) => Array.IndexOf(Kinds, text) is var i and >= 0 ? (ApprovalKind)i : ApprovalKind.Permission;

    public static bool TryParseState(string? text, out ApprovalState state)
    {
        var index = Array.IndexOf(States, text);
        state = index < 0 ? default : (ApprovalState)index;
        return index >= 0;
    }
}
