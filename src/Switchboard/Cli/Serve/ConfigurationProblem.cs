using System.Text.RegularExpressions;
using Switchboard.Core.Alerts;
using Switchboard.Server.Hooks.Options;
using Switchboard.Server.Options;
using Switchboard.Storage.Sqlite;

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

    /// <summary>
    /// The enums a setting takes, looked up by the name the binder prints. A list, not a type lookup by name: in the Native
    /// AOT build no type can be found by name. A new enum setting goes here, or its message says only "a valid value".
    /// </summary>
    private static readonly Type[] SettingEnums =
    [
        typeof(SqliteDurability), typeof(ApiKeyRole), typeof(ApiKeyScope), typeof(HookActivity), typeof(HookApprovalFallback),
        typeof(AlertCondition), typeof(AlertSeverity),
    ];

    private static string Expected(string typeName)
    {
        // The binder prints typeof(T): "System.Int32", "System.Nullable`1[System.Int32]", an enum's full name.
        var name = NullableOf().Match(typeName) is { Success: true } inner ? inner.Groups["type"].Value : typeName;
        if (Array.Find(SettingEnums, e => e.FullName == name) is { } type)
        {
            return "one of " + string.Join(", ", Enum.GetNames(type));
        }

        return name switch
        {
            "System.Int32" or "System.Int64" or "System.Int16" => "a whole number",
            "System.Double" or "System.Decimal" or "System.Single" => "a number",
            "System.Boolean" => "true or false",
            "System.TimeSpan" => "a duration such as 00:00:30 (hh:mm:ss)",
            "System.Uri" => "an absolute address such as http://127.0.0.1:5080",
            _ => "a valid value",
        };
    }

    [GeneratedRegex(@"^System\.Nullable`1\[\[?(?<type>[^,\]]+)")]
    private static partial Regex NullableOf();

    // "Failed to convert configuration value 'abc' at 'Switchboard:Sockets:MaxConnections' to type 'System.Int32'."
    [GeneratedRegex(@"configuration value '(?<value>.*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'")]
    private static partial Regex ConversionFailure();
}
