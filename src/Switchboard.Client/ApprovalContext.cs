using System.Text.Json;

namespace Switchboard.Client;

/// <summary>What a person is asked (docs/approvals.md, "Kinds"). A kind this client does not know reads as <see cref="Unknown"/>.</summary>
public enum ApprovalKind
{
    /// <summary>May the agent do this? Allow or deny. Everything asked over the API.</summary>
    Permission,
    /// <summary>Claude Code's <c>AskUserQuestion</c>: <see cref="Approval.Questions"/> to answer (<see cref="ApprovalAnswer.Answer"/>).</summary>
    Question,
    /// <summary>Claude Code's <c>ExitPlanMode</c>: <see cref="Approval.Plan"/> to approve (allow) or send back with a note (deny).</summary>
    Plan,
    /// <summary>A kind added by a newer server.</summary>
    Unknown,
}

/// <summary>Where the rule of an "allow always" suggestion is kept. A scope this client does not know reads as <see cref="Unknown"/>.</summary>
public enum ApprovalSuggestionScope
{
    /// <summary>Until the agent's session ends.</summary>
    Session,
    /// <summary>The project's local settings (not shared).</summary>
    Local,
    /// <summary>The project's shared settings.</summary>
    Project,
    /// <summary>The user's settings: every project.</summary>
    User,
    /// <summary>A scope added by a newer server.</summary>
    Unknown,
}

/// <summary>One option of a question: its label (what the answer says) and what it means.</summary>
public sealed record ApprovalOption(string Label, string? Description);

/// <summary>
/// One question of a <see cref="ApprovalKind.Question"/> approval. A person may answer with an option's label, several
/// labels joined with <c>", "</c> when <see cref="MultiSelect"/>, or free text.
/// </summary>
public sealed record ApprovalQuestion(string Question, string? Header, IReadOnlyList<ApprovalOption> Options, bool MultiSelect);

/// <summary>
/// A permission rule the agent offers to remember with an allow ("allow always"): the line a person reads, where it is
/// kept, and the agent's own object, verbatim. Answer with <see cref="ApprovalAnswer.Allow"/> and its index.
/// </summary>
public sealed record ApprovalSuggestion(string Label, ApprovalSuggestionScope Scope, JsonElement Permission);
