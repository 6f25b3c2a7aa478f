using System.Text.Json;
using ModelContextProtocol;

namespace Switchboard.Server.Mcp;

/// <summary>
/// A tool call's arguments, read against its schema: an unknown name, a wrong type or a value out of range is a JSON-RPC
/// error (-32602) naming the argument and what it takes, before anything is read or written.
/// </summary>
internal sealed class McpArguments
{
    private readonly IDictionary<string, JsonElement> _args;
    private readonly string _tool;

    public McpArguments(string tool, IDictionary<string, JsonElement>? args, IReadOnlyCollection<string> known)
    {
        _tool = tool;
        _args = args ?? new Dictionary<string, JsonElement>();
        foreach (var name in _args.Keys)
        {
            if (!known.Contains(name))
            {
                throw Invalid($"unknown argument '{Clip(name)}'; {tool} takes {(known.Count == 0 ? "no arguments" : string.Join(", ", known))}");
            }
        }
    }

    public string? String(string name, int maxLength, bool required = false)
    {
        if (!Present(name, out var value))
        {
            return required ? throw Invalid($"'{name}' is required") : null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw Invalid($"'{name}' must be a string");
        }

        var text = value.GetString()!;
        if (text.Length > maxLength)
        {
            throw Invalid($"'{name}' is {text.Length} characters; at most {maxLength}");
        }

        return required && text.Length == 0 ? throw Invalid($"'{name}' must not be empty") : text;
    }

    public string? OneOf(string name, IReadOnlyCollection<string> allowed, bool required = false)
    {
        var text = String(name, 64, required);
        return text is null || allowed.Contains(text) ? text : throw Invalid($"'{name}' must be one of {string.Join(", ", allowed)}; got '{Clip(text)}'");
    }

    /// <summary>An array of at most 20 names, each one of <paramref name="allowed"/> when given, else of at most 64 characters.</summary>
    public List<string>? Strings(string name, IReadOnlyCollection<string>? allowed)
    {
        if (!Present(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > 20
            || value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String || (allowed?.Contains(v.GetString()!) ?? v.GetString()!.Length <= 64) is false))
        {
            throw Invalid(allowed is null ? $"'{name}' must be an array of at most 20 names" : $"'{name}' must be an array of {string.Join(", ", allowed)}");
        }

        return [.. value.EnumerateArray().Select(v => v.GetString()!)];
    }

    public long? Long(string name, long min, long max)
    {
        if (!Present(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) && n >= min && n <= max
            ? n
            : throw Invalid($"'{name}' must be an integer from {min} to {max}");
    }

    public int Int(string name, int min, int max, int fallback) => (int)(Long(name, min, max) ?? fallback);

    public decimal? Decimal(string name, decimal min)
    {
        if (!Present(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var n) && n >= min
            ? n
            : throw Invalid($"'{name}' must be a number of at least {min}");
    }

    public bool? Bool(string name)
    {
        if (!Present(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Invalid($"'{name}' must be true or false"),
        };
    }

    /// <summary>An object of string values (labels): at most <paramref name="maxPairs"/> pairs.</summary>
    public Dictionary<string, string>? Labels(string name, int maxPairs) => StringMap(name, maxPairs, 256, 256,
        $"'{name}' must be an object of label names to values, e.g. {{\"team\": \"red\"}}",
        $"'{name}' takes at most {maxPairs} labels, each a name and a string value of at most 256 characters");

    /// <summary>An object of string values, at most <paramref name="maxPairs"/> pairs of bounded names and values.</summary>
    public Dictionary<string, string>? StringMap(string name, int maxPairs, int maxName, int maxValue, string notAnObject, string outOfBounds)
    {
        if (!Present(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(notAnObject);
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in value.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String || map.Count == maxPairs || p.Name.Length > maxName || p.Value.GetString()!.Length > maxValue)
            {
                throw Invalid(outOfBounds);
            }

            map[p.Name] = p.Value.GetString()!;
        }

        return map;
    }

    /// <summary>The raw value of <paramref name="name"/> when it is an object.</summary>
    public JsonElement? Object(string name)
    {
        if (!Present(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Object ? value : throw Invalid($"'{name}' must be an object");
    }

    private bool Present(string name, out JsonElement value) =>
        _args.TryGetValue(name, out value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);

    public McpProtocolException Invalid(string what) => new($"Invalid arguments for {_tool}: {what}.", McpErrorCode.InvalidParams);

    private static string Clip(string text) => text.Length > 64 ? text[..64] + "…" : text;
}
