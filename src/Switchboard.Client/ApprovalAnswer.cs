namespace Switchboard.Client;

/// <summary>
/// An operator's answer to an approval (<see cref="SwitchboardClient.AnswerApprovalAsync(string, string, ApprovalAnswer, CancellationToken)"/>):
/// allow (with an "allow always" suggestion), deny (with a note the agent reads, and stop it), or answer a question.
/// </summary>
public sealed record ApprovalAnswer
{
    private ApprovalAnswer(string decision) => Decision = decision;

    /// <summary><c>allow</c>, <c>deny</c> or <c>answer</c>, as sent.</summary>
    public string Decision { get; }

    /// <summary>Why: the reason a denied agent reads.</summary>
    public string? Note { get; private init; }

    /// <summary>A deny that also stops the agent's run.</summary>
    public bool Interrupt { get; private init; }

    /// <summary>An allow that applies <see cref="Approval.Suggestions"/>[this index].</summary>
    public int? Suggestion { get; private init; }

    /// <summary>A question's answers: every question's text → an option's label, labels joined with <c>", "</c>, or free text.</summary>
    public IReadOnlyDictionary<string, string>? Answers { get; private init; }

    /// <summary>Allow; with <paramref name="suggestion"/>, also apply that "allow always" rule of <see cref="Approval.Suggestions"/>.</summary>
    public static ApprovalAnswer Allow(int? suggestion = null, string? note = null) => new("allow") { Suggestion = suggestion, Note = note };

    /// <summary>Deny: the agent reads <paramref name="note"/>; with <paramref name="interrupt"/> its run stops too.</summary>
    public static ApprovalAnswer Deny(string? note = null, bool interrupt = false) => new("deny") { Note = note, Interrupt = interrupt };

    /// <summary>Answers a <see cref="ApprovalKind.Question"/>: every question's text → its answer.</summary>
    public static ApprovalAnswer Answer(IReadOnlyDictionary<string, string> answers, string? note = null)
    {
        ArgumentNullException.ThrowIfNull(answers);
        return new("answer") { Answers = answers, Note = note };
    }
}
