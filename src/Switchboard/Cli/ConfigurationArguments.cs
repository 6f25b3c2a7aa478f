namespace Switchboard.Cli;

/// <summary>
/// What <c>serve</c> passes through to ASP.NET Core configuration: <c>--Section:Key=value</c> (or <c>--Section:Key value</c>)
/// and the host settings <c>--contentRoot</c>, <c>--environment</c> and <c>--applicationName</c>. Anything else left over
/// on the command line is a mistake, reported instead of silently becoming a setting nobody reads.
/// </summary>
internal static class ConfigurationArguments
{
    private static readonly string[] HostSettings = ["contentRoot", "environment", "applicationName"];

    /// <summary>Words people reach for to pick a port; the answer is <c>--urls</c>.</summary>
    private static readonly string[] ListenWords = ["--port", "-p", "--host", "--listen", "--bind", "--address", "--url"];

    /// <summary>Checks the tokens serve did not match; returns what is wrong with them, in the user's terms, or null.</summary>
    public static string? Check(IReadOnlyList<string> tokens, bool isRoot, IEnumerable<string> options, IEnumerable<string> commands)
    {
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (!token.StartsWith("--", StringComparison.Ordinal) || !IsSetting(token[2..].Split('=', 2)[0]))
            {
                return Unknown(token, i + 1 < tokens.Count ? tokens[i + 1] : null, isRoot, options, commands);
            }

            if (!token.Contains('=', StringComparison.Ordinal))
            {
                if (i + 1 >= tokens.Count || tokens[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    return $"{token} needs a value: {token}=VALUE or {token} VALUE.";
                }

                i++; // its value
            }
        }

        return null;
    }

    private static bool IsSetting(string key) =>
        key.Length > 0 && (key.Contains(':', StringComparison.Ordinal) && !key.StartsWith(':') && !key.EndsWith(':')
            || HostSettings.Contains(key, StringComparer.OrdinalIgnoreCase));

    private static string Unknown(string token, string? next, bool isRoot, IEnumerable<string> options, IEnumerable<string> commands)
    {
        var name = token.Split('=', 2)[0];
        if (name.StartsWith('-'))
        {
            if (ListenWords.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                var port = token.Contains('=', StringComparison.Ordinal) ? token.Split('=', 2)[1] : next;
                var example = int.TryParse(port, out var p) && p is > 0 and <= 65535 ? $"http://127.0.0.1:{p}" : "http://127.0.0.1:5090";
                return $"unknown option '{name}'. To choose where the server listens, use --urls {example}.";
            }

            return Suggestions.Closest(name, options) is { } option
                ? $"unknown option '{name}'. Did you mean '{option}'?"
                : $"unknown option '{name}'. See 'switchboard {(isRoot ? "" : "serve ")}--help'; any other setting goes as --Section:Key=value.";
        }

        if (!isRoot)
        {
            return $"unexpected argument '{token}' for 'serve'. See 'switchboard serve --help'.";
        }

        var known = commands.ToList();
        return Suggestions.Closest(token, known) is { } command
            ? $"unknown command '{token}'. Did you mean '{command}'?"
            : $"unknown command '{token}'. The commands are {string.Join(", ", known)}; with none, switchboard serves.";
    }
}
