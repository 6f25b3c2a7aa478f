using System.CommandLine;
using System.Globalization;
using Switchboard.Cli.Serve;
using Switchboard.Core.Hosting;
using Switchboard.Server.Options;
using Switchboard.Server.Security;

namespace Switchboard.Cli;

/// <summary>
/// <c>switchboard token [--topics …] [--label k=v] [--ttl 15m]</c>: mints a subscriber token offline, signed with the
/// secret the server uses (<c>SWITCHBOARD_TOKEN_SECRET</c>, the configuration, or the one generated into the data
/// directory), with the same rules as <c>POST /api/tokens</c>. Stdout holds only the token.
/// </summary>
internal static class TokenVerb
{
    private static readonly string[] AllTopics = ["sessions", "summary", "session:*", "usage"];

    private static readonly Option<string[]?> Topics = OptionValues.CommaList("--topics",
        "Topic patterns the token may join, comma-separated (default: sessions, summary and session:*; without summary when --label is given).");

    private static readonly Option<Dictionary<string, string>?> Labels = ClientVerb.LabelOption(
        "Scope the token to sessions carrying this label (key=value; repeatable).");

    private static readonly Option<TimeSpan?> Ttl = OptionValues.Duration("--ttl",
        "How long the token is valid: 90s, 15m, 1h (default the server's TokenLifetime, 15m; at most its TokenMaxLifetime, 24h).");

    private static readonly Option<string> DataDir = new("--data-dir")
    {
        Description = $"The server's data directory, where a generated secret lives (default ./data, or {Settings.DataDirVariable}).",
    };

    public static Command Create()
    {
        var command = new Command("token", "Mint a subscriber token for browsers and other consumers, signed with the server's secret.");
        command.Options.Add(Topics);
        command.Options.Add(Labels);
        command.Options.Add(Ttl);
        command.Options.Add(DataDir);
        command.SetAction(Run);
        return command;
    }

    private static int Run(ParseResult result)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .Build();
        var options = new SwitchboardOptions();
        Settings.Apply(options, configuration);
        var node = new NodeDirectory(Path.GetFullPath(Settings.DataDirectory(result.GetValue(DataDir), configuration)));
        var security = options.Security;
        var labels = result.GetValue(Labels);
        if (Problem(result, security, labels, out var topics, out var lifetime) is { } problem)
        {
            Console.Error.WriteLine("switchboard: " + problem);
            return SwitchboardCommandLine.UsageError;
        }

        var secret = new TokenSecret(options, node);
        if (string.IsNullOrEmpty(security.TokenSigningKey)
            && !File.Exists(Path.Combine(node.Path, SwitchboardDefaults.TokenSecretFileName)))
        {
            Console.Error.WriteLine($"switchboard: no token secret: {Settings.TokenSecretVariable} is not set and {node.Path} has no " +
                $"{SwitchboardDefaults.TokenSecretFileName} (the server writes one there on its first start with auth on). Pass the server's --data-dir, or set {Settings.TokenSecretVariable}.");
            return SwitchboardCommandLine.Failure;
        }

        secret.Load();
        var (token, expires) = new SubscriberTokens(secret, TimeProvider.System).Mint(topics, labels, lifetime);
        Console.Out.WriteLine(token);
        Console.Error.WriteLine($"# expires {expires.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)} ({OptionValues.Describe(lifetime)}); " +
            $"topics {string.Join(", ", topics)}{(labels is null ? "" : "; labels " + string.Join(", ", labels.Select(l => $"{l.Key}={l.Value}")))}; signed with {secret.Source}");
        return 0;
    }

    /// <summary>The same rules as <c>POST /api/tokens</c>.</summary>
    private static string? Problem(ParseResult result, SecurityOptions security, Dictionary<string, string>? labels, out List<string> topics, out TimeSpan lifetime)
    {
        lifetime = result.GetValue(Ttl) ?? security.TokenLifetime;
        topics = result.GetValue(Topics) is { } asked ? [.. asked] : [.. AllTopics.Where(t => labels is null || t is not ("summary" or "usage"))];
        if (lifetime < TimeSpan.FromSeconds(1) || lifetime > security.TokenMaxLifetime)
        {
            return $"--ttl must be from 1s to {OptionValues.Describe(security.TokenMaxLifetime)} (the server's TokenMaxLifetime); got {OptionValues.Describe(lifetime)}.";
        }

        if (topics.Count > SubscriberTokens.MaxTopics)
        {
            return $"--topics takes at most {SubscriberTokens.MaxTopics} topic patterns.";
        }

        foreach (var topic in topics)
        {
            if (TopicPattern.Validate(topic) is { } error)
            {
                return $"--topics: {error}; got '{topic}'.";
            }

            if (labels is not null && topic is "summary" or "usage")
            {
                return $"'{topic}' is fleet-wide, so a token with --label cannot include it; leave it out of --topics.";
            }
        }

        return null;
    }
}
