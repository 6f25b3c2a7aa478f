using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.OpenApi;

namespace Switchboard.Server.Http;

/// <summary>How endpoints describe their bodies and problems in the OpenAPI document.</summary>
internal static class OpenApiBody
{
    /// <summary>
    /// Documents a JSON request body without <c>Accepts&lt;T&gt;</c>, whose content-type filter would turn a
    /// <c>curl -d</c> (form content type) into an empty 415. Switchboard reads every body as JSON regardless.
    /// <paramref name="required"/> is false where an empty body is accepted.
    /// </summary>
    public static RouteHandlerBuilder JsonBody<T>(this RouteHandlerBuilder builder, bool required = true) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, cancellationToken);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = required,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = context.Document is { } document ? Register(document, typeof(T).Name, schema) : schema },
                },
            };
        });

    /// <summary>
    /// Puts a request schema into the components, so generated clients get a named type, and does the same for the
    /// branches of a discriminated union inside it (the batch operations), whose discriminator mapping names them.
    /// </summary>
    private static OpenApiSchemaReference Register(OpenApiDocument document, string name, OpenApiSchema schema)
    {
        RegisterBranches(document, schema);
        document.AddComponent<IOpenApiSchema>(name, schema);
        return new OpenApiSchemaReference(name, document);
    }

    private static void RegisterBranches(OpenApiDocument document, IOpenApiSchema? candidate)
    {
        if (candidate is not OpenApiSchema schema)
        {
            return;
        }

        foreach (var property in schema.Properties?.Values ?? Enumerable.Empty<IOpenApiSchema>())
        {
            RegisterBranches(document, property);
        }

        RegisterBranches(document, schema.Items);
        if (schema.Discriminator is not { PropertyName: { } discriminator, Mapping: { Count: > 0 } mapping } || (schema.AnyOf ?? schema.OneOf) is not { Count: > 0 } branches)
        {
            return;
        }

        var references = new List<IOpenApiSchema>();
        foreach (var branch in branches.OfType<OpenApiSchema>())
        {
            var value = branch.Properties?[discriminator].Enum?.FirstOrDefault()?.GetValue<string>()
                ?? throw new InvalidOperationException($"A branch of the '{discriminator}' union has no '{discriminator}' value.");
            var id = mapping[value].Reference.Id!;
            branch.Type = JsonSchemaType.Object;
            document.AddComponent<IOpenApiSchema>(id, branch);
            references.Add(new OpenApiSchemaReference(id, document));
        }

        // The discriminator values differ, so exactly one branch matches: oneOf.
        schema.AnyOf = null;
        schema.OneOf = references;
    }

    /// <summary>
    /// The endpoint's own problem statuses, as <c>application/problem+json</c> with the <c>Problem</c> schema. The ones every
    /// endpoint can answer (auth, rate limit, store unavailable, …) are added to all operations by <c>SwitchboardOpenApi</c>.
    /// </summary>
    public static RouteHandlerBuilder Problems(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses)
        {
            builder.Produces<Problem>(status, ProblemContentType);
        }

        return builder;
    }

    /// <summary>Documents query parameters the handler reads itself (so the generator cannot see them).</summary>
    public static RouteHandlerBuilder Query(this RouteHandlerBuilder builder, params (string Name, JsonSchemaType Type, string Description)[] parameters) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            foreach (var (name, type, description) in parameters)
            {
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = name,
                    In = ParameterLocation.Query,
                    Required = false,
                    Description = description,
                    Schema = new OpenApiSchema { Type = type, Format = type == JsonSchemaType.Integer ? "int64" : null },
                });
            }

            return Task.CompletedTask;
        });

    public const string ProblemContentType = "application/problem+json";

    /// <summary>
    /// Marks the <c>data</c> property of the named component schemas as a JSON object or null: the generator makes a
    /// nullable <c>JsonElement</c> "object" (or a one-of with an object type on top), and the server sends null.
    /// </summary>
    public static void DataObjectOrNull(IDictionary<string, IOpenApiSchema> schemas, string forWhom, params string[] names)
    {
        foreach (var name in names)
        {
            if (schemas.TryGetValue(name, out var found) && found is OpenApiSchema { Properties: { } properties } && properties.ContainsKey("data"))
            {
                properties["data"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object | JsonSchemaType.Null,
                    Description = $"A JSON object for {forWhom} (at most 16 KiB), or null.",
                };
            }
        }
    }
}
