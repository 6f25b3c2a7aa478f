using Microsoft.OpenApi;

namespace Switchboard.Server.Approvals;

/// <summary>
/// What the generator cannot say about the approval shapes: <c>data</c> is an object or null, as a command's (a nullable
/// <c>JsonElement</c> comes out as "object"); an approval asked without it answers "data": null.
/// </summary>
internal static class ApprovalSchemas
{
    public static void Fix(OpenApiDocument document)
    {
        if (document.Components?.Schemas is not { } schemas)
        {
            return;
        }

        foreach (var name in new[] { nameof(ApprovalRequest), nameof(ApprovalResponse) })
        {
            if (schemas.TryGetValue(name, out var found) && found is OpenApiSchema { Properties: { } properties } && properties.ContainsKey("data"))
            {
                properties["data"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object | JsonSchemaType.Null,
                    Description = "A JSON object for the person who answers (at most 16 KiB), or null.",
                };
            }
        }
    }
}
