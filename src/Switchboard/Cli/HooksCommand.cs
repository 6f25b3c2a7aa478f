using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.Cli;

/// <summary>
/// <c>switchboard hooks install claude-code|codex|gemini-cli [--url …] [--key-env NAME] [--settings FILE] [--print]</c>:
/// merges Switchboard's hooks into the agent's settings file (idempotent; a backup of the file as it was beside it; the
/// user's own hooks and settings kept), or prints them. The file names the variable that holds the key, never the key.
/// </summary>
internal static class HooksCommand
{
    // Relaxed escaping: the file is for people to read, and the curl command's quotes stay quotes.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly Argument<string> Agent = new("agent")
    {
        Description = "The agent: claude-code, codex or gemini-cli.",
    };

    private static readonly Option<Uri> Url = WithDescription(ClientCommand.UrlOption(), $"The Switchboard server the hooks post to. Default {SwitchboardDefaults.Urls}.");

    private static readonly Option<string> KeyEnv = new("--key-env")
    {
        Description = $"The environment variable that holds the API key, in the agent's environment (default {ClientCommand.ApiKeyVariable}). The file names it, never the key.",
        DefaultValueFactory = _ => ClientCommand.ApiKeyVariable,
    };

    private static readonly Option<string?> SettingsFile = new("--settings")
    {
        Description = "The settings file to merge into (default: the agent's user settings: ~/.claude/settings.json, $CODEX_HOME/hooks.json, ~/.gemini/settings.json).",
    };

    private static readonly Option<bool> Print = new("--print")
    {
        Description = "Print the hook configuration instead of writing it.",
    };

    public static Command Create()
    {
        var hooks = new Command("hooks", "Point a coding agent's hooks at Switchboard: its sessions show live, wait for you, and take commands.");
        var install = new Command("install", "Merge Switchboard's hooks into the agent's settings file (a backup beside it), or print them.");
        install.Arguments.Add(Agent);
        install.Options.Add(Url);
        install.Options.Add(KeyEnv);
        install.Options.Add(SettingsFile);
        install.Options.Add(Print);
        install.Validators.Add(r =>
        {
            if (r.GetValue(Agent) is { } agent && HookSettings.All.All(s => s.Agent != agent))
            {
                r.AddError($"Unknown agent '{agent}': use claude-code, codex or gemini-cli.");
            }

            if (r.GetValue(KeyEnv) is { } name && !IsVariableName(name))
            {
                r.AddError($"--key-env must be an environment variable's name ([A-Za-z_][A-Za-z0-9_]*); got '{name}'.");
            }
        });
        install.SetAction(Run);
        hooks.Subcommands.Add(install);
        return hooks;
    }

    private static Option<Uri> WithDescription(Option<Uri> option, string description)
    {
        option.Description = description;
        return option;
    }

    private static bool IsVariableName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static int Run(ParseResult result)
    {
        var agent = HookSettings.All.Single(s => s.Agent == result.GetValue(Agent));
        var server = result.GetValue(Url)!;
        var keyEnv = result.GetValue(KeyEnv)!;
        if (result.GetValue(Print))
        {
            Console.Out.WriteLine(new JsonObject { ["hooks"] = agent.Hooks(server, keyEnv) }.ToJsonString(Indented));
            WriteNotes(agent, keyEnv, path: null);
            return 0;
        }

        var home = Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var path = Path.GetFullPath(result.GetValue(SettingsFile) ?? agent.DefaultPath(home));
        string? before = File.Exists(path) ? File.ReadAllText(path) : null;
        JsonObject settings;
        try
        {
            settings = before is null || before.Trim().Length == 0
                ? []
                : JsonNode.Parse(before, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                    ?? throw new InvalidDataException("it is not a JSON object");
            settings = agent.Merge(settings, server, keyEnv);
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException)
        {
            Console.Error.WriteLine($"switchboard: {path} was left as it was: {SwitchboardCommandLine.OneLine(ex.Message)}. Fix the file, or print the hooks with --print and merge them by hand.");
            return SwitchboardCommandLine.Failure;
        }

        var after = settings.ToJsonString(Indented) + "\n";
        if (after == before)
        {
            Console.Error.WriteLine($"# {path} already has Switchboard's hooks for {agent.Agent} at {agent.Endpoint(server)}; nothing changed");
        }
        else
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (before is not null)
            {
                File.WriteAllText(path + ".bak", before); // the file as it was before this change
            }

            var temporary = path + ".switchboard-tmp";
            File.WriteAllText(temporary, after, new UTF8Encoding(false));
            File.Move(temporary, path, overwrite: true);
            Console.Error.WriteLine($"# wrote Switchboard's hooks for {agent.Agent} to {path}" + (before is null ? "" : $" (the file as it was: {path}.bak)"));
        }

        WriteNotes(agent, keyEnv, path);
        return 0;
    }

    private static void WriteNotes(HookSettings agent, string keyEnv, string? path)
    {
        Console.Error.WriteLine($"# the hooks send the key in ${keyEnv} when the server has keys (a write key); the file never holds it");
        if (agent == HookSettings.Codex)
        {
            Console.Error.WriteLine("# Codex runs a hook only once you trust it: start codex, type /hooks and trust the Switchboard hooks (again after any change to them);");
            Console.Error.WriteLine("#   until then codex exec skips them silently (--dangerously-bypass-hook-trust runs them for one invocation)");
        }
        else if (agent == HookSettings.GeminiCli)
        {
            Console.Error.WriteLine("# Gemini CLI's timeouts are in milliseconds: 600000 lets a held approval wait its 5 minutes");
        }

        if (path is not null && agent == HookSettings.ClaudeCode)
        {
            Console.Error.WriteLine("# start a new claude session: its hooks are read at start");
        }
    }
}
