using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;

namespace Switchboard.Server.Http;

/// <summary>A request or response header an operation documents.</summary>
internal sealed record WireHeader(string Name, string Description, JsonSchemaType Type = JsonSchemaType.String, bool Required = false);

/// <summary>
/// How the endpoints that are not JSON in and JSON out describe themselves (health, metrics, SSE, hooks, OTLP, Slack,
/// Durable Streams): bodies in other media types, headers, path parameters the handler reads itself, who needs no key,
/// and which of the problems every operation can answer (<c>SwitchboardOpenApi</c>) really apply.
/// </summary>
internal static class OpenApiOperations
{
    /// <summary>Carries <see cref="CommonProblems{TBuilder}"/> to the document transformer, which removes it.</summary>
    public const string CommonProblemsKey = "x-switchboard-common-problems";

    /// <summary>A schema built against the document (so it may reference a component).</summary>
    public delegate IOpenApiSchema Schema(OpenApiDocument document);

    /// <summary>
    /// Documents one response: <paramref name="contentType"/> with <paramref name="schema"/> (none for an empty body) and
    /// its <paramref name="headers"/>. A status already documented (by <c>Produces</c> or <c>Problems</c>) gets them added.
    /// </summary>
    public static TBuilder Answer<TBuilder>(this TBuilder builder, int status, string? contentType = null, Schema? schema = null, params WireHeader[] headers)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, context, _) =>
        {
            var document = context.Document!;
            operation.Responses ??= [];
            var key = status.ToString(CultureInfo.InvariantCulture);
            if (!operation.Responses.TryGetValue(key, out var found) || found is not OpenApiResponse response)
            {
                operation.Responses[key] = response = new OpenApiResponse { Description = ReasonPhrases.GetReasonPhrase(status) };
            }

            if (contentType is not null)
            {
                response.Content ??= new Dictionary<string, OpenApiMediaType>();
                response.Content[contentType] = new OpenApiMediaType { Schema = schema?.Invoke(document) };
            }

            if (headers.Length > 0)
            {
                response.Headers ??= new Dictionary<string, IOpenApiHeader>();
                foreach (var header in headers)
                {
                    response.Headers[header.Name] = new OpenApiHeader
                    {
                        Description = header.Description,
                        Required = header.Required,
                        Schema = new OpenApiSchema { Type = header.Type },
                    };
                }
            }

            return Task.CompletedTask;
        });

    /// <summary>Documents a request body in the media types the handler reads (it reads the body itself, whatever it is).</summary>
    public static TBuilder Body<TBuilder>(this TBuilder builder, bool required, params (string ContentType, Schema Schema)[] media)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, context, _) =>
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = required,
                Content = media.ToDictionary(m => m.ContentType, m => new OpenApiMediaType { Schema = m.Schema(context.Document!) }),
            };
            return Task.CompletedTask;
        });

    /// <summary>Documents request headers the handler reads.</summary>
    public static TBuilder RequestHeaders<TBuilder>(this TBuilder builder, params WireHeader[] headers) where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            foreach (var header in headers)
            {
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = header.Name,
                    In = ParameterLocation.Header,
                    Required = header.Required,
                    Description = header.Description,
                    Schema = new OpenApiSchema { Type = header.Type },
                });
            }

            return Task.CompletedTask;
        });

    /// <summary>
    /// Documents a path parameter the handler reads from the route itself. A catch-all (<c>{**path}</c>) spans segments: its
    /// pattern allows <c>/</c>, which a plain parameter's never does.
    /// </summary>
    public static TBuilder PathParameter<TBuilder>(this TBuilder builder, string name, string description, bool catchAll = false)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            var existing = operation.Parameters.FirstOrDefault(p => p.Name == name && p.In == ParameterLocation.Path);
            if (existing is not null)
            {
                operation.Parameters.Remove(existing);
            }

            operation.Parameters.Insert(0, new OpenApiParameter
            {
                Name = name,
                In = ParameterLocation.Path,
                Required = true,
                Description = description,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = catchAll ? "^[^/?#]+(/[^/?#]+)*$" : null },
            });
            return Task.CompletedTask;
        });

    /// <summary>Documents a query parameter, required or not, with the type the handler parses.</summary>
    public static TBuilder QueryParameter<TBuilder>(this TBuilder builder, string name, JsonSchemaType type, string description, bool required = false,
        params string[] values) where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name,
                In = ParameterLocation.Query,
                Required = required,
                Description = description,
                Schema = new OpenApiSchema
                {
                    Type = type,
                    Format = type == JsonSchemaType.Integer ? "int64" : null,
                    Enum = values.Length == 0 ? null : [.. values.Select(v => (JsonNode)JsonValue.Create(v))],
                },
            });
            return Task.CompletedTask;
        });

    /// <summary>The route needs no API key (health probes; Slack, which signs its requests instead).</summary>
    public static TBuilder NoApiKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Security = [];
            return Task.CompletedTask;
        });

    /// <summary>
    /// Of the problems every operation can answer, only <paramref name="statuses"/> apply here (a route outside the API's
    /// filters, such as the health probes).
    /// </summary>
    public static TBuilder CommonProblems<TBuilder>(this TBuilder builder, params int[] statuses) where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            operation.Extensions[CommonProblemsKey] = new JsonNodeExtension(new JsonArray([.. statuses.Select(s => (JsonNode)JsonValue.Create(s))]));
            return Task.CompletedTask;
        });

    /// <summary>Schemas of bodies that are not Switchboard's JSON records.</summary>
    public static class Schemas
    {
        public static readonly Schema Binary = _ => new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };

        public static readonly Schema Text = _ => new OpenApiSchema { Type = JsonSchemaType.String };

        public static readonly Schema Problem = document => new OpenApiSchemaReference(nameof(Http.Problem), document);

        /// <summary>Any JSON object: what another program sends in its own format.</summary>
        public static Schema OpenObject(string description) => _ => new OpenApiSchema { Type = JsonSchemaType.Object, Description = description };
    }

    public const string ProblemJson = OpenApiBody.ProblemContentType;
}
