using System.CommandLine;
using System.Text.Json;
using Switchboard.Core.Hosting;

namespace Switchboard.Cli;

/// <summary>
/// <c>switchboard mcp install claude-code|codex|gemini-cli [--url …] [--key-env NAME] [--settings FILE] [--print]</c>: adds
/// Switchboard's MCP server (<c>/mcp</c>) to the agent's MCP configuration, so the agent can supervise the fleet
/// (docs/mcp.md). Merged and idempotent as <c>hooks install</c> is (the same settings file handling: a backup beside it,
/// symlinks followed, the mode kept); the configuration names the variable that holds the key, never the key.
/// </summary>
internal static class McpVerb
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly Argument<string> Agent = new("agent") { Description = "The agent: claude-code, codex or gemini-cli." };

    private static readonly Option<Uri> Url = WithDescription(ClientVerb.UrlOption(), $"The Switchboard server. Default {SwitchboardDefaults.Urls}.");

    private static readonly Option<string> KeyEnv = new("--key-env")
    {
        Description = $"The environment variable that holds the API key, in the agent's environment (default {ClientVerb.ApiKeyVariable}). The configuration names it, never the key.",
        DefaultValueFactory = _ => ClientVerb.ApiKeyVariable,
    };

    private static readonly Option<string?> SettingsPath = new("--settings")
    {
        Description = "The configuration file to merge into (default: the agent's user configuration: ~/.claude.json, $CODEX_HOME/config.toml, ~/.gemini/settings.json).",
    };

    private static readonly Option<bool> Print = new("--print") { Description = "Print the MCP server entry instead of writing it." };

    public static Command Create()
    {
        var mcp = new Command("mcp", "Let a coding agent supervise the fleet through Switchboard's MCP server.");
        var install = new Command("install", "Add Switchboard's MCP server to the agent's MCP configuration (a backup beside it), or print it.");
        install.Arguments.Add(Agent);
        install.Options.Add(Url);
        install.Options.Add(KeyEnv);
        install.Options.Add(SettingsPath);
        install.Options.Add(Print);
        install.Validators.Add(r =>
        {
            if (r.GetValue(Agent) is { } agent && McpSettings.All.All(s => s.Agent != agent))
            {
                r.AddError($"Unknown agent '{agent}': use claude-code, codex or gemini-cli.");
            }

            if (r.GetValue(KeyEnv) is { } name && !(name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')))
            {
                r.AddError($"--key-env must be an environment variable's name ([A-Za-z_][A-Za-z0-9_]*); got '{name}'.");
            }
        });
        install.SetAction(Install);
        mcp.Subcommands.Add(install);
        return mcp;
    }

    private static Option<Uri> WithDescription(Option<Uri> option, string description)
    {
        option.Description = description;
        return option;
    }

    private static int Install(ParseResult result)
    {
        var agent = McpSettings.All.Single(s => s.Agent == result.GetValue(Agent));
        var server = result.GetValue(Url)!;
        var keyEnv = result.GetValue(KeyEnv)!;
        if (result.GetValue(Print))
        {
            Console.Out.WriteLine(agent.IsToml
                ? McpSettings.Table(server, keyEnv)
                : new System.Text.Json.Nodes.JsonObject { ["mcpServers"] = new System.Text.Json.Nodes.JsonObject { [McpSettings.Name] = agent.Entry(server, keyEnv) } }.ToJsonString(Indented));
            WriteNotes(keyEnv);
            return 0;
        }

        var home = Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var file = new SettingsFile(result.GetValue(SettingsPath) ?? agent.DefaultPath(home));
        string? after;
        try
        {
            after = agent.IsToml ? McpSettings.MergeToml(file.Text, server, keyEnv)
                : agent.Merge(file.Read(), server, keyEnv) is { } merged ? merged.ToJsonString(Indented) + "\n" : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException)
        {
            Console.Error.WriteLine($"switchboard: {file.Path} was left as it was: {SwitchboardCommandLine.OneLine(ex.Message)}. Fix the file, or print the entry with --print and add it by hand.");
            return SwitchboardCommandLine.Failure;
        }

        if (after is null || after == file.Text)
        {
            Console.Error.WriteLine($"# {file.Path} already has Switchboard's MCP server at {McpSettings.Endpoint(server)}; nothing changed");
        }
        else
        {
            var backup = file.Replace(after);
            Console.Error.WriteLine($"# added Switchboard's MCP server ({McpSettings.Endpoint(server)}) to {file.Target}" + (backup is null ? "" : $" (the file as it was: {backup})"));
        }

        WriteNotes(keyEnv);
        return 0;
    }

    private static void WriteNotes(string keyEnv)
    {
        Console.Error.WriteLine($"# the agent sends the key in ${keyEnv}; the file never holds it. An operator key lets it answer approvals and send");
        Console.Error.WriteLine("#   commands; a read or agent key only lets it watch (docs/mcp.md)");
    }
}
