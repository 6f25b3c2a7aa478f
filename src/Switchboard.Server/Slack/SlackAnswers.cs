using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Core.Writes;
using Switchboard.Server.Ingest;
using Switchboard.Server.Options;
using Switchboard.Server.Responses;

namespace Switchboard.Server.Slack;

/// <summary>
/// A verified click made an answer: the same <see cref="AnswerApproval"/> write the HTTP API makes, so the write
/// transaction applies the same rules (pending, held, the self-answer rule with the operator's name as the answering key),
/// recorded <c>answered_by: slack:{user}</c>. Open changes nothing.
/// </summary>
internal static class SlackAnswers
{
    /// <summary>How <c>answered_by</c> names a Slack user.</summary>
    public const string Prefix = "slack:";

    public static async Task<IResult> AnswerAsync(SlackClick click, SlackOptions slack, bool allowSelfAnswer, WriteIntake writer, ILogger logger, CancellationToken ct)
    {
        if (click.Action == SlackMessages.Open)
        {
            return Results.Ok(); // a link: Slack opens it and tells the app, which has nothing to do
        }

        if (click.Action is not (SlackMessages.Allow or SlackMessages.Deny) || click.SessionId is null || click.ApprovalId is null)
        {
            SlackLog.ClickRefused(logger, $"an unknown button '{click.Action}'");
            return ProblemResult.BadRequest("Not a Switchboard button: actions[0].action_id must be allow, deny or open, with the approval in its value.", "payload");
        }

        if (!slack.Operators.TryGetValue(click.UserId, out var name))
        {
            SlackLog.UnmappedUser(logger, click.UserId, click.ApprovalId);
            return new ProblemResult(StatusCodes.Status403Forbidden, "not_an_operator", "Forbidden",
                $"Slack user {click.UserId} is not mapped to an operator: add Switchboard:Slack:Operators:{click.UserId} = <operator name> to let them answer.");
        }

        var allow = click.Action == SlackMessages.Allow;
        var answer = new AnswerApproval(click.SessionId, click.ApprovalId, allow, null, Prefix + click.UserId)
        {
            AnsweredByKey = name,
            AllowSelfAnswer = allowSelfAnswer,
        };
        var result = await writer.WriteAsync(answer, ct);
        if (result.Error is { } error)
        {
            SlackLog.AnswerRefused(logger, name, click.UserId, click.ApprovalId, error.Code);
            return ProblemResult.From(error);
        }

        SlackLog.Answered(logger, name, click.UserId, click.ApprovalId, allow ? "allow" : "deny");
        return Results.Ok();
    }
}
