using Switchboard.Core.Approvals;
using Switchboard.Core.Errors;

namespace Switchboard.Core.Writes;

/// <summary>
/// The rules of an answer's parts (docs/approvals.md, "Answering"): what an answer may carry at all (<see cref="Shape"/>,
/// before the store), and what it may carry for the approval it names (<see cref="Fits"/>, in the write transaction,
/// where the approval is read). Each refusal names the field and how to fix it; a refused answer changes nothing.
/// </summary>
internal static class ApprovalAnswerRules
{
    /// <summary>The most answers one answer carries: more than any question approval asks.</summary>
    public const int MaxAnswers = 32;

    /// <summary>The first rule the answer's own parts break, or null.</summary>
    public static SwitchboardError? Shape(AnswerApproval write)
    {
        if (write.Answers is { } answers)
        {
            if (!write.Allow)
            {
                return SwitchboardError.InvalidField("answers", "'answers' go with \"decision\": \"answer\"; a deny carries none (leave them out, or answer).");
            }

            if (answers.Count is 0 or > MaxAnswers)
            {
                return SwitchboardError.InvalidField("answers",
                    $"'answers' must hold one answer per question (question text → label or your own text), at most {MaxAnswers}; got {answers.Count}.");
            }

            foreach (var (question, answer) in answers)
            {
                if (string.IsNullOrWhiteSpace(answer))
                {
                    return SwitchboardError.InvalidField("answers", $"The answer to '{Clip(question)}' is empty; give an option's label or your own text.");
                }

                if (answer.Length > ApprovalLimits.MaxAnswerLength)
                {
                    return SwitchboardError.InvalidField("answers",
                        $"The answer to '{Clip(question)}' is {answer.Length} characters long; at most {ApprovalLimits.MaxAnswerLength} are allowed.");
                }
            }
        }

        if (write.Interrupt && write.Allow)
        {
            return SwitchboardError.InvalidField("interrupt", "'interrupt' stops the agent along with a deny; send it with \"decision\": \"deny\", or leave it out.");
        }

        if (write.Suggestion is { } index)
        {
            if (!write.Allow || write.Answers is not null)
            {
                return SwitchboardError.InvalidField("suggestion",
                    "'suggestion' applies one of the approval's suggestions along with an allow; send it with \"decision\": \"allow\", or leave it out.");
            }

            if (index < 0)
            {
                return SwitchboardError.InvalidField("suggestion", $"'suggestion' is an index into the approval's 'suggestions', from 0; got {index}.");
            }
        }

        return null;
    }

    /// <summary>The first rule the answer breaks for <paramref name="approval"/> (its kind, questions and suggestions), or null.</summary>
    public static SwitchboardError? Fits(AnswerApproval write, Approval approval)
    {
        if (write.Answers is { } answers)
        {
            if (approval.Kind != ApprovalKind.Question || approval.Questions is not { } questions)
            {
                return SwitchboardError.InvalidField("decision",
                    $"Approval '{approval.Id}' is a {approval.Kind.ToWire()}, not a question: answer it with \"decision\": \"allow\" or \"deny\".");
            }

            if (questions.FirstOrDefault(q => !answers.ContainsKey(q.Question)) is { } unanswered)
            {
                return SwitchboardError.InvalidField("answers",
                    $"'answers' has no answer to '{Clip(unanswered.Question)}'; answer every question of approval '{approval.Id}', keyed by its text ({List(questions)}).");
            }

            if (answers.Keys.FirstOrDefault(k => questions.All(q => q.Question != k)) is { } stranger)
            {
                return SwitchboardError.InvalidField("answers",
                    $"'answers' names '{Clip(stranger)}', which is not a question of approval '{approval.Id}'; its questions are {List(questions)}.");
            }
        }
        else if (write.Allow && approval.Kind == ApprovalKind.Question)
        {
            return SwitchboardError.InvalidField("decision",
                $"Approval '{approval.Id}' is a question: answer it with {{\"decision\": \"answer\", \"answers\": {{\"<question>\": \"<label or your own text>\"}}}} " +
                "(several labels of a multiple choice joined with \", \"), or deny it.");
        }

        if (write.Suggestion is { } index && index >= approval.Suggestions.Count)
        {
            return SwitchboardError.InvalidField("suggestion", approval.Suggestions.Count == 0
                ? $"'suggestion' is {index}, but approval '{approval.Id}' offers no suggestions; allow without one."
                : $"'suggestion' is {index}, but approval '{approval.Id}' offers {approval.Suggestions.Count} (0 to {approval.Suggestions.Count - 1}).");
        }

        return null;
    }

    /// <summary>True when <paramref name="write"/> carries what <paramref name="approval"/> recorded: a retried click, not a new answer.</summary>
    public static bool SameAnswer(AnswerApproval write, Approval approval) =>
        approval.AppliedSuggestion == write.Suggestion
        && (approval.Interrupt ?? false) == write.Interrupt
        && (approval.Answers is null ? write.Answers is null
            : write.Answers is not null && approval.Answers.Count == write.Answers.Count
              && approval.Answers.All(p => write.Answers.TryGetValue(p.Key, out var v) && v == p.Value));

    private static string List(IReadOnlyList<ApprovalQuestion> questions) => string.Join(", ", questions.Select(q => $"'{Clip(q.Question)}'"));

    private static string Clip(string text) => ApprovalLimits.Clip(text, 120);
}
