using Microsoft.OpenApi;
using Switchboard.Server.Alerts;
using Switchboard.Server.Http;

namespace Switchboard.Server.Commands;

/// <summary>
/// What the generator cannot say about the command shapes: <c>data</c> is an object or null (a nullable
/// <c>JsonElement</c> comes out as "object" or as a one-of with an object type on top), and a rule's <c>action</c>, nested
/// in the rule's request, is a request object of its own: <c>type</c> required, unknown fields refused, null allowed.
/// </summary>
internal static class CommandSchemas
{
    public static void Fix(OpenApiDocument document)
    {
        if (document.Components?.Schemas is not { } schemas)
        {
            return;
        }

        OpenApiBody.DataObjectOrNull(schemas, "the producer", nameof(CommandRequest), nameof(CommandResponse));

        if (schemas.TryGetValue(nameof(AlertAction), out var action) && action is OpenApiSchema shared)
        {
            Action(shared, nullable: false);
        }

        foreach (var name in (string[])[nameof(AlertRuleRequest), nameof(AlertRulePutRequest)])
        {
            if (schemas.TryGetValue(name, out var rule) && rule is OpenApiSchema { Properties: { } ruleProperties }
                && ruleProperties.TryGetValue("action", out var inline) && inline is OpenApiSchema { Properties.Count: > 0 } request)
            {
                Action(request, nullable: true);
            }
        }
    }

    private static void Action(OpenApiSchema schema, bool nullable)
    {
        schema.Type = nullable ? JsonSchemaType.Object | JsonSchemaType.Null : JsonSchemaType.Object;
        schema.Required = new HashSet<string> { "type" };
        schema.AdditionalPropertiesAllowed = false;
        schema.AdditionalProperties = null;
        schema.Description = "The command the rule issues to the session an alert of it is raised about, once per alert.";
    }
}
