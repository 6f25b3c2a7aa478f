using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Switchboard.FunctionalTests.Http;

/// <summary>
/// Checks real requests and responses against the server's own <c>/openapi/v1.json</c> (OpenAPI 3.1, JSON Schema 2020-12
/// subset: $ref, type, enum, const, properties, required, additionalProperties, items, oneOf, anyOf, allOf, pattern and the
/// date-time, int32 and int64 formats). Strict on purpose: a property the schema does not list is a failure even where the
/// schema leaves additionalProperties open, so the document cannot silently fall behind the code.
/// </summary>
internal sealed partial class OpenApiValidator(JsonElement document)
{
    private readonly JsonElement _paths = document.GetProperty("paths");

    /// <summary>
    /// The operation of the document that routes <paramref name="method"/> <paramref name="path"/>, or null. A template of
    /// the same length wins; else one whose last parameter is documented as spanning segments (its pattern allows '/').
    /// </summary>
    public JsonElement? Operation(HttpMethod method, string path)
    {
        var segments = path.Split('?')[0].TrimEnd('/').Split('/');
        foreach (var spanning in new[] { false, true })
        {
            foreach (var item in _paths.EnumerateObject())
            {
                var template = item.Name.TrimEnd('/').Split('/');
                if (!item.Value.TryGetProperty(method.Method.ToLowerInvariant(), out var operation))
                {
                    continue;
                }

                var fits = spanning
                    ? template.Length < segments.Length && IsParameter(template[^1])
                        && Prefix(template[..^1], segments) && SpansSegments(operation, template[^1][1..^1], string.Join('/', segments[(template.Length - 1)..]))
                    : template.Length == segments.Length && Prefix(template, segments);
                if (fits)
                {
                    return operation;
                }
            }
        }

        return null;
    }

    private static bool IsParameter(string segment) => segment.StartsWith('{') && segment.EndsWith('}');

    private static bool Prefix(string[] template, string[] segments) =>
        template.Zip(segments).All(p => p.First == p.Second || IsParameter(p.First));

    private static bool SpansSegments(JsonElement operation, string name, string value) =>
        operation.TryGetProperty("parameters", out var parameters) && parameters.EnumerateArray().Any(p =>
            p.GetProperty("in").GetString() == "path" && p.GetProperty("name").GetString() == name
            && p.GetProperty("schema").TryGetProperty("pattern", out var pattern) && Regex.IsMatch(value, pattern.GetString()!));

    /// <summary>Every method and path template of the document, as "GET /api/sessions/{id}".</summary>
    public IEnumerable<string> Routes() => Operations().Select(o => $"{o.Method} {o.Path}");

    /// <summary>Every operation of the document with its method (upper case) and path template.</summary>
    public IEnumerable<(string Method, string Path, JsonElement Operation)> Operations() =>
        _paths.EnumerateObject().SelectMany(p => p.Value.EnumerateObject().Select(m => (m.Name.ToUpperInvariant(), p.Name, m.Value)));

    /// <summary>Query parameters sent that the operation does not document.</summary>
    public static List<string> CheckQuery(JsonElement operation, string path)
    {
        var documented = operation.TryGetProperty("parameters", out var parameters)
            ? parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString()!).ToHashSet()
            : [];
        var query = path.Contains('?') ? path[(path.IndexOf('?') + 1)..] : "";
        return query.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(pair => Uri.UnescapeDataString(pair.Split('=')[0]))
            .Where(name => !documented.Contains(name)).Select(name => $"query parameter '{name}' is not in the document").ToList();
    }

    /// <summary>
    /// The problems with a request body (empty when it conforms): a JSON body is checked against its schema, any other
    /// body only for a documented media type.
    /// </summary>
    public List<string> CheckRequest(JsonElement operation, JsonElement? body, string? contentType = "application/json", bool hasBody = false)
    {
        var errors = new List<string>();
        var sent = body is not null || hasBody;
        if (!operation.TryGetProperty("requestBody", out var requestBody))
        {
            if (sent)
            {
                errors.Add("the operation documents no request body, but one was sent");
            }

            return errors;
        }

        if (!sent)
        {
            if (requestBody.TryGetProperty("required", out var required) && required.GetBoolean())
            {
                errors.Add("the request body is documented as required, but none was sent");
            }

            return errors;
        }

        if (Media(requestBody.GetProperty("content"), contentType) is not { } media)
        {
            errors.Add($"the request body came as '{contentType}', documented as {string.Join(", ", requestBody.GetProperty("content").EnumerateObject().Select(c => c.Name))}");
            return errors;
        }

        if (body is { } b && media.TryGetProperty("schema", out var schema))
        {
            Validate(schema, b, "request", errors);
        }

        return errors;
    }

    /// <summary>
    /// The problems with a response: its status must be documented, with its content type and (JSON) schema, and the
    /// headers a handler sets itself must be documented (the required ones present). A HEAD response has no body to check.
    /// </summary>
    public List<string> CheckResponse(JsonElement operation, int status, string? contentType, JsonElement? body, bool hasBody = false,
        IEnumerable<string>? headers = null, bool head = false)
    {
        var errors = new List<string>();
        var responses = operation.GetProperty("responses");
        if (!responses.TryGetProperty(status.ToString(CultureInfo.InvariantCulture), out var response))
        {
            errors.Add($"status {status} is not documented");
            return errors;
        }

        if (headers is not null)
        {
            var names = headers.ToHashSet(StringComparer.OrdinalIgnoreCase);
            var documented = response.TryGetProperty("headers", out var h) ? h.EnumerateObject().ToList() : [];
            errors.AddRange(names.Where(IsProtocolHeader).Where(n => !documented.Any(d => string.Equals(d.Name, n, StringComparison.OrdinalIgnoreCase)))
                .Select(n => $"status {status}: header '{n}' is not documented"));
            errors.AddRange(documented.Where(d => d.Value.TryGetProperty("required", out var r) && r.GetBoolean() && !names.Contains(d.Name))
                .Select(d => $"status {status}: required header '{d.Name}' is missing"));
        }

        var sent = body is not null || hasBody;
        if (!response.TryGetProperty("content", out var content))
        {
            // An empty answer may still name a content type when the document lists it as a header (a stream's own type).
            var typeIsHeader = response.TryGetProperty("headers", out var named) && named.TryGetProperty("Content-Type", out _);
            if (sent || (contentType is not null && !head && !typeIsHeader))
            {
                errors.Add($"status {status} documents no body, but one came ({contentType})");
            }

            return errors;
        }

        if (contentType is null && head)
        {
            return errors;
        }

        if (Media(content, contentType) is not { } media)
        {
            errors.Add($"status {status} came as '{contentType}', documented as {string.Join(", ", content.EnumerateObject().Select(c => c.Name))}");
            return errors;
        }

        if (head)
        {
            return errors;
        }

        // A body of bytes or text may be empty (an OTLP answer with nothing to say is zero bytes of protobuf).
        if (!sent && !IsText(media))
        {
            errors.Add($"status {status} documents a body, but none came");
            return errors;
        }

        if (body is { } b && media.TryGetProperty("schema", out var schema))
        {
            Validate(schema, b, "response", errors);
        }

        return errors;
    }

    private JsonElement Resolve(JsonElement schema)
    {
        while (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$ref", out var r))
        {
            var pointer = r.GetString()!;
            if (!pointer.StartsWith("#/", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Only local references are supported: {pointer}");
            }

            var target = document;
            foreach (var part in pointer[2..].Split('/'))
            {
                if (!target.TryGetProperty(part.Replace("~1", "/").Replace("~0", "~"), out target))
                {
                    throw new InvalidOperationException($"Dangling reference {pointer}");
                }
            }

            schema = target;
        }

        return schema;
    }

    private void Validate(JsonElement schema, JsonElement value, string at, List<string> errors)
    {
        schema = Resolve(schema);
        if (schema.ValueKind == JsonValueKind.True)
        {
            return;
        }

        if (schema.ValueKind == JsonValueKind.False)
        {
            errors.Add($"{at}: no value is allowed here");
            return;
        }

        if (schema.TryGetProperty("type", out var type) && !TypeMatches(type, value))
        {
            errors.Add($"{at}: {Describe(value)} is not of type {type.GetRawText()}");
            return;
        }

        if (schema.TryGetProperty("enum", out var options) && !options.EnumerateArray().Any(o => JsonElement.DeepEquals(o, value)))
        {
            errors.Add($"{at}: {Describe(value)} is not one of {options.GetRawText()}");
        }

        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(constant, value))
        {
            errors.Add($"{at}: {Describe(value)} is not {constant.GetRawText()}");
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            CheckString(schema, value.GetString()!, at, errors);
        }

        if (value.ValueKind == JsonValueKind.Number && schema.TryGetProperty("format", out var numberFormat))
        {
            var ok = numberFormat.GetString() switch
            {
                "int32" => value.TryGetInt32(out _),
                "int64" => value.TryGetInt64(out _),
                _ => true,
            };
            if (!ok)
            {
                errors.Add($"{at}: {value.GetRawText()} is not {numberFormat.GetString()}");
            }
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            CheckObject(schema, value, at, errors);
        }

        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                Validate(items, item, $"{at}[{i++}]", errors);
            }
        }

        if (schema.TryGetProperty("allOf", out var allOf))
        {
            foreach (var branch in allOf.EnumerateArray())
            {
                Validate(branch, value, at, errors);
            }
        }

        if (schema.TryGetProperty("oneOf", out var oneOf))
        {
            var results = oneOf.EnumerateArray().Select(b => Branch(b, value, at)).ToList();
            var matching = results.Count(r => r.Count == 0);
            if (matching != 1)
            {
                errors.Add($"{at}: {Describe(value)} matches {matching} of the oneOf branches, not exactly one"
                    + (matching == 0 ? ": " + string.Join(" | ", results.Select(r => string.Join("; ", r))) : ""));
            }
        }

        if (schema.TryGetProperty("anyOf", out var anyOf))
        {
            var results = anyOf.EnumerateArray().Select(b => Branch(b, value, at)).ToList();
            if (!results.Any(r => r.Count == 0))
            {
                errors.Add($"{at}: {Describe(value)} matches none of the anyOf branches: " + string.Join(" | ", results.Select(r => string.Join("; ", r))));
            }
        }
    }

    private List<string> Branch(JsonElement schema, JsonElement value, string at)
    {
        var errors = new List<string>();
        Validate(schema, value, at, errors);
        return errors;
    }

    private void CheckObject(JsonElement schema, JsonElement value, string at, List<string> errors)
    {
        var properties = schema.TryGetProperty("properties", out var p) ? p : default;
        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
            {
                if (!value.TryGetProperty(name, out _))
                {
                    errors.Add($"{at}: required property '{name}' is missing");
                }
            }
        }

        var additional = schema.TryGetProperty("additionalProperties", out var a) ? a : (JsonElement?)null;
        var composed = schema.TryGetProperty("oneOf", out _) || schema.TryGetProperty("anyOf", out _) || schema.TryGetProperty("allOf", out _);
        foreach (var property in value.EnumerateObject())
        {
            if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var propertySchema))
            {
                Validate(propertySchema, property.Value, $"{at}.{property.Name}", errors);
            }
            else if (additional is { ValueKind: JsonValueKind.Object } extra)
            {
                Validate(extra, property.Value, $"{at}.{property.Name}", errors);
            }
            else if (additional is { ValueKind: JsonValueKind.False } || (properties.ValueKind == JsonValueKind.Object && !composed))
            {
                errors.Add($"{at}: property '{property.Name}' is not in the document");
            }
        }
    }

    private static void CheckString(JsonElement schema, string text, string at, List<string> errors)
    {
        if (schema.TryGetProperty("pattern", out var pattern) && !Regex.IsMatch(text, pattern.GetString()!))
        {
            errors.Add($"{at}: '{text}' does not match {pattern.GetString()}");
        }

        if (schema.TryGetProperty("format", out var format) && format.GetString() == "date-time"
            && !DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            errors.Add($"{at}: '{text}' is not an RFC 3339 date-time");
        }
    }

    private static bool TypeMatches(JsonElement type, JsonElement value) =>
        type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Any(t => Is(t.GetString()!, value)) : Is(type.GetString()!, value);

    private static bool Is(string type, JsonElement value) => type switch
    {
        "null" => value.ValueKind == JsonValueKind.Null,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && decimal.TryParse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == decimal.Truncate(d),
        _ => throw new InvalidOperationException($"Unknown JSON Schema type '{type}'"),
    };

    private static string Describe(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length > 80 ? text[..80] + "…" : text;
    }
}
