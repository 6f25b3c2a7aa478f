using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.OpenApi;
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
        slack.MapPost("/interactions", InteractAsync).WithTags("Slack").WithName("SlackInteraction").NoApiKey()
            .Body(required: true, ("application/x-www-form-urlencoded", _ => new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Required = new HashSet<string> { "payload" },
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["payload"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Slack's block_actions payload, as JSON text." },
                },
            }))
            .RequestHeaders(new WireHeader("X-Slack-Request-Timestamp", "When Slack sent the request (Unix seconds); too old is refused.", JsonSchemaType.Integer, Required: true),
                new WireHeader("X-Slack-Signature", "v0=HMAC-SHA256 of v0:{timestamp}:{body} with the app's signing secret.", Required: true))
            .Answer(StatusCodes.Status200OK)
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound,
                StatusCodes.Status409Conflict, StatusCodes.Status410Gone, StatusCodes.Status413PayloadTooLarge)
            .CommonProblems(StatusCodes.Status403Forbidden, StatusCodes.Status421MisdirectedRequest, StatusCodes.Status500InternalServerError,
                StatusCodes.Status503ServiceUnavailable);
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
