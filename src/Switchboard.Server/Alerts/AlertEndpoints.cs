using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using Switchboard.Core.Alerts;
using Switchboard.Core.Errors;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;
using Switchboard.Server.Commands;
using Switchboard.Server.Http;
using Switchboard.Server.Ingest;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Server.Responses;
using Switchboard.Server.Sessions;

namespace Switchboard.Server.Alerts;

/// <summary><c>/api/alert-rules</c> (CRUD; configured rules are read-only) and <c>/api/alerts</c> (list, read, acknowledge).</summary>
internal static class AlertEndpoints
{
    private static readonly string[] AcknowledgeFields = Contracts.Fields<AcknowledgeRequest>();
    private static readonly string[] RuleFields = Contracts.Fields<AlertRuleRequest>();
    private static readonly string[] PutRuleFields = Contracts.Fields<AlertRulePutRequest>();

    public static void Map(IEndpointRouteBuilder api)
    {
        var rules = api.MapGroup("/alert-rules").WithTags("Alerts");
        rules.MapGet("", ListRulesAsync).WithName("ListAlertRules").Produces<AlertRuleListResponse>();
        rules.MapPost("", CreateRuleAsync).WithName("CreateAlertRule")
            .JsonBody<AlertRuleRequest>().Produces<AlertRuleResponse>(201).Problems(400, 409, 413);
        rules.MapGet("/{id}", GetRuleAsync).WithName("GetAlertRule").Produces<AlertRuleResponse>().Problems(404);
        rules.MapPut("/{id}", PutRuleAsync).WithName("PutAlertRule")
            .WithDescription("Creates the rule or replaces it. With expected_version, only replaces a rule still at that version: otherwise a 409 " +
                "version_conflict (or a 404 when there is no rule) and nothing changes.")
            .JsonBody<AlertRulePutRequest>().Produces<AlertRuleResponse>().Produces<AlertRuleResponse>(201).Problems(400, 404, 409, 413);
        rules.MapDelete("/{id}", DeleteRuleAsync).WithName("DeleteAlertRule").Produces(204).Problems(404, 409);

        var alerts = api.MapGroup("/alerts").WithTags("Alerts");
        alerts.MapGet("", ListAlertsAsync).WithName("ListAlerts")
            .WithDescription("Query: state=open|resolved|all (default open), limit (default 100, at most 1000). Newest first.")
            .Produces<AlertListResponse>().Problems(400)
            .Query(("state", JsonSchemaType.String, "open (default), resolved or all."),
                ("limit", JsonSchemaType.Integer, "At most this many (1–1000, default 100)."));
        alerts.MapGet("/{id}", GetAlertAsync).WithName("GetAlert").Produces<AlertResponse>().Problems(404);
        alerts.MapPost("/{id}/ack", AcknowledgeAsync).WithName("AcknowledgeAlert")
            .JsonBody<AcknowledgeRequest>().Produces<AlertResponse>().Problems(400, 404, 413, 503);
    }

    private static async Task<IResult> ListRulesAsync(IAlertStore store, ConfiguredAlertRules configured, CancellationToken ct)
    {
        var stored = await store.ListAlertRulesAsync(ct);
        var all = configured.Rules.Concat(stored.Where(r => configured.Find(r.Id) is null)).ToList();
        return new JsonResult(StatusCodes.Status200OK, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("rules");
            foreach (var r in all)
            {
                AlertJson.Write(w, r);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static async Task<IResult> GetRuleAsync(string id, IAlertStore store, ConfiguredAlertRules configured, CancellationToken ct)
    {
        var rule = configured.Find(id) ?? (await store.ListAlertRulesAsync(ct)).FirstOrDefault(r => r.Id == id);
        return rule is null ? RuleNotFound(id) : Ok(rule);
    }

    private static async Task<IResult> CreateRuleAsync(HttpContext http, IAlertStore store, ConfiguredAlertRules configured, AlertEvaluator evaluator,
        SwitchboardOptions options, CancellationToken ct)
    {
        AlertRule rule;
        try
        {
            using var body = await JsonBody.ReadAsync(http.Request, options.Http.MaxBodyBytes, allowEmpty: false, ct);
            rule = ReadRule(body!.RootElement, idFromPath: null).Rule;
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }

        if (configured.Find(rule.Id) is not null || (await store.ListAlertRulesAsync(ct)).Any(r => r.Id == rule.Id))
        {
            return new ProblemResult(409, "alert_rule_exists", "Conflict",
                $"Alert rule '{rule.Id}' already exists. Change it with PUT /api/alert-rules/{rule.Id}, or create the rule with another id.", "id");
        }

        var created = await store.PutAlertRuleAsync(rule, expectedVersion: null, ct) ?? rule;
        evaluator.RulesChanged();
        return new JsonResult(StatusCodes.Status201Created, w => AlertJson.Write(w, created))
        {
            Location = $"{http.Request.PathBase}{http.Request.Path.Value?.TrimEnd('/')}/{rule.Id}",
        };
    }

    private static async Task<IResult> PutRuleAsync(string id, HttpContext http, IAlertStore store, ConfiguredAlertRules configured, AlertEvaluator evaluator,
        SwitchboardOptions options, CancellationToken ct)
    {
        if (configured.Find(id) is not null)
        {
            return ReadOnly(id);
        }

        AlertRule rule;
        long? expected;
        try
        {
            using var body = await JsonBody.ReadAsync(http.Request, options.Http.MaxBodyBytes, allowEmpty: false, ct);
            (rule, expected) = ReadRule(body!.RootElement, idFromPath: id);
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }

        // The store compares the version and writes in one statement; with expected_version it never creates.
        var existed = expected is not null || (await store.ListAlertRulesAsync(ct)).Any(r => r.Id == id);
        if (await store.PutAlertRuleAsync(rule, expected, ct) is not { } stored)
        {
            return expected is { } stale && (await store.ListAlertRulesAsync(ct)).FirstOrDefault(r => r.Id == id) is { } current
                ? ProblemResult.From(SwitchboardError.VersionConflict("alert rule", id, current.Version, stale))
                : RuleNotFound(id);
        }

        evaluator.RulesChanged();
        return new JsonResult(existed ? StatusCodes.Status200OK : StatusCodes.Status201Created, w => AlertJson.Write(w, stored));
    }

    private static async Task<IResult> DeleteRuleAsync(string id, IAlertStore store, ConfiguredAlertRules configured, AlertEvaluator evaluator, CancellationToken ct)
    {
        if (configured.Find(id) is not null)
        {
            return ReadOnly(id);
        }

        if (!await store.DeleteAlertRuleAsync(id, ct))
        {
            return RuleNotFound(id);
        }

        evaluator.RulesChanged();
        return Results.NoContent();
    }

    private static async Task<IResult> ListAlertsAsync(HttpContext http, IAlertStore store, LiveHub live, SwitchboardOptions options, CancellationToken ct)
    {
        var q = http.Request.Query;
        bool? openOnly;
        int limit;
        try
        {
            openOnly = q["state"].ToString() switch
            {
                "" or "open" => true,
                "resolved" => false,
                "all" => null,
                var other => throw RequestException.Field("state", $"'state' must be open, resolved or all; got '{Clip(other)}'."),
            };
            limit = SessionEndpoints.QueryInt(q, "limit", 100, 1, 1000);
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }

        // The position is read first: every alert event up to it is reflected in the rows read after it.
        var asOf = live.HeadSeq;
        var alerts = await store.ListAlertsAsync(openOnly, limit, ct);
        return new JsonResult(StatusCodes.Status200OK, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("alerts");
            foreach (var a in alerts)
            {
                AlertJson.Write(w, a);
            }

            w.WriteEndArray();
            w.WriteNumber("as_of_seq", asOf);
            w.WriteEndObject();
        });
    }

    private static async Task<IResult> GetAlertAsync(string id, IAlertStore store, CancellationToken ct)
    {
        var alert = await store.GetAlertAsync(id, ct);
        return alert is null ? AlertNotFound(id) : new JsonResult(StatusCodes.Status200OK, w => AlertJson.Write(w, alert));
    }

    private static async Task<IResult> AcknowledgeAsync(string id, HttpContext http, WriteIntake writer, SwitchboardOptions options, CancellationToken ct)
    {
        AcknowledgeAlert ack;
        try
        {
            using var body = await JsonBody.ReadAsync(http.Request, options.Http.MaxBodyBytes, allowEmpty: false, ct);
            var fields = new FieldReader(body!.RootElement, AcknowledgeFields);
            var by = fields.String("by") ?? throw RequestException.Field("by", "'by' is required: who acknowledges the alert (a name or an email address).");
            ack = new AcknowledgeAlert(id, by, fields.NullableString("note").Value);
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }

        try
        {
            var result = await writer.WriteAsync(ack, ct);
            return result.Error is { } error ? ProblemResult.From(error) : new JsonResult(StatusCodes.Status200OK, w => AlertJson.Write(w, result.Alert!));
        }
        catch (StoreUnavailableException ex)
        {
            return UnavailableProblem.For(ex, "The alert was not acknowledged");
        }
    }

    /// <summary>Reads and checks a rule body (a PUT's, with the version it expects, when <paramref name="idFromPath"/> is set); nothing is stored unless it is valid.</summary>
    private static (AlertRule Rule, long? ExpectedVersion) ReadRule(JsonElement body, string? idFromPath)
    {
        var f = new FieldReader(body, idFromPath is null ? RuleFields : PutRuleFields);
        var expected = idFromPath is null ? null : f.ExpectedVersion();

        var id = f.String("id");
        if (idFromPath is not null && id is not null && id != idFromPath)
        {
            throw RequestException.Field("id", $"The body's id '{id}' differs from the path's '{idFromPath}'; leave 'id' out of a PUT body or make them equal.");
        }

        var conditionText = f.String("condition") ?? throw RequestException.Field("condition", $"'condition' is required: one of {AlertWire.ConditionList}.");
        if (!AlertWire.TryParseCondition(conditionText, out var condition))
        {
            throw RequestException.Field("condition", $"'condition' must be one of {AlertWire.ConditionList}; got '{Clip(conditionText)}'.");
        }

        AlertSeverity? severity = AlertSeverity.Warning;
        if (f.String("severity") is { } severityText && !AlertWire.TryParseSeverity(severityText, out severity))
        {
            throw RequestException.Field("severity", $"'severity' must be one of {AlertWire.SeverityList}; got '{Clip(severityText)}'.");
        }

        var rule = new AlertRule
        {
            Id = idFromPath ?? id ?? "rule_" + Guid.NewGuid().ToString("N")[..12],
            Name = f.String("name") ?? throw RequestException.Field("name", "'name' is required: a display name for the rule."),
            Condition = condition.Value,
            Severity = severity.Value,
            // The fields a condition does not take may be left out or null, as GET writes them.
            Seconds = f.NullableInt("seconds") is { HasValue: true } seconds ? seconds.Value : null,
            Threshold = IsNull(body, "threshold") ? null : f.Decimal("threshold"),
            Metric = f.NullableString("metric") is { HasValue: true } metric ? metric.Value : null,
            WindowSeconds = f.NullableInt("window_seconds") is { HasValue: true } window ? window.Value : null,
            Scope = f.String("scope") ?? AlertScopes.Session,
            Labels = f.Labels("labels") ?? new Dictionary<string, string>(StringComparer.Ordinal),
            Enabled = f.Bool("enabled") ?? true,
            Source = AlertRuleSources.Api,
            Action = CommandRequests.Action(body),
        };
        if (AlertRuleValidator.Validate(rule) is { } error)
        {
            throw new RequestException(ProblemResult.From(error));
        }

        return (rule, expected);
    }

    private static bool IsNull(JsonElement body, string name) => body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Null;

    private static JsonResult Ok(AlertRule rule) => new(StatusCodes.Status200OK, w => AlertJson.Write(w, rule));

    private static ProblemResult RuleNotFound(string id) =>
        ProblemResult.From(new SwitchboardError(ErrorKind.NotFound, "alert_rule_not_found", $"Alert rule '{id}' does not exist. List rules with GET /api/alert-rules."));

    private static ProblemResult AlertNotFound(string id) =>
        ProblemResult.From(new SwitchboardError(ErrorKind.NotFound, "alert_not_found", $"Alert '{id}' does not exist."));

    private static ProblemResult ReadOnly(string id) =>
        new(409, "alert_rule_read_only", "Conflict",
            $"Alert rule '{id}' is defined in configuration (Switchboard:Alerts:Rules) and cannot be changed over HTTP; change the configuration instead.");

    private static string Clip(string text) => text.Length > 64 ? text[..64] + "…" : text;
}
