using Microsoft.Extensions.Configuration.Memory;
using Switchboard.Core.Hosting;
using Switchboard.Server.Options;

namespace Switchboard.Cli.Serve;

/// <summary>
/// Where the executable's settings come from, shared by <c>serve</c> and <c>token</c>: the <c>Switchboard</c> configuration
/// section, then the <c>SWITCHBOARD_*</c> variables and <c>--data-dir</c> on top.
/// </summary>
internal static class Settings
{
    /// <summary>Comma-separated API keys, each optionally followed by :read or :write (the default). Any key turns auth on.</summary>
    public const string ApiKeysVariable = "SWITCHBOARD_API_KEYS";

    /// <summary>The subscriber-token signing secret (at least 32 characters); generated into the data directory when unset.</summary>
    public const string TokenSecretVariable = "SWITCHBOARD_TOKEN_SECRET";

    /// <summary>The data directory when <c>--data-dir</c> is not given.</summary>
    public const string DataDirVariable = "SWITCHBOARD_DATA_DIR";

    /// <summary>
    /// The lowest-precedence configuration: an appsettings.json in the working directory (or <c>--contentRoot</c>),
    /// environment variables and arguments override it. Per-request hosting logs are off: at Information they cost a
    /// quarter of the ingest rate, and hosting diagnostics keep an Activity alive per WebSocket (docs/benchmarks.md).
    /// </summary>
    public static void AddDefaults(IConfigurationBuilder configuration) => configuration.Sources.Insert(0, new MemoryConfigurationSource
    {
        InitialData = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "None",
        },
    });

    /// <summary>The executable's own key for the node's directory (the SQLite database and the generated token secret).</summary>
    public const string DataDirectoryKey = "Switchboard:DataDirectory";

    /// <summary>
    /// The node's directory: <c>--data-dir</c>, else <c>SWITCHBOARD_DATA_DIR</c>, else <c>Switchboard:DataDirectory</c> in
    /// the configuration, else <c>./data</c> of the working directory.
    /// </summary>
    public static string DataDirectory(string? option, IConfiguration configuration) =>
        option
        ?? (Environment.GetEnvironmentVariable(DataDirVariable) is { Length: > 0 } fromEnv ? fromEnv : null)
        ?? (configuration[DataDirectoryKey] is { Length: > 0 } configured ? configured : null)
        ?? SwitchboardDefaults.DataDirectory;

    /// <summary>Binds the <c>Switchboard</c> section into <paramref name="options"/>, then applies the variables.</summary>
    public static void Apply(SwitchboardOptions options, IConfiguration configuration)
    {
        RenamedSettings.Bind(configuration.GetSection("Switchboard"), options);
        ApplyVariables(options);
    }

    /// <summary>The <c>SWITCHBOARD_*</c> variables on top of the configuration: keys are added, the secret replaces.</summary>
    public static void ApplyVariables(SwitchboardOptions options)
    {
        options.Security.AddApiKeys(Environment.GetEnvironmentVariable(ApiKeysVariable));
        if (Environment.GetEnvironmentVariable(TokenSecretVariable) is { Length: > 0 } secret)
        {
            options.Security.TokenSigningKey = secret;
        }
    }

    /// <summary>Says where a configuration key's value came from, for messages: "appsettings.json", "environment variable X", …</summary>
    public static string Origin(IConfiguration configuration, string key)
    {
        if (configuration is IConfigurationRoot root)
        {
            foreach (var provider in root.Providers.Reverse())
            {
                if (!provider.TryGet(key, out _))
                {
                    continue;
                }

                return provider switch
                {
                    // Its ToString is the only place the prefix shows: "EnvironmentVariablesConfigurationProvider Prefix: 'ASPNETCORE_'".
                    Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationProvider env =>
                        $"environment variable {EnvironmentName(env, key)}",
                    Microsoft.Extensions.Configuration.CommandLine.CommandLineConfigurationProvider => $"--{key} on the command line",
                    FileConfigurationProvider file => file.Source.Path ?? "a configuration file",
                    _ => "the configuration",
                };
            }
        }

        return "the configuration";
    }

    private static string EnvironmentName(ConfigurationProvider provider, string key)
    {
        var text = provider.ToString() ?? "";
        var start = text.IndexOf("Prefix: '", StringComparison.Ordinal);
        var prefix = start < 0 ? "" : text[(start + 9)..].TrimEnd('\'');
        var name = key.Replace(":", "__", StringComparison.Ordinal);
        // Prefixed host variables are spelled in capitals (ASPNETCORE_URLS); the key itself arrives lower-cased.
        return prefix.Length > 0 ? (prefix + name).ToUpperInvariant() : name;
    }
}
