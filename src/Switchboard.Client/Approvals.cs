using System.Text.Json;

namespace Switchboard.Client;

/// <summary>Where an approval is in its life (docs/approvals.md). A state this client does not know reads as <see cref="Unknown"/>.</summary>
public enum ApprovalState
{
    /// <summary>Asked; nobody has answered yet.</summary>
    Pending,
    /// <summary>A person allowed it.</summary>
    Allowed,
    /// <summary>A person denied it.</summary>
    Denied,
    /// <summary>Nobody answered in time; follow your own rules.</summary>
    Expired,
    /// <summary>The asker went away before an answer.</summary>
    Withdrawn,
    /// <summary>A state added by a newer server.</summary>
    Unknown,
}

/// <summary>A question to a person: may this session's producer do this? Answered by an operator on any node.</summary>
public sealed record Approval
{
    /// <summary>The approval's id (<c>apr_…</c>).</summary>
    public required string Id { get; init; }
    /// <summary>The session that waits for it.</summary>
    public required string SessionId { get; init; }
    /// <summary>A permission, a question or a plan.</summary>
    public ApprovalKind Kind { get; init; }
    /// <summary>The tool it is about, or null.</summary>
    public string? Tool { get; init; }
    /// <summary>What the person reads to decide.</summary>
    public string Summary { get; init; } = "";
    /// <summary>The asker's JSON object, or null.</summary>
    public JsonElement? Data { get; init; }
    /// <summary>A hook's tool input as the agent sent it (64 KiB at most, see <see cref="InputTruncated"/>); null over the API.</summary>
    public JsonElement? Input { get; init; }
    /// <summary>True when the longest strings of <see cref="Input"/> (or <see cref="Plan"/>) were cut to fit.</summary>
    public bool InputTruncated { get; init; }
    /// <summary>The questions of a <see cref="ApprovalKind.Question"/>; null for the other kinds.</summary>
    public IReadOnlyList<ApprovalQuestion>? Questions { get; init; }
    /// <summary>The plan's Markdown of a <see cref="ApprovalKind.Plan"/>; null for the other kinds.</summary>
    public string? Plan { get; init; }
    /// <summary>The "allow always" rules the agent offers; empty when none.</summary>
    public IReadOnlyList<ApprovalSuggestion> Suggestions { get; init; } = [];
    /// <summary>The agent's working folder, from its hook; null over the API.</summary>
    public string? Cwd { get; init; }
    /// <summary>Where it is in its life.</summary>
    public ApprovalState State { get; init; }
    /// <summary>When it was asked.</summary>
    public DateTimeOffset RequestedAt { get; init; }
    /// <summary>Who asked: an API key's fingerprint, <c>anonymous</c>, or <c>hook:{agent}</c>.</summary>
    public string RequestedBy { get; init; } = "";
    /// <summary>Unanswered by then, it expires.</summary>
    public DateTimeOffset ExpiresAt { get; init; }
    /// <summary>When it was answered, expired or withdrawn.</summary>
    public DateTimeOffset? AnsweredAt { get; init; }
    /// <summary>Who answered (a key's fingerprint or <c>anonymous</c>), or null.</summary>
    public string? AnsweredBy { get; init; }
    /// <summary>The answerer's note.</summary>
    public string? Note { get; init; }
    /// <summary>A question's answers (question text → answer); null until answered so.</summary>
    public IReadOnlyDictionary<string, string>? Answers { get; init; }
    /// <summary>Whether a deny also stopped the agent; null unless denied.</summary>
    public bool? Interrupt { get; init; }
    /// <summary>The index into <see cref="Suggestions"/> an allow applied; null when none.</summary>
    public int? AppliedSuggestion { get; init; }

    /// <summary>True once a person allowed it.</summary>
    public bool IsAllowed => State == ApprovalState.Allowed;
}
