using System.Text.Json;
using Switchboard.Core.Json;
using Switchboard.Core.Sessions;
using Switchboard.Core.Writes;
using Switchboard.Server.Http;
using Switchboard.Server.Responses;

namespace Switchboard.Server.Sessions;

/// <summary>
/// Reads the fields of one JSON object strictly: every field must be known (a typo such as <c>sate</c> is
/// an error, not silently ignored), appear once and have the right type. Errors name the field and the rule. The plain
/// session fields are read through it by their generated code (<see cref="IRequestFields"/>).
/// </summary>
internal sealed class FieldReader : IRequestFields
{
    private readonly Dictionary<string, JsonElement> _fields = new(StringComparer.Ordinal);
    private readonly string _prefix;

    /// <summary>
    /// Checks <paramref name="value"/> is an object whose fields are all in <paramref name="known"/> and, unless
    /// <paramref name="shallow"/> (a batch checks each operation on its own), that every string in it is text.
    /// </summary>
    public FieldReader(JsonElement value, IReadOnlyCollection<string> known, string prefix = "", bool shallow = false)
    {
        _prefix = prefix;
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw RequestException.Field(prefix.TrimEnd('.'), $"Expected a JSON object{Where()}; got {Describe(value)}.");
        }

        JsonText.ThrowIfNotText(value, prefix.TrimEnd('.'), shallow);

        foreach (var p in value.EnumerateObject())
        {
            if (!known.Contains(p.Name))
            {
                var hint = Closest(p.Name, known) is { } guess ? $" Did you mean '{guess}'?" : "";
                throw RequestException.Field(prefix + p.Name,
                    $"Unknown field '{prefix}{p.Name}'.{hint} Known fields: {string.Join(", ", known)}.");
            }

            if (!_fields.TryAdd(p.Name, p.Value))
            {
                throw RequestException.Field(prefix + p.Name, $"Field '{prefix}{p.Name}' appears more than once.");
            }
        }
    }

    public bool Has(string name) => _fields.ContainsKey(name);

    public bool? Bool(string name) => Get(name) is { } v
        ? v.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => throw Type(name, v, "true or false") }
        : null;

    public string? String(string name) => Get(name) is { } v ? StringValue(name, v, nullable: false) : null;

    public Optional<string?> NullableString(string name) =>
        Get(name) is { } v ? new Optional<string?>(StringValue(name, v, nullable: true)) : default;

    public long? Long(string name)
    {
        if (Get(name) is not { } v)
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n
            : throw Type(name, v, "an integer");
    }

    /// <summary>A PUT's optional <c>expected_version</c> of a webhook or an alert rule: an integer of 1 or more.</summary>
    public long? ExpectedVersion()
    {
        var expected = Long("expected_version");
        return Switchboard.Core.Errors.SwitchboardError.ExpectedVersionOutOfRange(expected) is { } error
            ? throw new RequestException(ProblemResult.From(error))
            : expected;
    }

    public int? Int(string name)
    {
        if (Get(name) is not { } v)
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n
            : throw Type(name, v, "an integer (32-bit)");
    }

    public Optional<int?> NullableInt(string name)
    {
        if (Get(name) is not { } v)
        {
            return default;
        }

        return v.ValueKind == JsonValueKind.Null ? new Optional<int?>(null) : new Optional<int?>(Int(name));
    }

    public decimal? Decimal(string name)
    {
        if (Get(name) is not { } v)
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.Number && v.TryGetDecimal(out var d) ? d : throw Type(name, v, "a number");
    }

    public SessionState? State(string name)
    {
        if (String(name) is not { } text)
        {
            return null;
        }

        return SessionStates.TryParse(text, out var state) ? state
            : throw RequestException.Field(_prefix + name, $"'{_prefix}{name}' must be one of {SessionStates.WireList}; got '{Clip(text)}'.");
    }

    public IReadOnlyDictionary<string, string>? Labels(string name)
    {
        if (Get(name) is not { } v)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            throw Type(name, v, "an object of string values");
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in v.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String)
            {
                throw RequestException.Field(_prefix + name, $"Label '{Clip(p.Name)}' must have a string value; got {Describe(p.Value)}.");
            }

            labels[p.Name] = p.Value.GetString()!;
        }

        return labels;
    }

    /// <summary>An array of strings, or null when the field is absent.</summary>
    public List<string>? StringList(string name, int maxCount)
    {
        if (Get(name) is not { } v)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            throw Type(name, v, "an array of strings");
        }

        if (v.GetArrayLength() > maxCount)
        {
            throw RequestException.Field(_prefix + name, $"'{_prefix}{name}' holds at most {maxCount} entries; got {v.GetArrayLength()}.");
        }

        var list = new List<string>();
        foreach (var item in v.EnumerateArray())
        {
            list.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw Type(name, item, "an array of strings"));
        }

        return list;
    }

    /// <summary>A JSON object field, returned as compact JSON text.</summary>
    public string? JsonObject(string name)
    {
        if (Get(name) is not { } v)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            throw Type(name, v, "a JSON object");
        }

        // Compact and escaped only where JSON requires, so its size is counted as the UTF-8 bytes it is (the limit's documented unit).
        return CompactJson.Write(v);
    }

    /// <summary>The raw field, or null when it is absent. Typed readers reject a JSON null where the field cannot be cleared.</summary>
    private JsonElement? Get(string name)
    {
        if (!_fields.TryGetValue(name, out var v))
        {
            return null;
        }

        return v;
    }

    private string? StringValue(string name, JsonElement v, bool nullable) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Null when nullable => null,
        _ => throw Type(name, v, nullable ? "a string or null" : "a string"),
    };

    private RequestException Type(string name, JsonElement v, string expected) =>
        RequestException.Field(_prefix + name, $"'{_prefix}{name}' must be {expected}; got {Describe(v)}.");

    private string Where() => _prefix.Length == 0 ? "" : $" at '{_prefix.TrimEnd('.')}'";

    private static string Describe(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Clip(v.GetString()!)}\"",
        JsonValueKind.Number => $"the number {Clip(v.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {v.GetRawText()}",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };

    private static string Clip(string s) => s.Length > 40 ? s[..40] + "…" : s;

    private static string? Closest(string name, IReadOnlyCollection<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var k in known)
        {
            var d = Distance(name.ToLowerInvariant(), k);
            if (d < bestDistance)
            {
                best = k;
                bestDistance = d;
            }
        }

        return bestDistance <= Math.Max(2, name.Length / 3) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        if (a.Length > 64 || b.Length > 64)
        {
            return int.MaxValue;
        }

        var row = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            row[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }

        return row[b.Length];
    }
}
