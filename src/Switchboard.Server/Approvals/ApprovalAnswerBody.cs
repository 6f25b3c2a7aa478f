using System.Text.Json;
using Switchboard.Core.Writes;
using Switchboard.Server.Http;
using Switchboard.Server.Responses;
using Switchboard.Server.Sessions;

namespace Switchboard.Server.Approvals;

/// <summary>
/// Reads an answer's body, <c>{decision: allow|deny|answer, note?, interrupt?, answers?, suggestion?}</c>, into the
/// write: <c>answer</c> is an allow with the question's answers. What the body alone can tell is refused here; what
/// depends on the approval (its kind, questions and suggestions) in the write transaction (<see cref="ApprovalAnswerRules"/>).
/// </summary>
internal static class ApprovalAnswerBody
{
    private static readonly string[] Fields = Contracts.Fields<ApprovalAnswerRequest>();

    /// <exception cref="RequestException">A field is unknown, of the wrong type, or does not go with the decision.</exception>
    public static AnswerApproval Read(JsonElement body, string sessionId, string approvalId, string answeredBy)
    {
        var f = new FieldReader(body, Fields);
        var decision = f.String("decision");
        if (decision is not ("allow" or "deny" or "answer"))
        {
            throw RequestException.Field("decision", decision is null
                ? "'decision' is required: allow, deny, or (a question) answer."
                : $"'decision' must be allow, deny or answer; got '{(decision.Length > 64 ? decision[..64] + "…" : decision)}'.");
        }

        var answers = Answers(body);
        if (decision == "answer" && answers is null)
        {
            throw RequestException.Field("answers",
                "'answers' is required with \"decision\": \"answer\": {\"<question text>\": \"<an option's label, or your own text>\"}, one per question.");
        }

        if (decision != "answer" && answers is not null)
        {
            throw RequestException.Field("answers", $"'answers' go with \"decision\": \"answer\" (a question's answers), not with {decision}; leave them out.");
        }

        return new AnswerApproval(sessionId, approvalId, decision != "deny", f.NullableString("note").Value, answeredBy)
        {
            Answers = answers,
            Interrupt = f.Bool("interrupt") ?? false,
            Suggestion = f.NullableInt("suggestion").Value,
        };
    }

    /// <summary>The <c>answers</c> object (question text → answer); null when absent or JSON null.</summary>
    private static Dictionary<string, string>? Answers(JsonElement body)
    {
        if (!body.TryGetProperty("answers", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw RequestException.Field("answers", "'answers' must be an object: {\"<question text>\": \"<an option's label, or your own text>\"}.");
        }

        var answers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in value.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String)
            {
                throw RequestException.Field("answers",
                    $"The answer to '{(p.Name.Length > 120 ? p.Name[..120] + "…" : p.Name)}' must be a string (several labels joined with \", \").");
            }

            if (!answers.TryAdd(p.Name, p.Value.GetString()!))
            {
                throw RequestException.Field("answers", $"'answers' answers '{(p.Name.Length > 120 ? p.Name[..120] + "…" : p.Name)}' more than once.");
            }
        }

        return answers;
    }
}
