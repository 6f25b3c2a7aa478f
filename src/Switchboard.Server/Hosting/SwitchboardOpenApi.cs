using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

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
    }

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
                + "writes and POST /api/tokens need a write key. Not required while no keys are configured.",
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
