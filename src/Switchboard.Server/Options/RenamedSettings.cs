using Microsoft.Extensions.Configuration;

namespace Switchboard.Server.Options;

/// <summary>
/// Settings whose keys were renamed, still read under their old keys: the old section is bound first, so the new key
/// wins where both are set, and the node logs each old key it was given once at start (<c>Hosting.DeprecatedSetting</c>).
/// </summary>
internal static class RenamedSettings
{
    /// <summary>Old key → new key, below the <c>Switchboard</c> section.</summary>
    private static readonly (string Old, string New)[] Renames =
    [
        ("Stream", "Sockets"), // the sockets' settings, so "stream" means a Durable Stream only
    ];

    /// <summary>Binds <paramref name="section"/> (the <c>Switchboard</c> section) into <paramref name="options"/>, old keys first.</summary>
    public static void Bind(IConfiguration section, SwitchboardOptions options)
    {
        section.GetSection("Stream").Bind(options.Sockets);
        section.Bind(options);
    }

    /// <summary>The old keys <paramref name="section"/> sets, each with the key that replaces it.</summary>
    public static IReadOnlyList<(string Old, string New)> Found(IConfiguration section) =>
        [.. Renames.Where(r => section.GetSection(r.Old).Exists()).Select(r => ($"Switchboard:{r.Old}", $"Switchboard:{r.New}"))];

    /// <summary>The time span <paramref name="key"/> under the sockets' section, under its new key or else its old one.</summary>
    /// <remarks>Not generic: the configuration binding generator binds only calls whose type it sees at compile time.</remarks>
    public static TimeSpan Socket(IConfiguration configuration, string key, TimeSpan defaultValue) =>
        configuration.GetSection($"Switchboard:Sockets:{key}").Exists() ? configuration.GetValue($"Switchboard:Sockets:{key}", defaultValue)
            : configuration.GetValue($"Switchboard:Stream:{key}", defaultValue);
}
