using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json;
using Switchboard.Core.Hosting;

namespace Switchboard.Cli;

/// <summary>
/// The options <c>hooks install</c> and <c>mcp install</c> share, declared once: <c>--url</c> (the server the agent reaches),
/// <c>--key-env</c> (the variable that holds its key; the file names it, never the key), <c>--settings</c> (the agent's file,
/// a default per agent) and <c>--print</c>, and how they are read.
/// </summary>
internal sealed class AgentSettingsOptions
{
    // Relaxed escaping: the files are for people to read, and the curl command's quotes stay quotes.
    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <param name="defaultFiles">What <c>--settings</c> defaults to, per agent, for its description.</param>
    /// <param name="printed">What <c>--print</c> prints instead of writing it.</param>
    public AgentSettingsOptions(string defaultFiles, string printed)
    {
        Url = ClientVerb.UrlOption();
        Url.Description = $"The Switchboard server the agent reaches. Default {SwitchboardDefaults.Urls}.";
        SettingsPath = new("--settings") { Description = $"The file to merge into (default: the agent's user file: {defaultFiles})." };
        Print = new("--print") { Description = $"Print {printed} instead of writing it." };
    }

    public Option<Uri> Url { get; }

    public Option<string> KeyEnv { get; } = new("--key-env")
    {
        Description = $"The environment variable that holds the API key, in the agent's environment (default {ClientVerb.ApiKeyVariable}). The file names it, never the key.",
        DefaultValueFactory = _ => ClientVerb.ApiKeyVariable,
    };

    public Option<string?> SettingsPath { get; }

    public Option<bool> Print { get; }

    /// <summary>Adds the four options to an install command, and the check that <c>--key-env</c> is a variable's name.</summary>
    public void AddTo(Command install)
    {
        install.Options.Add(Url);
        install.Options.Add(KeyEnv);
        install.Options.Add(SettingsPath);
        install.Options.Add(Print);
        install.Validators.Add(r =>
        {
            if (r.GetValue(KeyEnv) is { } name && !IsVariableName(name))
            {
                r.AddError($"--key-env must be an environment variable's name ([A-Za-z_][A-Za-z0-9_]*); got '{name}'.");
            }
        });
    }

    /// <summary>The file <c>--settings</c> names, or the agent's default under the user's home.</summary>
    public SettingsFile File(ParseResult result, Func<string, string> defaultPath)
    {
        var home = Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return new SettingsFile(result.GetValue(SettingsPath) ?? defaultPath(home));
    }

    /// <summary>An unknown agent is said before anything runs, with the agents there are.</summary>
    public static void ValidateAgent(CommandResult r, Argument<string> agent, IEnumerable<string> agents)
    {
        if (r.GetValue(agent) is { } name && !agents.Contains(name))
        {
            r.AddError($"Unknown agent '{name}': use claude-code, codex or gemini-cli.");
        }
    }

    private static bool IsVariableName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
