using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Switchboard.Events;
using Switchboard.Http;
using Switchboard.Options;
using Switchboard.Sessions;

namespace Switchboard.Hosting;

/// <summary>
/// Switchboard's own OpenAPI document, "switchboard": only Switchboard's endpoints, with snake_case property names as on
/// the wire. A host app's documents neither include Switchboard's endpoints nor get its transformers, so embedding
/// Switchboard leaves the host's OpenAPI as it was. Served at <c>{prefix}/openapi/v1.json</c>.
/// </summary>
internal static class SwitchboardOpenApi
{
    public const string DocumentName = "switchboard";

    /// <summary>Serves the document at <c>/openapi/v1.json</c> below <paramref name="root"/>.</summary>
    public static void Map(RouteGroupBuilder root)
    {
        root.WithGroupName(DocumentName);
        root.MapGet("/openapi/v1.json", async (HttpContext http, [FromKeyedServices(DocumentName)] IOpenApiDocumentProvider documents,
            IOptionsMonitor<OpenApiOptions> options) =>
        {
            var document = await documents.GetOpenApiDocumentAsync(http.RequestAborted);
            var json = await document.SerializeAsJsonAsync(options.Get(DocumentName).OpenApiVersion, http.RequestAborted);
            return Results.Text(json, "application/json;charset=utf-8");
        }).ExcludeFromDescription();
    }

    public static void Configure(OpenApiOptions options)
    {
        options.ShouldInclude = description => description.GroupName == DocumentName;
        options.AddDocumentTransformer((document, context, _) =>
        {
            document.Info.Title = "Switchboard";
            document.Info.Description = "Real-time session server: producers report sessions over HTTP; consumers subscribe over Phoenix Channels (WebSocket, long-poll) or SSE.";
            DescribeApiKeys(document, context.ApplicationServices.GetRequiredService<SwitchboardOptions>().Security.AuthEnabled);
            return Task.CompletedTask;
        });
        options.AddSchemaTransformer((schema, _, _) =>
        {
            if (schema.Properties is { Count: > 0 } properties)
            {
                var renamed = properties.ToDictionary(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Key), p => p.Value);
                properties.Clear();
                foreach (var (name, value) in renamed)
                {
                    properties[name] = value;
                }

                if (schema.Required is { Count: > 0 } required)
                {
                    var names = required.Select(JsonNamingPolicy.SnakeCaseLower.ConvertName).ToList();
                    required.Clear();
                    foreach (var n in names)
                    {
                        required.Add(n);
                    }
                }
            }

            return Task.CompletedTask;
        });
        options.AddSchemaTransformer((schema, context, _) =>
        {
            Exact(schema, context);
            return Task.CompletedTask;
        });
        options.AddDocumentTransformer((document, _, _) =>
        {
            if (document.Components?.Schemas is { } schemas && schemas.TryGetValue("JsonElement", out var element) && element is OpenApiSchema json)
            {
                json.Type = JsonSchemaType.Object;
                json.Description = "A JSON object.";
            }

            foreach (var schema in document.Components?.Schemas?.Values ?? Enumerable.Empty<IOpenApiSchema>())
            {
                NumbersOnly(schema);
            }

            AddCommonProblems(document);
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// Makes the generated schemas say what the server does: numbers are JSON numbers only (never numeric strings), request
    /// fields are optional unless <see cref="Contracts.RequiredFields"/> names them and unknown ones are refused, response
    /// fields are always present unless <see cref="Contracts.OptionalResponseFields"/> names them, states and event types
    /// are enums, and free-form JSON (metadata, event data) is an object.
    /// </summary>
    private static void Exact(OpenApiSchema schema, OpenApiSchemaTransformerContext context)
    {
        if (schema.Type is { } type && (type & (JsonSchemaType.Integer | JsonSchemaType.Number)) != 0 && (type & JsonSchemaType.String) != 0)
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }

        var clr = context.JsonTypeInfo.Type;
        if (clr == typeof(decimal) || clr == typeof(decimal?))
        {
            schema.Format = null;
        }

        if (context.JsonPropertyInfo is { } property)
        {
            var owner = property.DeclaringType;
            if (owner == typeof(Contracts.AlertResponse) && property.Name is "state" or "State")
            {
                schema.Enum = ["open", "resolved"];
            }
            else if (owner == typeof(Contracts.WebhookResponse) && property.Name is "state" or "State")
            {
                schema.Enum = ["active", "failing"];
            }
            else if (owner.DeclaringType == typeof(Contracts) && property.Name is "state" or "State")
            {
                schema.Enum = [.. States.Select(s => (JsonNode)JsonValue.Create(s))];
            }
            else if (owner == typeof(Contracts.EventEnvelope) && property.Name is "type" or "Type")
            {
                schema.Enum = [.. LoggedEventTypes.Select(s => (JsonNode)JsonValue.Create(s))];
            }

            return;
        }

        if (clr == typeof(JsonElement))
        {
            schema.Type = JsonSchemaType.Object;
            return;
        }

        if (clr.DeclaringType != typeof(Contracts) || clr.IsAbstract)
        {
            return;
        }

        if (clr.GetCustomAttributes(typeof(Contracts.SessionFieldsAttribute), false) is [Contracts.SessionFieldsAttribute fields])
        {
            SessionSchemas.AddFields(schema, fields.Use);
        }

        var properties = schema.Properties ?? new Dictionary<string, IOpenApiSchema>();
        if (typeof(Contracts.IRequest).IsAssignableFrom(clr))
        {
            var keep = Contracts.RequiredFields(clr);
            schema.Type = JsonSchemaType.Object;
            schema.Required = new HashSet<string>(keep.Where(properties.ContainsKey));
            schema.AdditionalPropertiesAllowed = false;
            schema.AdditionalProperties = null;
        }
        else
        {
            var optional = Contracts.OptionalResponseFields(clr);
            schema.Required = new HashSet<string>(properties.Keys.Where(k => !optional.Contains(k)));
        }
    }

    /// <summary>
    /// The server reads and writes JSON numbers only: the generator's "or a numeric string" (from the web defaults'
    /// number handling) goes, and decimals have no "double" format.
    /// </summary>
    private static void NumbersOnly(IOpenApiSchema? candidate)
    {
        if (candidate is not OpenApiSchema schema)
        {
            return;
        }

        if (schema.Type is { } type && (type & (JsonSchemaType.Integer | JsonSchemaType.Number)) != 0 && (type & JsonSchemaType.String) != 0)
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }

        if (schema.Format == "double")
        {
            schema.Format = null;
        }

        // Metadata and event data are free-form JSON objects (JsonElement in the contracts).
        foreach (var (name, property) in schema.Properties ?? new Dictionary<string, IOpenApiSchema>())
        {
            if (name is "metadata" or "data" && property is OpenApiSchema { Type: null, Properties: null or { Count: 0 } } free)
            {
                free.Type = JsonSchemaType.Object;
            }
        }

        foreach (var child in (schema.Properties?.Values ?? []).Concat(schema.OneOf ?? []).Concat(schema.AnyOf ?? []).Concat(schema.AllOf ?? []))
        {
            NumbersOnly(child);
        }

        NumbersOnly(schema.Items);
        NumbersOnly(schema.AdditionalProperties);
    }

    /// <summary>Problems any operation can answer: auth, host filter, rate limit, unexpected errors, a stopping or unavailable server.</summary>
    private static void AddCommonProblems(OpenApiDocument document)
    {
        if (document.Paths is null)
        {
            return;
        }

        foreach (var item in document.Paths.Values)
        {
            if (item.Operations is null)
            {
                continue;
            }

            foreach (var operation in item.Operations.Values)
            {
                operation.Responses ??= [];
                var statuses = operation.RequestBody is null ? CommonProblemStatuses : [.. CommonProblemStatuses, 400, 413];
                foreach (var status in statuses)
                {
                    var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    if (!operation.Responses.ContainsKey(key))
                    {
                        operation.Responses[key] = new OpenApiResponse
                        {
                            Description = ReasonPhrases.GetReasonPhrase(status),
                            Content = new Dictionary<string, OpenApiMediaType>
                            {
                                [Http.OpenApiBody.ProblemContentType] = new() { Schema = new OpenApiSchemaReference(nameof(Contracts.Problem), document) },
                            },
                        };
                    }
                }
            }
        }
    }

    private static readonly int[] CommonProblemStatuses = [401, 403, 421, 429, 500, 503];

    private static readonly string[] States = [.. SessionStates.All.Select(s => s.ToWire())];

    private static readonly string[] LoggedEventTypes =
        [EventTypes.SessionCreated, EventTypes.SessionUpdated, EventTypes.SessionTerminated, EventTypes.FleetUpdated,
         EventTypes.AlertRaised, EventTypes.AlertResolved, EventTypes.AlertAcknowledged];

    /// <summary>
    /// The API key as an HTTP bearer scheme. With keys configured every operation needs one; with auth off (loopback
    /// only) the empty alternative says none is needed.
    /// </summary>
    private static void DescribeApiKeys(OpenApiDocument document, bool authEnabled)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An API key from SWITCHBOARD_API_KEYS, as `Authorization: Bearer <key>`. Keys marked `:read` may only read; "
                + "writes need a write key (any key may mint a subscriber token with POST /api/tokens). Not required while no keys are configured.",
        };
        document.Security ??= [];
        document.Security.Clear();
        if (!authEnabled)
        {
            document.Security.Add(new OpenApiSecurityRequirement());
        }

        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, document)] = [] });
    }

    private const string ApiKeyScheme = "api_key";
}
