using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using Switchboard.Core.Json;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;
using Switchboard.Server.Http;
using Switchboard.Server.Ingest;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Server.Responses;
using Switchboard.Server.Security;

namespace Switchboard.Server.Sessions;

/// <summary>The session resources: create, change, read and list.</summary>
internal static class SessionEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var sessions = api.MapGroup("/sessions").WithTags("Sessions");
        sessions.MapPost("", CreateAsync).WithName("CreateSession")
            .JsonBody<CreateSessionRequest>().Produces<SessionResponse>(201).Problems(400, 404, 409, 413);
        sessions.MapGet("", ListAsync).WithName("ListSessions").Produces<SessionListResponse>().Problems(400)
            .Query(("state", JsonSchemaType.String, "Comma-separated states to include."),
                ("label", JsonSchemaType.String, "key=value; repeat for several labels (all must match)."),
                ("active", JsonSchemaType.Boolean, "true: only active sessions; false: only terminated ones."),
                ("parent_id", JsonSchemaType.String, "Only the children of this session."),
                ("roots", JsonSchemaType.Boolean, "true: only root sessions (no parent); false: only sessions with a parent."),
                ("limit", JsonSchemaType.Integer, "Page size."),
                ("cursor", JsonSchemaType.String, "next_cursor of the previous page."));
        sessions.MapGet("/count", CountAsync).WithName("CountSessions").Produces<CountResponse>();
        sessions.MapGet("/{id}", GetAsync).WithName("GetSession").Produces<SessionResponse>().Problems(404);
        sessions.MapPatch("/{id}", UpdateAsync).WithName("UpdateSession")
            .JsonBody<UpdateSessionRequest>().Produces<SessionWriteResponse>().Problems(400, 404, 409);
        sessions.MapPost("/{id}/usage", UsageAsync).WithName("AddUsage")
            .JsonBody<UsageRequest>().Produces<SessionWriteResponse>().Problems(400, 404, 409);
        sessions.MapPost("/{id}/heartbeat", HeartbeatAsync).WithName("Heartbeat")
            .JsonBody<HeartbeatRequest>(required: false).Produces<HeartbeatResponse>().Problems(400, 404, 409);
        sessions.MapPost("/{id}/terminate", TerminateAsync).WithName("TerminateSession")
            .JsonBody<TerminateRequest>(required: false).Produces<SessionResponse>().Problems(400, 404, 409);
    }

    // The Location is built from the request's own path, so it stays right when MapSwitchboard has a prefix.
    private static Task<IResult> CreateAsync(HttpContext http, WriteIntake writer, SwitchboardOptions options) =>
        Execute(http, options, allowEmpty: false, body => WriteRequests.Create(body!.RootElement), writer,
            r => new JsonResult(StatusCodes.Status201Created, w => SessionJson.Write(w, r.Session!)) { Location = $"{http.Request.PathBase}{http.Request.Path.Value?.TrimEnd('/')}/{r.Session!.Id}" });

    // A producer's own writes: the answer also hands it the session's outstanding commands (docs/commands.md).
    private static Task<IResult> UpdateAsync(string id, HttpContext http, WriteIntake writer, SwitchboardOptions options) =>
        Execute(http, options, allowEmpty: false, body => WriteRequests.Update(id, body!.RootElement) with { DeliversCommands = true }, writer, WithCommands);

    private static Task<IResult> UsageAsync(string id, HttpContext http, WriteIntake writer, SwitchboardOptions options) =>
        Execute(http, options, allowEmpty: false, body => WriteRequests.Usage(id, body!.RootElement) with { DeliversCommands = true }, writer, WithCommands);

    private static Task<IResult> TerminateAsync(string id, HttpContext http, WriteIntake writer, SwitchboardOptions options) =>
        Execute(http, options, allowEmpty: true, body => WriteRequests.Terminate(id, body?.RootElement), writer, r => Ok(r.Session!));

    private static Task<IResult> HeartbeatAsync(string id, HttpContext http, WriteIntake writer, SwitchboardOptions options) =>
        Execute(http, options, allowEmpty: true, body =>
        {
            if (body is not null)
            {
                _ = new FieldReader(body.RootElement, []);
            }

            return new Heartbeat(id) { DeliversCommands = true };
        }, writer, r => new JsonResult(StatusCodes.Status200OK, w =>
        {
            var s = r.Session!;
            w.WriteStartObject();
            w.WriteString("id", s.Id);
            w.WriteString("state", s.State.ToWire());
            SessionJson.WriteNullableInt(w, "lease_seconds", s.LeaseSeconds);
            WireTime.Write(w, "lease_expires_at", s.LeaseExpiresAt);
            Switchboard.Core.Commands.CommandJson.WriteList(w, "commands", r.Commands ?? []);
            w.WriteEndObject();
        }));

    private static async Task<IResult> GetAsync(string id, HttpContext http, ISessionStore store, CancellationToken cancellationToken)
    {
        var session = await VisibleAsync(http, store, id, cancellationToken);
        return session is null ? ProblemResult.From(Switchboard.Core.Errors.SwitchboardError.SessionNotFound(id)) : Ok(session);
    }

    /// <summary>The session, or null when it does not exist for the request's key (missing, or outside the key's labels scope).</summary>
    internal static async Task<Session?> VisibleAsync(HttpContext http, ISessionStore store, string id, CancellationToken cancellationToken) =>
        await store.GetSessionAsync(id, cancellationToken) is { } session && ApiAccessFilter.ScopeOf(http)?.Matches(session.Labels) != false ? session : null;

    private static async Task<IResult> CountAsync(LiveReads live)
    {
        var summary = await live.FleetSummaryAsync();
        return new JsonResult(StatusCodes.Status200OK, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("active_sessions", summary.Values.ActiveCount);
            w.WriteNumber("total_sessions", summary.Values.TotalCount);
            w.WriteEndObject();
        });
    }

    private static async Task<IResult> ListAsync(HttpContext http, ISessionStore store, SwitchboardOptions options, CancellationToken cancellationToken)
    {
        SessionQuery query;
        try
        {
            query = ParseListQuery(http.Request.Query, options.Http);
            query = query with { Labels = WithinScope(query.Labels, ApiAccessFilter.ScopeOf(http)) };
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }

        var page = await store.ListSessionsAsync(query, cancellationToken);
        return new JsonResult(StatusCodes.Status200OK, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("sessions");
            foreach (var s in page.Sessions)
            {
                SessionJson.Write(w, s);
            }

            w.WriteEndArray();
            if (page.NextCursor is { } next)
            {
                w.WriteString("next_cursor", next.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                w.WriteNull("next_cursor");
            }

            w.WriteNumber("as_of_seq", page.AsOfSeq);
            w.WriteEndObject();
        });
    }

    /// <summary>
    /// A label filter narrowed by the key's labels scope, as a scoped token's <c>sessions</c> join is; one that contradicts
    /// the scope is refused (403).
    /// </summary>
    private static IReadOnlyDictionary<string, string>? WithinScope(IReadOnlyDictionary<string, string>? labels, LabelFilter? scope) =>
        scope is null ? labels
            : scope.Narrow(labels, out var outside) ?? throw new RequestException(SecurityProblems.OutsideScope($"the label filter {outside} is outside its scope"));

    internal static SessionQuery ParseListQuery(IQueryCollection q, HttpApiOptions options)
    {
        List<SessionState>? states = null;
        foreach (var part in q["state"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!SessionStates.TryParse(part, out var state))
            {
                throw RequestException.Field("state", $"'state' must be one or more of {SessionStates.WireList} (comma-separated); got '{part}'.");
            }

            (states ??= []).Add(state);
        }

        var labels = LabelFilter.ParseQuery(q["label"], out var labelError);
        if (labelError is not null)
        {
            throw RequestException.Field("label", labelError);
        }

        bool? active = null;
        if (q.TryGetValue("active", out var activeText))
        {
            active = activeText.ToString() switch
            {
                "true" => true,
                "false" => false,
                _ => throw RequestException.Field("active", $"'active' must be true or false; got '{activeText}'."),
            };
        }

        return TreeEndpoints.WithTreeFilters(q, new SessionQuery
        {
            States = states,
            Labels = labels,
            Active = active,
            Limit = QueryInt(q, "limit", options.DefaultPageSize, 1, options.MaxPageSize),
            BeforeCreatedSeq = q.TryGetValue("cursor", out var cursor) && cursor.ToString().Length > 0
                ? long.TryParse(cursor.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? c
                    : throw RequestException.Field("cursor", "'cursor' must be a next_cursor value returned by a previous page.")
                : null,
        });
    }

    internal static int QueryInt(IQueryCollection q, string name, int fallback, int min, int max)
    {
        if (!q.TryGetValue(name, out var text) || text.ToString().Length == 0)
        {
            return fallback;
        }

        return int.TryParse(text.ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw RequestException.Field(name, $"'{name}' must be an integer from {min} to {max}; got '{text}'.");
    }

    private static JsonResult Ok(Session s) => new(StatusCodes.Status200OK, w => SessionJson.Write(w, s));

    private static JsonResult WithCommands(WriteResult r) => new(StatusCodes.Status200OK, w => Switchboard.Core.Commands.CommandJson.WriteSession(w, r.Session!, r.Commands ?? []));

    /// <summary>Read the body, build the write, commit it, and map the outcome to a response.</summary>
    private static async Task<IResult> Execute(HttpContext http, SwitchboardOptions options, bool allowEmpty,
        Func<JsonDocument?, SessionWrite> build, WriteIntake writer, Func<WriteResult, IResult> success)
    {
        try
        {
            using var body = await JsonBody.ReadAsync(http.Request, options.Http.MaxBodyBytes, allowEmpty, http.RequestAborted);
            var result = await writer.WriteAsync(ScopedWrites.For(http, build(body)), http.RequestAborted);
            return result.Error is { } error ? ProblemResult.From(error) : success(result);
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }
        catch (StoreUnavailableException ex)
        {
            return UnavailableProblem.For(ex, "The write was not persisted");
        }
    }
}
