using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Switchboard.Core.Storage;
using Switchboard.Server.Health;
using Switchboard.Server.Hooks.Options;
using Switchboard.Server.Http;
using Switchboard.Server.Options;
using Switchboard.Server.Responses;
using Switchboard.Server.Security;

namespace Switchboard.Server.Hooks;

/// <summary>
/// The coding agents' hooks on the main listener: <c>POST /hooks/claude-code</c> (Claude Code's HTTP hooks, and the
/// <c>curl</c> command hook of its <c>SessionStart</c>), <c>/hooks/codex</c> and <c>/hooks/gemini-cli</c> (their command
/// hooks, through <c>curl --data-binary @-</c>). Outside <c>/api</c>, so guarded here as <c>/v1</c> is: the origin check,
/// a write-scoped key when keys are configured (loopback only without, as the listener is), the per-key write rate, then
/// a bounded body. The answer is JSON in the agent's own format; <c>{}</c> (no decision) unless Switchboard has one.
/// </summary>
internal static class HookEndpoints
{
    public static void Map(IEndpointRouteBuilder root)
    {
        var hooks = root.MapGroup("/hooks");
        hooks.AddEndpointFilter<UnexpectedErrorFilter>();
        hooks.AddEndpointFilter<StoppingFilter>();
        hooks.AddEndpointFilter<ApiAccessFilter>();
        foreach (var agent in HookAgents.All)
        {
            hooks.MapPost("/" + agent.Name(), (HttpContext http, HookReceiver receiver, SwitchboardOptions options, ILogger<HookReceiver> logger) =>
                HandleAsync(http, agent, receiver, options.Hooks, logger)).WithTags("Hooks").WithName("Hook" + agent.ToString())
                .Body(required: true, ("application/json", HookSchemas.Request))
                .Answer(StatusCodes.Status200OK, "application/json", HookSchemas.Reference)
                // No 404 or 409: a hook creates its session on first sight, and what the state machine refuses it leaves as
                // it is; a session outside the key's scope is answered as an unknown one, 200 with no decision.
                .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge);
        }
    }

    private static async Task<IResult> HandleAsync(HttpContext http, HookAgent agent, HookReceiver receiver, HooksOptions options, ILogger logger)
    {
        var result = await ReceiveAsync(http, agent, receiver, options);
        if (result is ProblemResult problem)
        {
            HookLog.Refused(logger, agent.Name(), problem.Detail);
        }

        return result;
    }

    private static async Task<IResult> ReceiveAsync(HttpContext http, HookAgent agent, HookReceiver receiver, HooksOptions options)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = options.MaxBodyBytes;
        }

        HookEvent hook;
        try
        {
            using var body = await ReadAsync(http.Request, options.MaxBodyBytes, http.RequestAborted);
            hook = HookEvent.Read(body.RootElement, out var refusal)
                ?? throw new RequestException(new ProblemResult(StatusCodes.Status400BadRequest, "invalid_hook", "Bad request", refusal!));
            // The tool's input is read while the document lives: keep the parts the activity line and an approval may use.
            hook = hook with
            {
                ToolInput = hook.ToolInput.ValueKind == JsonValueKind.Object ? hook.ToolInput.Clone() : default,
                PermissionSuggestions = hook.PermissionSuggestions.ValueKind == JsonValueKind.Array ? hook.PermissionSuggestions.Clone() : default,
                Run = HookRuns.Of(http.Request.Headers),
                Host = HookEvent.HostOf(http.Request.Headers),
            };
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }

        HookOutcome outcome;
        try
        {
            outcome = await receiver.ReceiveAsync(agent, hook, ApiAccessFilter.IdentityOf(http), http.RequestAborted);
        }
        catch (StoreUnavailableException ex)
        {
            return UnavailableProblem.For(ex, "The hook event was not recorded");
        }

        if (outcome.Refused is { } error)
        {
            return ProblemResult.From(error);
        }

        return Results.Text(outcome.Answer, "application/json", Encoding.UTF8);
    }

    /// <summary>
    /// The body as JSON, at most <paramref name="maxBytes"/> (413 past it), with NUL bytes dropped (an agent's text is
    /// never refused for one); 400 when it is not JSON.
    /// </summary>
    private static async Task<JsonDocument> ReadAsync(HttpRequest request, long maxBytes, CancellationToken ct)
    {
        using var raw = await BoundedBody.ReadAsync(request, request.Body, maxBytes, () => TooLarge(request, maxBytes), ct);
        var buffer = raw.Written.Span;
        try
        {
            var kept = 0;
            for (var i = 0; i < buffer.Length; i++)
            {
                if (buffer[i] != 0)
                {
                    buffer[kept++] = buffer[i];
                }
            }

            return JsonDocument.Parse(buffer[..kept].ToArray());
        }
        catch (JsonException ex)
        {
            throw new RequestException(new ProblemResult(StatusCodes.Status400BadRequest, "invalid_hook", "Bad request",
                $"The body is not the hook's JSON: {ex.Message}"));
        }
    }

    private static RequestException TooLarge(HttpRequest request, long maxBytes)
    {
        request.HttpContext.Response.Headers.Connection = "close";
        return new(new ProblemResult(StatusCodes.Status413PayloadTooLarge, "body_too_large", "Payload too large",
            $"The hook's body is larger than {maxBytes} bytes. Raise Switchboard:Hooks:MaxBodyBytes (a tool's whole output rides in its PostToolUse)."));
    }
}
