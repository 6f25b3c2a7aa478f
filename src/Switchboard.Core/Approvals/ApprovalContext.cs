namespace Switchboard.Core.Approvals;

/// <summary>What a person is asked: a permission (allow or deny), a question to answer, or a plan to approve.</summary>
internal enum ApprovalKind
{
    /// <summary>May the agent do this? Everything asked over the API, and every tool but the two below.</summary>
    Permission,
    /// <summary>Claude Code's <c>AskUserQuestion</c>: questions with options, answered rather than allowed.</summary>
    Question,
    /// <summary>Claude Code's <c>ExitPlanMode</c>: a plan to approve, or to send back with a note.</summary>
    Plan,
}

/// <summary>One option of a question: its label (what the answer says) and what it means.</summary>
internal sealed record ApprovalOption(string Label, string? Description);

/// <summary>
/// One question of a <see cref="ApprovalKind.Question"/> approval, normalised from Claude Code's
/// <c>tool_input.questions[]</c>. A person may always answer with free text instead of an option.
/// </summary>
internal sealed record ApprovalQuestion(string Question, string? Header, IReadOnlyList<ApprovalOption> Options, bool MultiSelect);

/// <summary>
/// A permission rule the agent offers to remember with an allow ("allow always"): the agent's own object, verbatim
/// (compact JSON), where it would be kept (<see cref="Scope"/>: <c>session</c>, <c>local</c>, <c>project</c> or
/// <c>user</c>), and the line a person reads.
/// </summary>
internal sealed record ApprovalSuggestion(string Label, string Scope, string Permission);

/// <summary>
/// What a hook's approval carries beyond its summary: the kind, the tool's whole input (bounded,
/// <see cref="ApprovalLimits.MaxInputBytes"/>), the questions or the plan, the rules the agent offers, and its working
/// folder. <see cref="None"/> for one asked over the API.
/// </summary>
internal sealed record ApprovalContext
{
    public static readonly ApprovalContext None = new();

    public ApprovalKind Kind { get; init; } = ApprovalKind.Permission;

    /// <summary>The tool's input as compact JSON (an object), cut to fit <see cref="ApprovalLimits.MaxInputBytes"/>; null when none.</summary>
    public string? Input { get; init; }

    /// <summary>True when <see cref="Input"/> (or <see cref="Plan"/>) was cut to fit, or left out because it could not be.</summary>
    public bool InputTruncated { get; init; }

    public IReadOnlyList<ApprovalQuestion>? Questions { get; init; }

    /// <summary>The plan's Markdown (kind plan), bounded like <see cref="Input"/>.</summary>
    public string? Plan { get; init; }

    public IReadOnlyList<ApprovalSuggestion> Suggestions { get; init; } = [];

    /// <summary>The agent's working folder, from its hook.</summary>
    public string? Cwd { get; init; }
}
