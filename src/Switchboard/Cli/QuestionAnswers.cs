using Switchboard.Client;

namespace Switchboard.Cli;

/// <summary>
/// Turns <c>--answer QUESTION=ANSWER</c> values into a question approval's answers: QUESTION is a question's text, its
/// header or its number (from 1), matched at whichever <c>=</c> names one (a question's text may hold <c>=</c> itself);
/// two answers to one question are a multiple choice, joined with <c>", "</c> as Claude Code joins them.
/// </summary>
internal static class QuestionAnswers
{
    public static bool TryResolve(Approval approval, IEnumerable<string> values, out Dictionary<string, string> answers, out string error)
    {
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        answers = given;
        error = "";
        if (approval.Questions is not { Count: > 0 } questions)
        {
            error = $"{approval.Id} is a {approval.Kind.ToString().ToLowerInvariant()}, not a question: allow or deny it.";
            return false;
        }

        foreach (var value in values)
        {
            if (Match(questions, value) is not var (question, text))
            {
                error = $"--answer '{value}' names no question of {approval.Id}; give QUESTION=ANSWER with the question's text, "
                    + $"header or number (1–{questions.Count}).";
                return false;
            }

            given[question.Question] = given.TryGetValue(question.Question, out var earlier) ? earlier + ", " + text : text;
        }

        if (questions.FirstOrDefault(q => !given.ContainsKey(q.Question)) is { } missing)
        {
            error = $"every question needs an answer; add --answer \"{missing.Question}=…\".";
            return false;
        }

        return true;
    }

    private static (ApprovalQuestion Question, string Text)? Match(IReadOnlyList<ApprovalQuestion> questions, string value)
    {
        for (var eq = value.IndexOf('='); eq > 0; eq = value.IndexOf('=', eq + 1))
        {
            var key = value[..eq].Trim();
            var text = value[(eq + 1)..].Trim();
            var question = questions.FirstOrDefault(q => q.Question == key)
                ?? questions.FirstOrDefault(q => string.Equals(q.Header, key, StringComparison.OrdinalIgnoreCase))
                ?? (int.TryParse(key, out var n) && n >= 1 && n <= questions.Count ? questions[n - 1] : null);
            if (question is not null && text.Length > 0)
            {
                return (question, text);
            }
        }

        return null;
    }
}
