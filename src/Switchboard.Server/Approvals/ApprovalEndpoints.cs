using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.OpenApi;
using Switchboard.Core.Approvals;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;
using Switchboard.Server.Http;
using Switchboard.Server.Ingest;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Server.Responses;
using Switchboard.Server.Security;
using Switchboard.Server.Sessions;

namespace Switchboard.Server.Approvals;

/// <summary>
/// <c>/api/sessions/{id}/approvals</c>: ask a person (with a long-poll for the answer), list, read (with a long-poll) and
/// answer the approvals of one session. Every change goes through the write pipeline and is logged (docs/approvals.md).
/// </summary>
internal static class ApprovalEndpoints
{
    private static readonly string[] RequestFields = Contracts.Fields<ApprovalRequest>();
    private static readonly RequestEndpoints<Approval> Requests = new("approvals", (w, a) => ApprovalJson.Write(w, a), ApprovalJson.WriteList, r => r.Approval);

    public static void Map(IEndpointRouteBuilder api)
    {
        var approvals = Requests.Group(api, "Approvals");
        approvals.MapPost("", RequestAsync).WithName("RequestApproval")
            .WithDescription("Asks a person to approve something the session's producer is about to do; the session is 'waiting' until it is answered. " +
                "With 'wait' the request is held until the approval is answered (or 'wait' seconds pass) and answers with it as it is then.")
            .JsonBody<ApprovalRequest>().Produces<ApprovalResponse>(201).Problems(400, 404, 409, 413, 429)
            .Query(("wait", JsonSchemaType.Integer, "Seconds to hold the request for the answer (0 to Commands:MaxWaitSeconds)."));
        approvals.MapGet("", ListAsync).WithName("ListApprovals")
            .WithDescription("The session's approvals in the order asked.")
            .Produces<ApprovalListResponse>().Problems(400, 404)
            .Query(("state", JsonSchemaType.String, "Comma-separated states: pending, allowed, denied, expired, withdrawn."),
                ("limit", JsonSchemaType.Integer, "At most this many (1–1000, default 100)."));
        approvals.MapGet("/{approvalId}", GetAsync).WithName("GetApproval")
            .WithDescription("One approval. With 'wait', held until it is no longer pending (or 'wait' seconds pass).")
            .Produces<ApprovalResponse>().Problems(400, 404)
            .Query(("wait", JsonSchemaType.Integer, "Seconds to wait for the answer (0 to Commands:MaxWaitSeconds)."));
        approvals.MapPost("/{approvalId}", AnswerAsync).WithName("AnswerApproval")
            .WithDescription("An operator's answer: allow (with 'suggestion', one of the approval's suggestions to remember), deny (with 'interrupt', " +
                "and stop the agent), or, for a question, answer (with 'answers', one per question); a note with any (a denied agent reads it). Needs an operator key, " +
                "other than the one that asked (403 self_answer, unless Approvals:AllowSelfAnswer). " +
                "The same answer again is 200 with the same approval; an answer to one answered or expired is 409 approval_not_pending, " +
                "to a withdrawn one (nobody holds it: the answer would reach no agent) 409 approval_not_held.")
            .JsonBody<ApprovalAnswerRequest>().Produces<ApprovalResponse>().Problems(400, 403, 404, 409, 413);
    }

    private static async Task<IResult> RequestAsync(string id, HttpContext http, WriteIntake writer, ApprovalHolds holds, SwitchboardOptions options,
        CallerNames callers, TimeProvider time, CancellationToken ct)
    {
        RequestApproval request;
        int wait;
        try
        {
            wait = Wait(http, options);
            using var body = await JsonBody.ReadAsync(http.Request, options.Http.MaxBodyBytes, allowEmpty: false, ct);
            var f = new FieldReader(body!.RootElement, RequestFields);
            var data = body.RootElement.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Null ? null : f.JsonObject("data");
            request = new RequestApproval(Approval.NewId(time.GetUtcNow()), id, f.NullableString("tool").Value, f.String("summary") ?? "", data,
                f.Int("expires_in_seconds") ?? (int)Math.Ceiling(options.Hooks.ApprovalWait.TotalSeconds), callers.Of(http))
            {
                MaxPending = options.Approvals.MaxPendingPerSession,
                RequestedKey = ApiAccessFilter.IdentityOf(http)?.Name,
            };
            if (ApprovalWriteProcessor.Request(request.Tool, request.Summary, request.Data, request.ExpiresInSeconds) is { } invalid)
            {
                return ProblemResult.From(invalid);
            }
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }

        return await Requests.WriteAsync(writer, ScopedWrites.For(http, request), "No approval was asked for", async approval =>
        {
            if (wait > 0)
            {
                approval = await holds.WaitAsync(id, approval.Id, ApiAccessFilter.ScopeOf(http), TimeSpan.FromSeconds(wait), ct) ?? approval;
            }

            return Requests.Created(http, approval);
        }, ct);
    }

    private static async Task<IResult> AnswerAsync(string id, string approvalId, HttpContext http, WriteIntake writer, SwitchboardOptions options,
        CallerNames callers, ILogger<CallerNames> logger, CancellationToken ct)
    {
        AnswerApproval answer;
        try
        {
            using var body = await JsonBody.ReadAsync(http.Request, options.Http.MaxBodyBytes, allowEmpty: false, ct);
            answer = ApprovalAnswerBody.Read(body!.RootElement, id, approvalId, callers.Of(http)) with
            {
                AnsweredByKey = ApiAccessFilter.IdentityOf(http)?.Name,
                AllowSelfAnswer = options.Approvals.AllowSelfAnswer,
            };
            if ((ApprovalWriteProcessor.Note(answer.Note) ?? ApprovalAnswerRules.Shape(answer)) is { } invalid)
            {
                return ProblemResult.From(invalid);
            }
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }

        return await Requests.WriteAsync(writer, ScopedWrites.For(http, answer), "The answer was not recorded", a => Task.FromResult<IResult>(Requests.Ok(a)), ct,
            refused: error =>
            {
                if (error.Code == "self_answer")
                {
                    SecurityLog.SelfAnswerRefused(logger, answer.AnsweredByKey!, approvalId, id);
                }
            });
    }

    private static async Task<IResult> GetAsync(string id, string approvalId, HttpContext http, ISessionStore sessions, IRequestStore<Approval, ApprovalState> store, ApprovalHolds holds,
        SwitchboardOptions options, CancellationToken ct)
    {
        int wait;
        try
        {
            wait = Wait(http, options);
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }

        if (await SessionEndpoints.VisibleAsync(http, sessions, id, ct) is null)
        {
            return ProblemResult.From(Switchboard.Core.Errors.SwitchboardError.SessionNotFound(id));
        }

        var approval = ApprovalWriteProcessor.IsValidId(approvalId) ? await store.GetAsync(approvalId, ct) : null;
        if (approval is null || approval.SessionId != id)
        {
            return ProblemResult.From(ApprovalWriteProcessor.NotFound(id, approvalId));
        }

        if (wait > 0 && approval.IsPending)
        {
            approval = await holds.WaitAsync(id, approvalId, ApiAccessFilter.ScopeOf(http), TimeSpan.FromSeconds(wait), ct) ?? approval;
        }

        return Requests.Ok(approval);
    }

    private static async Task<IResult> ListAsync(string id, HttpContext http, ISessionStore sessions, IRequestStore<Approval, ApprovalState> store, LiveHub live, CancellationToken ct)
    {
        List<ApprovalState>? states = null;
        int limit;
        try
        {
            foreach (var part in http.Request.Query["state"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!ApprovalWire.TryParseState(part, out var state))
                {
                    throw RequestException.Field("state", $"'state' must be one or more of {string.Join(", ", ApprovalWire.States)} (comma-separated).");
                }

                (states ??= []).Add(state);
            }

            limit = SessionEndpoints.QueryInt(http.Request.Query, "limit", 100, 1, 1000);
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }

        if (await SessionEndpoints.VisibleAsync(http, sessions, id, ct) is null)
        {
            return ProblemResult.From(Switchboard.Core.Errors.SwitchboardError.SessionNotFound(id));
        }

        var asOf = live.HeadSeq; // read first: every approval event up to it is in the rows read after it
        return Requests.List(await store.ListAsync(id, states, limit, ct), asOf);
    }

    private static int Wait(HttpContext http, SwitchboardOptions options) =>
        http.Request.Query.ContainsKey("wait") ? SessionEndpoints.QueryInt(http.Request.Query, "wait", 0, 0, options.Commands.MaxWaitSeconds) : 0;
}
