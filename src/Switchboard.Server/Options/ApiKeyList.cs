namespace Switchboard.Server.Options;

/// <summary>
/// One entry of a key list such as <c>SWITCHBOARD_API_KEYS</c>: <c>[@name ]key[:read|:agent|:operator] label=value …</c>.
/// The name comes first, marked by <c>@</c>, so it can be taken neither for a label (which has <c>=</c>) nor for the key;
/// the role is the key's last <c>:</c> suffix, since a key may itself hold <c>:</c> and <c>=</c>.
/// </summary>
internal static class ApiKeyList
{
    public static ApiKeyOptions Parse(string entry)
    {
        var parts = entry.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        string? name = null;
        var next = 0;
        if (parts[0].StartsWith('@'))
        {
            name = parts[0][1..];
            next = 1;
        }

        var key = next < parts.Length ? parts[next++] : "";
        var colon = key.LastIndexOf(':');
        ApiKeyRole? role = colon > 0 ? RoleOf(key[(colon + 1)..]) : null;
        var effective = role ?? ApiKeyRole.Operator;
        var options = new ApiKeyOptions
        {
            Key = role is null ? key : key[..colon],
            Role = effective,
            Scope = effective == ApiKeyRole.Read ? ApiKeyScope.Read : ApiKeyScope.Write,
            Name = name,
        };
        foreach (var pair in parts.Skip(next))
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0 || eq == pair.Length - 1)
            {
                options.ScopeProblem ??= $"its labels scope has '{(pair.Length > 40 ? pair[..40] + "…" : pair)}', which is not a key=value label";
            }
            else if (!options.Labels.TryAdd(pair[..eq], pair[(eq + 1)..]))
            {
                options.ScopeProblem ??= $"its labels scope names label '{pair[..eq]}' twice";
            }
        }

        return options;
    }

    /// <summary>The role a suffix names; null when it names none (then it is part of the key).</summary>
    private static ApiKeyRole? RoleOf(string suffix) => suffix.ToLowerInvariant() switch
    {
        "read" => ApiKeyRole.Read,
        "agent" => ApiKeyRole.Agent,
        "operator" or "write" => ApiKeyRole.Operator,
        _ => null,
    };
}
