using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Switchboard.Core.Approvals;
using Switchboard.Core.Storage;
using Switchboard.Server.Health;
using Switchboard.Server.Http;
using Switchboard.Server.Ingest;
using Switchboard.Server.Options;
using Switchboard.Server.Slack.Options;
using Switchboard.Server.Responses;
using Switchboard.Server.Security;

namespace Switchboard.Server.Slack;

/// <summary>
/// <c>POST /v1/slack/interactions</c>, the Slack app's interactivity URL: a click on Allow or Deny. Slack sends no API key,
/// so the request is authenticated by its signature (<see cref="SlackSignature"/>) before anything else is read from it;
/// then the clicking Slack user must be mapped to an operator (<see cref="SlackOptions.Operators"/>); then the answer is
/// written as the API's is (<see cref="SlackAnswers"/>). Every refusal is problem+json and changes nothing.
/// </summary>
internal static class SlackEndpoints
{
    public const string Path = "/v1/slack/interactions";

    public static void Map(IEndpointRouteBuilder root)
    {
        var slack = root.MapGroup("/v1/slack");
        slack.AddEndpointFilter<UnexpectedErrorFilter>();
        slack.AddEndpointFilter<StoppingFilter>();
        slack.AddEndpointFilter<ApiAccessFilter>();
        slack.MapPost("/interactions", InteractAsync).WithTags("Slack").ExcludeFromDescription();
    }

    private static async Task<IResult> InteractAsync(HttpContext http, SwitchboardOptions options, WriteIntake writer, TimeProvider time,
        IRequestStore<Approval, ApprovalState> approvals, ILogger<SlackClick> logger)
    {
        var slack = options.Slack;
        if (!slack.Enabled)
        {
            return new ProblemResult(StatusCodes.Status404NotFound, "slack_off", "Not found",
                "Slack is not set up on this server: set Switchboard:Slack:BotToken, SigningSecret and Channel (docs/slack.md).");
        }

        try
        {
            using var body = await BoundedBody.ReadAsync(http.Request, http.Request.Body, options.Http.MaxBodyBytes, () => new RequestException(
                new ProblemResult(StatusCodes.Status413PayloadTooLarge, "body_too_large", "Body too large",
                    $"A click is at most {options.Http.MaxBodyBytes} bytes (Switchboard:Http:MaxBodyBytes).")), http.RequestAborted);
            var bytes = body.Written.Span;
            if (SlackSignature.Refusal(slack.SigningSecret!, http.Request.Headers["X-Slack-Request-Timestamp"], http.Request.Headers["X-Slack-Signature"],
                bytes, time.GetUtcNow()) is { } forged)
            {
                SlackLog.ClickRefused(logger, forged);
                return new ProblemResult(StatusCodes.Status401Unauthorized, "invalid_signature", "Unauthorized", $"Not taken: {forged}.");
            }

            if (SlackClick.Read(bytes, out var refusal) is not { } click)
            {
                SlackLog.ClickRefused(logger, refusal!);
                return ProblemResult.BadRequest($"Not a Slack click: {refusal}.", "payload");
            }

            return await SlackAnswers.AnswerAsync(click, slack, options.Approvals.AllowSelfAnswer, writer, approvals, logger, http.RequestAborted);
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }
        catch (StoreUnavailableException ex)
        {
            return UnavailableProblem.For(ex, "The answer was not recorded");
        }
    }
}
