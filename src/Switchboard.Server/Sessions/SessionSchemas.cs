using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Switchboard.Core.Sessions;

namespace Switchboard.Server.Sessions;

/// <summary>The OpenAPI schema of the session's fields, from <see cref="SessionWire"/>: each field's JSON type, nullability and meaning.</summary>
internal static class SessionSchemas
{
    /// <summary>
    /// Adds the fields with <paramref name="use"/> to <paramref name="schema"/>: after <c>op</c> and <c>id</c> when the
    /// record declares them, before its other own fields (e.g. <c>expected_version</c>).
    /// </summary>
    public static void AddFields(OpenApiSchema schema, WireFieldUse use)
    {
        var own = schema.Properties ?? new Dictionary<string, IOpenApiSchema>();
        var properties = new Dictionary<string, IOpenApiSchema>();
        foreach (var first in new[] { "op", "id" })
        {
            if (own.TryGetValue(first, out var p))
            {
                properties[first] = p;
            }
        }

        foreach (var field in SessionWire.All)
        {
            if (field.Name is not null && field.Has(use))
            {
                properties[field.Name] = For(field);
            }
        }

        foreach (var (name, p) in own)
        {
            properties.TryAdd(name, p);
        }

        schema.Type = JsonSchemaType.Object;
        schema.Properties = properties;
    }

    /// <summary>The schema of one field.</summary>
    public static OpenApiSchema For(WireField field)
    {
        var schema = field.Kind switch
        {
            WireFieldKind.Text => new OpenApiSchema { Type = JsonSchemaType.String },
            WireFieldKind.State => new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Enum = [.. SessionWire.StateNames.Select(n => (JsonNode)JsonValue.Create(n))],
            },
            WireFieldKind.Labels => new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.String },
            },
            WireFieldKind.JsonObject => new OpenApiSchema { Type = JsonSchemaType.Object },
            WireFieldKind.Int32 => new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
            WireFieldKind.Int64 => new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64" },
            WireFieldKind.Decimal => new OpenApiSchema { Type = JsonSchemaType.Number },
            WireFieldKind.Time => new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" },
            WireFieldKind.Bool => new OpenApiSchema { Type = JsonSchemaType.Boolean },
            WireFieldKind.Subtree => SubtreeTotals(),
            WireFieldKind.Streams => StreamList(),
            _ => throw new ArgumentOutOfRangeException(nameof(field), field.Kind, "Unknown session field kind."),
        };

        if (field.Nullable)
        {
            schema.Type |= JsonSchemaType.Null;
        }

        schema.Description = field.Description;
        return schema;
    }

    /// <summary>The <c>streams</c> array: a session's durable streams, each <c>{name, content_type, closed}</c>.</summary>
    public static OpenApiSchema StreamList() => new()
    {
        Type = JsonSchemaType.Array,
        Items = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["name"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The stream's name: /v1/stream/sessions/{id}/{name}." },
                ["content_type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Its content type, as created." },
                ["closed"] = new OpenApiSchema { Type = JsonSchemaType.Boolean, Description = "True once it is closed (by its producer, or because the session ended)." },
            },
            Required = new HashSet<string> { "name", "content_type", "closed" },
            AdditionalPropertiesAllowed = false,
        },
    };

    /// <summary>
    /// The <c>subtree</c> object (and an event's <c>subtree_delta</c>): counts and sums over a session and its descendants.
    /// Inline rather than a named component, like every other session field's schema.
    /// </summary>
    public static OpenApiSchema SubtreeTotals()
    {
        static OpenApiSchema Integer(string description) => new() { Type = JsonSchemaType.Integer, Format = "int64", Description = description };
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["sessions"] = Integer("Sessions in the subtree, the session itself included."),
                ["active"] = Integer("Of those, the ones not terminated (in a subtree_delta: -1, 0 or 1)."),
                ["input_tokens"] = Integer("Input tokens over the subtree."),
                ["output_tokens"] = Integer("Output tokens over the subtree."),
                ["total_tokens"] = Integer("input_tokens + output_tokens."),
                ["cost_usd"] = new OpenApiSchema { Type = JsonSchemaType.Number, Description = "Cost over the subtree in US dollars (exact)." },
            },
            Required = new HashSet<string> { "sessions", "active", "input_tokens", "output_tokens", "total_tokens", "cost_usd" },
            AdditionalPropertiesAllowed = false,
        };
    }
}
