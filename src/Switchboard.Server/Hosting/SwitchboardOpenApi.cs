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
using Switchboard.Core.Alerts;
using Switchboard.Core.Approvals;
using Switchboard.Core.Commands;
using Switchboard.Core.Events;
using Switchboard.Core.Sessions;
using Switchboard.Core.UsageRollups;
using Switchboard.Core.Webhooks;
using Switchboard.Server.Alerts;
using Switchboard.Server.Approvals;
using Switchboard.Server.Commands;
using Switchboard.Server.Health;
using Switchboard.Server.Live;
using Switchboard.Core.Hosting;
using Switchboard.Server.Http;
using Switchboard.Server.Options;
using Switchboard.Server.Sessions;
using Switchboard.Server.Usage;
using Switchboard.Server.Webhooks;

namespace Switchboard.Server.Hosting;

/// <summary>
/// Switchboard's own OpenAPI document, "switchboard": only Switchboard's endpoints, with snake_case property names as on
/// the wire. A host app's documents neither include Switchboard's endpoints nor get its transformers, so embedding
/// Switchboard leaves the host's OpenAPI as it was. Served at <c>{prefix}/openapi/v1.json</c>.
/// </summary>
/// <remarks>
/// Every route <c>MapSwitchboard</c> maps is described (<c>OpenApiConformanceTests</c> checks the app's endpoints against
/// the paths), except these, which are not request and response:
/// <list type="bullet">
/// <item><c>/socket/websocket</c>: a WebSocket upgrade; what flows after it is Phoenix frames (docs/protocol.md).</item>
/// <item><c>/socket/longpoll</c>, methods other than GET, POST and OPTIONS: Phoenix's bare 400 (a CORS preflight, answered as OPTIONS, routes there too).</item>
/// <item><c>/mcp</c>: the MCP server's Streamable HTTP transport, JSON-RPC described by its own tool list (docs/mcp.md).</item>
/// <item><c>/</c> and <c>/dashboard/{**path}</c>: the dashboard's page and static files.</item>
/// <item><c>/api/{**path}</c>: the API's fallback, a 404 or 405 problem for a path or method no route has.</item>
/// <item><c>/openapi/v1.json</c>: this document.</item>
/// </list>
/// </remarks>
internal static partial class SwitchboardOpenApi
{
    public const string DocumentName = "switchboard";

    /// <summary>Serves the document at <c>/openapi/v1.json</c> below <paramref name="root"/>.</summary>
    public static void Map(RouteGroupBuilder root)
    {
        root.WithGroupName(DocumentName);
        root.MapGet("/openapi/v1.json", async (HttpContext http, OpenApiText text) =>
            Results.Text(await text.GetAsync().WaitAsync(http.RequestAborted), "application/json;charset=utf-8")).ExcludeFromDescription();
    }

    /// <summary>
    /// The document's text, built once per server: it depends only on the mapped endpoints, and building it walks every
    /// endpoint and schema, too much work to repeat for each anonymous request. The build is not tied to the first
    /// asker's request: an asker that goes away leaves it running for the next.
    /// </summary>
    internal sealed class OpenApiText([FromKeyedServices(DocumentName)] IOpenApiDocumentProvider documents, IOptionsMonitor<OpenApiOptions> options)
    {
        private readonly Lock _gate = new();
        private Task<string>? _text;

        public Task<string> GetAsync()
        {
            lock (_gate)
            {
                // A build that failed is not kept: the next asker tries again.
                if (_text is null || _text.IsFaulted || _text.IsCanceled)
                {
                    _text = BuildAsync();
                }

                return _text;
            }
        }

        private async Task<string> BuildAsync()
        {
            var document = await documents.GetOpenApiDocumentAsync(CancellationToken.None);
            return await document.SerializeAsJsonAsync(options.Get(DocumentName).OpenApiVersion, CancellationToken.None);
        }
    }

    /// <summary>
    /// Adds the document. The generator describes types through the host's JSON options; the wire records' metadata is
    /// put first in their chain (a Native AOT host has no other), and a host's own types still resolve as before.
    /// </summary>
    public static void AddDocument(IServiceCollection services)
    {
        services.AddOpenApi(DocumentName, Configure);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, OpenApiJsonContext.Default));
    }

    private static void Configure(OpenApiOptions options)
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

            ItemEnums(document);
            CommandSchemas.Fix(document);
            ApprovalSchemas.Fix(document);
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
            // Lists of names (webhook event types, severities) get theirs on the items, in ItemEnums.
            if (schema.Type is not { } t || (t & JsonSchemaType.Array) == 0)
            {
                if (EnumOf(property.DeclaringType, JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name)) is { } values)
                {
                    schema.Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))];
                }
            }

            return;
        }

        if (clr == typeof(JsonElement))
        {
            schema.Type = JsonSchemaType.Object;
            return;
        }

        if (!Contracts.Is(clr) || clr.IsAbstract)
        {
            return;
        }

        if (clr.GetCustomAttributes(typeof(SessionFieldsAttribute), false) is [SessionFieldsAttribute fields])
        {
            SessionSchemas.AddFields(schema, fields.Use);
        }

        var properties = schema.Properties ?? new Dictionary<string, IOpenApiSchema>();
        if (typeof(IRequest).IsAssignableFrom(clr))
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

    /// <summary>The enum of a list of names goes on its items (the generator fills those after the property's transformer runs).</summary>
    private static void ItemEnums(OpenApiDocument document)
    {
        // A component is named by its type, and the lists of names are all in named rows of EnumOf.
        foreach (var (type, found) in document.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>())
        {
            if (found is not OpenApiSchema { Properties: { } properties })
            {
                continue;
            }

            foreach (var (name, property) in properties)
            {
                if (property is OpenApiSchema { Items: OpenApiSchema items } && EnumOf(type, name) is { } values)
                {
                    items.Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))];
                }
            }
        }
    }

    /// <summary>
    /// Problems any operation can answer (auth, host filter, rate limit, unexpected errors, a stopping or unavailable
    /// server) unless it names its own set, and the <c>Location</c> of what a 201 created.
    /// </summary>
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

            foreach (var (method, operation) in item.Operations)
            {
                operation.Responses ??= [];
                // The per-key rate limit counts writes only (ApiAccessFilter): a read is never answered 429 for it.
                var reads = method == HttpMethod.Get || method == HttpMethod.Head;
                int[] common = reads ? [.. CommonProblemStatuses.Where(s => s != StatusCodes.Status429TooManyRequests)] : CommonProblemStatuses;
                var statuses = operation.RequestBody is null ? common : [.. common, 400, 413];
                if (operation.Extensions?.Remove(OpenApiOperations.CommonProblemsKey, out var only) == true && only is JsonNodeExtension { Node: JsonArray listed })
                {
                    statuses = [.. listed.Select(n => n!.GetValue<int>())];
                }

                // A create answers where the new resource is.
                if (operation.Responses.TryGetValue("201", out var created) && created is OpenApiResponse made && made.Headers?.ContainsKey("Location") != true)
                {
                    made.Headers ??= new Dictionary<string, IOpenApiHeader>();
                    made.Headers["Location"] = new OpenApiHeader { Description = "The URL of what was created.", Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
                }

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
                                [Switchboard.Server.Http.OpenApiBody.ProblemContentType] = new() { Schema = new OpenApiSchemaReference(nameof(Problem), document) },
                            },
                        };
                    }
                }

                // An answer to HEAD has no body (its problems too): the status and the headers are all it says.
                if (method == HttpMethod.Head)
                {
                    foreach (var response in operation.Responses.Values.OfType<OpenApiResponse>())
                    {
                        response.Content = null;
                    }
                }
            }
        }
    }

    private static readonly int[] CommonProblemStatuses = [401, 403, 421, 429, 500, 503];

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
