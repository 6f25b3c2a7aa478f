using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Switchboard.Server.Hooks;

/// <summary>
/// The hook endpoints' bodies in the OpenAPI document. The request is the agent's own JSON, read as an open object; the
/// answer is JSON in the agent's own format (<see cref="HookAnswers"/>, <see cref="HookApprovals"/>), its names camelCase
/// as the agents read them, so it is written out here rather than generated from a record.
/// </summary>
internal static class HookSchemas
{
    public const string Answer = "HookAnswer";

    public static IOpenApiSchema Request(OpenApiDocument document) => new OpenApiSchema
    {
        Type = JsonSchemaType.Object,
        Description = "The hook's input as the agent sends it (hook_event_name, session_id, tool_name, tool_input, …); fields Switchboard does not read are ignored.",
    };

    /// <summary>The answer's schema, a component shared by the three agents' operations.</summary>
    public static IOpenApiSchema Reference(OpenApiDocument document)
    {
        if (document.Components?.Schemas?.ContainsKey(Answer) != true)
        {
            document.AddComponent<IOpenApiSchema>(Answer, Build());
        }

        return new OpenApiSchemaReference(Answer, document);
    }

    private static OpenApiSchema Build()
    {
        var verdict = Closed("An answer to a PermissionRequest.", ["behavior"], new()
        {
            ["behavior"] = Enum("allow", "deny"),
            ["message"] = Text(),
            ["interrupt"] = new OpenApiSchema { Type = JsonSchemaType.Boolean },
            ["updatedInput"] = new OpenApiSchema { Type = JsonSchemaType.Object, Description = "The tool's input, with the operator's answers." },
            ["updatedPermissions"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.Object } },
        });
        var specific = Closed("What only this hook event takes.", ["hookEventName"], new()
        {
            ["hookEventName"] = Text(),
            ["additionalContext"] = Text(),
            ["permissionDecision"] = Enum("allow", "deny"),
            ["permissionDecisionReason"] = Text(),
            ["decision"] = verdict,
        });
        return Closed("The hook's answer in the agent's own format; {} (no decision) unless Switchboard has one: an operator's message, cancel or answer.", [], new()
        {
            ["decision"] = Enum("block", "deny"),
            ["reason"] = Text(),
            ["continue"] = new OpenApiSchema { Type = JsonSchemaType.Boolean },
            ["stopReason"] = Text(),
            ["hookSpecificOutput"] = specific,
        });
    }

    private static OpenApiSchema Closed(string description, string[] required, Dictionary<string, IOpenApiSchema> properties) => new()
    {
        Type = JsonSchemaType.Object,
        Description = description,
        Properties = properties,
        Required = new HashSet<string>(required),
        AdditionalPropertiesAllowed = false,
    };

    private static OpenApiSchema Text() => new() { Type = JsonSchemaType.String };

    private static OpenApiSchema Enum(params string[] values) =>
        new() { Type = JsonSchemaType.String, Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))] };
}
