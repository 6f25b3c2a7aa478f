using System.Text.RegularExpressions;

namespace Switchboard.Cli.Serve;

/// <summary>
/// A configuration value that does not fit its setting, said in the user's terms: which setting, where it was set, and
/// what it takes (the binder's own message names .NET types).
/// </summary>
internal static partial class ConfigurationProblem
{
    /// <summary>The line for a binding failure, or null when <paramref name="ex"/> is something else.</summary>
    public static string? Describe(Exception ex, IConfiguration configuration)
    {
        if (ex is not InvalidOperationException || ConversionFailure().Match(ex.Message) is not { Success: true } m)
        {
            return null;
        }

        var (value, key, type) = (m.Groups["value"].Value, m.Groups["key"].Value, m.Groups["type"].Value);
        return $"the setting {key} = '{value}' (from {Settings.Origin(configuration, key)}) is not {Expected(type)}.";
    }

    private static string Expected(string typeName)
    {
        var type = Type.GetType(typeName) ?? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName)).FirstOrDefault(t => t is not null);
        type = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            null => "a valid value",
            { IsEnum: true } => "one of " + string.Join(", ", Enum.GetNames(type)),
            _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => "a whole number",
            _ when type == typeof(double) || type == typeof(decimal) || type == typeof(float) => "a number",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(TimeSpan) => "a duration such as 00:00:30 (hh:mm:ss)",
            _ when type == typeof(Uri) => "an absolute address such as http://127.0.0.1:5080",
            _ => "a valid value",
        };
    }

    // "Failed to convert configuration value 'abc' at 'Switchboard:Sockets:MaxConnections' to type 'System.Int32'."
    [GeneratedRegex(@"configuration value '(?<value>.*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'")]
    private static partial Regex ConversionFailure();
}
