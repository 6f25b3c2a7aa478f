using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.OpenApi;

namespace Switchboard.Http;

/// <summary>
/// Documents a JSON request body without <c>Accepts&lt;T&gt;</c>, whose content-type filter would turn a
/// <c>curl -d</c> (form content type) into an empty 415. Switchboard reads every body as JSON regardless.
/// </summary>
internal static class OpenApiBody
{
    public static RouteHandlerBuilder JsonBody<T>(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, cancellationToken);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
            };
        });
}
