using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchboard.Core.Alerts;
using Switchboard.Core.Errors;
using Switchboard.Core.Events;
using Switchboard.Core.Json;
using Switchboard.Core.Storage;
using Switchboard.Core.Webhooks;
using Switchboard.Server.Http;
using Switchboard.Server.Options;
using Switchboard.Server.Responses;
using Switchboard.Server.Sessions;

namespace Switchboard.Server.Webhooks;

/// <summary><c>/api/webhooks</c>: endpoints, their delivery state, and replay.</summary>
internal static class WebhookEndpoints
{
    private static readonly string[] Fields = Contracts.Fields<WebhookRequest>();
    private static readonly string[] PutFields = Contracts.Fields<WebhookPutRequest>();
    private static readonly string[] ReplayFields = Contracts.Fields<ReplayRequest>();
    private static readonly string[] KnownTypes =
    [
        EventTypes.SessionCreated, EventTypes.SessionUpdated, EventTypes.SessionTerminated, EventTypes.FleetUpdated,
        EventTypes.AlertRaised, EventTypes.AlertResolved, EventTypes.AlertAcknowledged,
        EventTypes.CommandIssued, EventTypes.CommandDelivered, EventTypes.CommandAcknowledged, EventTypes.CommandExpired, EventTypes.CommandWithdrawn,
        EventTypes.ApprovalRequested, EventTypes.ApprovalAnswered, EventTypes.ApprovalExpired, EventTypes.ApprovalWithdrawn,
    ];

    public static void Map(IEndpointRouteBuilder api)
    {
        var hooks = api.MapGroup("/webhooks").WithTags("Webhooks");
        hooks.MapGet("", ListAsync).WithName("ListWebhooks").Produces<WebhookListResponse>();
        hooks.MapPost("", CreateAsync).WithName("CreateWebhook")
            .JsonBody<WebhookRequest>().Produces<WebhookResponse>(201).Problems(400, 409, 413);
        hooks.MapGet("/{id}", GetAsync).WithName("GetWebhook").Produces<WebhookResponse>().Problems(404);
        hooks.MapPut("/{id}", PutAsync).WithName("PutWebhook")
            .WithDescription("Replaces the configuration, keeping the delivery state. With expected_version, only while the endpoint is at that " +
                "version; otherwise a 409 version_conflict and nothing changes.")
            .JsonBody<WebhookPutRequest>().Produces<WebhookResponse>().Problems(400, 404, 409, 413);
        hooks.MapDelete("/{id}", DeleteAsync).WithName("DeleteWebhook").Produces(204).Problems(404);
        hooks.MapPost("/{id}/replay", ReplayAsync).WithName("ReplayWebhook")
            .WithDescription("Delivers again every event from from_seq on (it must still be in the log) and makes a failing endpoint active.")
            .JsonBody<ReplayRequest>().Produces<WebhookResponse>().Problems(400, 404, 410, 413);
    }

    private static async Task<IResult> ListAsync(IWebhookStore store, WebhookDispatcher dispatcher, CancellationToken ct)
    {
        var all = await store.ListWebhooksAsync(ct);
        var head = dispatcher.HeadSeq;
        var now = dispatcher.Time.GetUtcNow();
        return new JsonResult(StatusCodes.Status200OK, w => WebhookStatusJson.WriteList(w, all, head, now));
    }

    private static async Task<IResult> GetAsync(string id, IWebhookStore store, WebhookDispatcher dispatcher, CancellationToken ct) =>
        await store.GetWebhookAsync(id, ct) is { } e
            ? new JsonResult(StatusCodes.Status200OK, w => WebhookStatusJson.Write(w, e, dispatcher.HeadSeq, secret: false, dispatcher.Time.GetUtcNow()))
            : NotFound(id);

    private static async Task<IResult> CreateAsync(HttpContext http, IWebhookStore store, WebhookDispatcher dispatcher, WebhookUrlPolicy urls,
        SwitchboardOptions options, TimeProvider time, CancellationToken ct)
    {
        WebhookEndpoint endpoint;
        try
        {
            using var body = await JsonBody.ReadAsync(http.Request, options.Http.MaxBodyBytes, allowEmpty: false, ct);
            endpoint = Read(body!.RootElement, null, urls).Endpoint with { CreatedAt = WireTime.Now(time), Cursor = dispatcher.HeadSeq };
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }

        // Counted before the insert: creates racing on several nodes may pass the bound by their number, no further.
        var max = options.Webhooks.MaxEndpoints;
        if ((await store.ListWebhooksAsync(ct)).Count >= max)
        {
            return new ProblemResult(409, "too_many_webhooks", "Conflict",
                $"There are {max} webhooks already, the most Switchboard:Webhooks:MaxEndpoints allows. Delete one with DELETE /api/webhooks/{{id}}, " +
                "or raise the setting.", null);
        }

        if (!await store.CreateWebhookAsync(endpoint, ct))
        {
            return new ProblemResult(409, "webhook_exists", "Conflict",
                $"Webhook '{endpoint.Id}' already exists. Change it with PUT /api/webhooks/{endpoint.Id}, or use another id.", "id");
        }

        dispatcher.Changed();
        return new JsonResult(StatusCodes.Status201Created, w => WebhookStatusJson.Write(w, endpoint, dispatcher.HeadSeq, secret: true, dispatcher.Time.GetUtcNow()))
        {
            Location = $"{http.Request.PathBase}{http.Request.Path.Value?.TrimEnd('/')}/{endpoint.Id}",
        };
    }

    private static async Task<IResult> PutAsync(string id, HttpContext http, IWebhookStore store, WebhookDispatcher dispatcher, WebhookUrlPolicy urls,
        SwitchboardOptions options, CancellationToken ct)
    {
        if (await store.GetWebhookAsync(id, ct) is not { } existing)
        {
            return NotFound(id);
        }

        WebhookEndpoint endpoint;
        long? expected;
        try
        {
            using var body = await JsonBody.ReadAsync(http.Request, options.Http.MaxBodyBytes, allowEmpty: false, ct);
            (endpoint, expected) = Read(body!.RootElement, existing, urls);
            endpoint = endpoint with { CreatedAt = existing.CreatedAt };
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }

        // The store compares the version and writes in one statement; the read above only fills in what a PUT keeps.
        if (await store.UpdateWebhookAsync(endpoint, expected, ct) is not { } updated)
        {
            return expected is { } stale && await store.GetWebhookAsync(id, ct) is { } current
                ? ProblemResult.From(SwitchboardError.VersionConflict("webhook", id, current.Version, stale))
                : NotFound(id);
        }

        dispatcher.Changed();
        return new JsonResult(StatusCodes.Status200OK, w => WebhookStatusJson.Write(w, updated, dispatcher.HeadSeq, secret: false, dispatcher.Time.GetUtcNow()));
    }

    private static async Task<IResult> DeleteAsync(string id, IWebhookStore store, WebhookDispatcher dispatcher, CancellationToken ct)
    {
        if (!await store.DeleteWebhookAsync(id, ct))
        {
            return NotFound(id);
        }

        dispatcher.Changed();
        return Results.NoContent();
    }

    private static async Task<IResult> ReplayAsync(string id, HttpContext http, IWebhookStore store, ISessionStore log, WebhookDispatcher dispatcher,
        SwitchboardOptions options, CancellationToken ct)
    {
        long from;
        try
        {
            using var body = await JsonBody.ReadAsync(http.Request, options.Http.MaxBodyBytes, allowEmpty: false, ct);
            var f = new FieldReader(body!.RootElement, ReplayFields);
            from = f.Long("from_seq") ?? throw RequestException.Field("from_seq", "'from_seq' is required: the first seq to deliver again.");
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }

        var bounds = await log.GetLogBoundsAsync(ct);
        if (from < 1 || from > bounds.HeadSeq + 1)
        {
            return RequestException.Field("from_seq", $"'from_seq' must be between 1 and {bounds.HeadSeq + 1} (the next seq); got {from}.").Problem;
        }

        if (from < bounds.FirstSeq)
        {
            return new ProblemResult(410, "seq_purged", "Gone",
                $"Events before seq {bounds.FirstSeq} were purged by retention; replay from {bounds.FirstSeq} or later.", "from_seq");
        }

        // The answer is the row the reset wrote: once woken, the dispatcher may move the cursor on before a re-read.
        if (await store.ResetWebhookCursorAsync(id, from - 1, ct) is not { } endpoint)
        {
            return NotFound(id);
        }

        dispatcher.Changed();
        return new JsonResult(StatusCodes.Status200OK, w => WebhookStatusJson.Write(w, endpoint, dispatcher.HeadSeq, secret: false, dispatcher.Time.GetUtcNow()));
    }

    /// <summary>
    /// Reads and checks a body. A PUT replaces the whole configuration: only the id and the secret (unless given) are
    /// kept; it may carry the version it expects.
    /// </summary>
    private static (WebhookEndpoint Endpoint, long? ExpectedVersion) Read(JsonElement body, WebhookEndpoint? existing, WebhookUrlPolicy urls)
    {
        var f = new FieldReader(body, existing is null ? Fields : PutFields);
        var expected = existing is null ? null : f.ExpectedVersion();

        var id = f.String("id");
        if (existing is not null && id is not null && id != existing.Id)
        {
            throw RequestException.Field("id", $"The body's id '{id}' differs from the path's '{existing.Id}'; leave 'id' out or make them equal.");
        }

        id = existing?.Id ?? id ?? "wh_" + Guid.NewGuid().ToString("N")[..12];
        if (!AlertRuleValidator.IsValidId(id))
        {
            throw RequestException.Field("id", "'id' must be 1–64 characters from [A-Za-z0-9._:-].");
        }

        var url = f.String("url") ?? throw RequestException.Field("url", "'url' is required: where to POST events.");
        if (urls.Check(url) is { } bad)
        {
            throw RequestException.Field("url", bad);
        }

        var secret = f.String("secret") ?? existing?.Secret ?? Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        if (secret.Length is < 16 or > 256)
        {
            throw RequestException.Field("secret", "'secret' must be 16–256 characters (leave it out to have one generated).");
        }

        var types = f.StringList("event_types", 16) ?? [];
        if (types.FirstOrDefault(t => !KnownTypes.Contains(t)) is { } unknown)
        {
            throw RequestException.Field("event_types", $"Unknown event type '{Clip(unknown)}'; known: {string.Join(", ", KnownTypes)}.");
        }

        var severities = f.StringList("alert_severities", 3) ?? [];
        if (severities.FirstOrDefault(s => !AlertWire.TryParseSeverity(s, out _)) is { } badSeverity)
        {
            throw RequestException.Field("alert_severities", $"'alert_severities' holds {AlertWire.SeverityList}; got '{Clip(badSeverity)}'.");
        }

        var format = f.String("format") ?? WebhookFormats.Json;
        if (format is not (WebhookFormats.Json or WebhookFormats.Slack))
        {
            throw RequestException.Field("format", $"'format' must be json or slack; got '{Clip(format)}'.");
        }

        return (new WebhookEndpoint
        {
            Id = id,
            Url = url,
            Secret = secret,
            EventTypes = types,
            Labels = f.Labels("labels") ?? new Dictionary<string, string>(StringComparer.Ordinal),
            AlertSeverities = severities,
            Format = format,
            Enabled = f.Bool("enabled") ?? true,
        }, expected);
    }

    private static ProblemResult NotFound(string id) =>
        ProblemResult.From(new SwitchboardError(ErrorKind.NotFound, "webhook_not_found", $"Webhook '{id}' does not exist. List them with GET /api/webhooks."));

    private static string Clip(string text) => text.Length > 64 ? text[..64] + "…" : text;
}
