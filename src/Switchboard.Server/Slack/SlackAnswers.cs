using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Core.Approvals;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;
using Switchboard.Server.Ingest;
using Switchboard.Server.Options;
using Switchboard.Server.Slack.Options;
using Switchboard.Server.Responses;

namespace Switchboard.Server.Slack;

/// <summary>
/// A verified click made an answer: the same <see cref="AnswerApproval"/> write the HTTP API makes, so the write
/// transaction applies the same rules (pending, held, the self-answer rule with the operator's name as the answering key),
/// recorded <c>answered_by: slack:{user}</c>. A question's option (<see cref="SlackApproval.Choice"/>) answers
/// <c>{question: label}</c>, the label read from the stored approval. Open changes nothing.
/// </summary>
internal static class SlackAnswers
{
    /// <summary>How <c>answered_by</c> names a Slack user.</summary>
    public const string Prefix = "slack:";

    public static async Task<IResult> AnswerAsync(SlackClick click, SlackOptions slack, bool allowSelfAnswer, WriteIntake writer,
        IRequestStore<Approval, ApprovalState> approvals, ILogger logger, CancellationToken ct)
    {
        if (click.Action == SlackMessages.Open)
        {
            return Results.Ok(); // a link: Slack opens it and tells the app, which has nothing to do
        }

        var option = click.Action.StartsWith(SlackMessages.Answer, StringComparison.Ordinal);
        if (!(option ? click.Option is >= 0 : click.Action is SlackMessages.Allow or SlackMessages.Deny) || click.SessionId is null || click.ApprovalId is null)
        {
            SlackLog.ClickRefused(logger, $"an unknown button '{click.Action}'");
            return ProblemResult.BadRequest(
                "Not a Switchboard button: actions[0].action_id must be allow, deny, answer_{n} or open, with the approval (and an option's index) in its value.", "payload");
        }

        if (!slack.Operators.TryGetValue(click.UserId, out var name))
        {
            SlackLog.UnmappedUser(logger, click.UserId, click.ApprovalId);
            return new ProblemResult(StatusCodes.Status403Forbidden, "not_an_operator", "Forbidden",
                $"Slack user {click.UserId} is not mapped to an operator: add Switchboard:Slack:Operators:{click.UserId} = <operator name> to let them answer.");
        }

        IReadOnlyDictionary<string, string>? answers = null;
        if (option)
        {
            // The label is read from the approval, not the click: the value only says which option, so what is answered is the agent's own text.
            var asked = await approvals.GetAsync(click.ApprovalId, ct);
            if (asked is null || asked.SessionId != click.SessionId || SlackApproval.Of(asked, null).Choice is not { } question || click.Option >= question.Options.Count)
            {
                SlackLog.ClickRefused(logger, $"option {click.Option} of approval {click.ApprovalId}, which has no such single choice");
                return ProblemResult.BadRequest($"Approval '{click.ApprovalId}' of session '{click.SessionId}' has no single-choice option {click.Option} to answer in Slack.", "payload");
            }

            answers = new Dictionary<string, string>(StringComparer.Ordinal) { [question.Question] = question.Options[click.Option!.Value].Label };
        }

        var allow = option || click.Action == SlackMessages.Allow;
        var answer = new AnswerApproval(click.SessionId, click.ApprovalId, allow, null, Prefix + click.UserId)
        {
            Answers = answers,
            AnsweredByKey = name,
            AllowSelfAnswer = allowSelfAnswer,
        };
        var result = await writer.WriteAsync(answer, ct);
        if (result.Error is { } error)
        {
            SlackLog.AnswerRefused(logger, name, click.UserId, click.ApprovalId, error.Code);
            return ProblemResult.From(error);
        }

        SlackLog.Answered(logger, name, click.UserId, click.ApprovalId, option ? "answer" : allow ? "allow" : "deny");
        return Results.Ok();
    }
}
