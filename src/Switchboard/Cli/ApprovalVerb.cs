using System.CommandLine;
using Switchboard.Client;

namespace Switchboard.Cli;

/// <summary>
/// <c>switchboard approval SESSION --list</c>, <c>switchboard approval SESSION APPROVAL</c> (what is asked: the kind, the
/// questions, the plan's first lines, the "allow always" suggestions) and the answers:
/// <c>… allow [--suggestion N]</c>, <c>… deny [--note TEXT] [--stop]</c>, <c>… answer --answer "QUESTION=LABEL" …</c>.
/// </summary>
internal static class ApprovalVerb
{
    private static readonly string[] Decisions = ["allow", "deny", "answer"];

    private static readonly Argument<string> Session = new("session") { Description = "The session that waits." };

    private static readonly Argument<string?> Id = new("approval")
    {
        Description = "The approval's id (apr_…): shown alone, or answered with a decision.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Argument<string?> Decision = new("decision")
    {
        Description = "allow, deny or answer (a question).",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Option<string[]> Answers = new("--answer")
    {
        Description = "QUESTION=ANSWER, for answer: the question's text, header or number, and an option's label or free text. "
            + "Repeat it for each question; a multiple choice's labels given twice are joined with \", \".",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    private static readonly Option<int?> Suggestion = new("--suggestion")
    {
        Description = "With allow: also apply the agent's \"allow always\" suggestion of this number (shown with the approval), e.g. for this session.",
    };

    private static readonly Option<string?> Note = new("--note") { Description = "Why: with deny, the agent reads it (what to do instead)." };

    private static readonly Option<bool> Stop = new("--stop") { Description = "With deny: stop the agent's run too." };

    private static readonly Option<bool> List = new("--list") { Description = "List the session's approvals." };

    public static Command Create()
    {
        Decision.AcceptOnlyFromAmong(Decisions);
        var command = ClientVerb.Create("approval", "Show a session's approvals and answer one: allow (always), deny with a note (and stop), answer a question.",
            RunAsync, Session, Id, Decision, Answers, Suggestion, Note, Stop, List);
        command.Validators.Add(r =>
        {
            var decision = r.GetValue(Decision);
            if (r.GetValue(List) && r.GetValue(Id) is not null)
            {
                r.AddError("--list takes only the session: switchboard approval SESSION --list.");
            }
            else if (!r.GetValue(List) && r.GetValue(Id) is null)
            {
                r.AddError("Name the approval (switchboard approval SESSION APPROVAL [allow|deny|answer]) or list them (--list).");
            }
            else if (r.GetValue(Answers) is { Length: > 0 } != (decision == "answer"))
            {
                r.AddError("A question is answered with answer and one --answer \"QUESTION=ANSWER\" per question; --answer goes with answer only.");
            }
            else if (r.GetValue(Suggestion) is < 1)
            {
                r.AddError("--suggestion takes the number shown with the approval, from 1.");
            }
            else if (r.GetValue(Suggestion) is not null && decision != "allow")
            {
                r.AddError("--suggestion goes with allow: switchboard approval SESSION APPROVAL allow --suggestion N.");
            }
            else if (r.GetValue(Stop) && decision != "deny")
            {
                r.AddError("--stop goes with deny: switchboard approval SESSION APPROVAL deny --stop [--note \"why\"].");
            }
            else if (decision is null && (r.GetValue(Note) is not null || r.GetValue(Stop)))
            {
                r.AddError("--note needs a decision: switchboard approval SESSION APPROVAL allow|deny|answer --note \"why\".");
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(SwitchboardClient client, ParseResult result, CancellationToken cancellationToken)
    {
        var output = Console.Out;
        var session = result.GetValue(Session)!;
        if (result.GetValue(List))
        {
            ApprovalText.WriteList(await client.ListApprovalsAsync(session, cancellationToken: cancellationToken), session, output);
            return 0;
        }

        var id = result.GetValue(Id)!;
        var approval = await client.GetApprovalAsync(session, id, cancellationToken: cancellationToken);
        var note = result.GetValue(Note);
        ApprovalAnswer answer;
        switch (result.GetValue(Decision))
        {
            case null:
                ApprovalText.WriteOne(approval, output);
                return 0;
            case "allow" when result.GetValue(Suggestion) is { } n && n > approval.Suggestions.Count:
                await Console.Error.WriteLineAsync($"switchboard: {id} offers {approval.Suggestions.Count} suggestion(s); "
                    + $"see them with switchboard approval {session} {id}.");
                return SwitchboardCommandLine.Failure;
            case "allow":
                answer = ApprovalAnswer.Allow(result.GetValue(Suggestion) - 1, note);
                break;
            case "deny":
                answer = ApprovalAnswer.Deny(note, result.GetValue(Stop));
                break;
            default:
                if (!QuestionAnswers.TryResolve(approval, result.GetValue(Answers)!, out var answers, out var error))
                {
                    await Console.Error.WriteLineAsync("switchboard: " + error);
                    return SwitchboardCommandLine.Failure;
                }

                answer = ApprovalAnswer.Answer(answers, note);
                break;
        }

        ApprovalText.WriteAnswered(await client.AnswerApprovalAsync(session, id, answer, cancellationToken), output);
        return 0;
    }
}
