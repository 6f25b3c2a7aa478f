using System.CommandLine;
using System.Text.Json;

namespace Switchboard.Cli;

/// <summary>
/// <c>switchboard mcp install claude-code|codex|gemini-cli [--url …] [--key-env NAME] [--settings FILE] [--print]</c>: adds
/// Switchboard's MCP server (<c>/mcp</c>) to the agent's MCP configuration, so the agent can supervise the fleet
/// (docs/mcp.md). Merged and idempotent as <c>hooks install</c> is (the same settings file handling: a backup beside it,
/// symlinks followed, the mode kept); the configuration names the variable that holds the key, never the key.
/// </summary>
internal static class McpVerb
{
    private static readonly Argument<string> Agent = new("agent") { Description = "The agent: claude-code, codex or gemini-cli." };

    private static readonly AgentSettingsOptions Options = new(
        "~/.claude.json, $CODEX_HOME/config.toml, ~/.gemini/settings.json", "the MCP server entry");

    public static Command Create()
    {
        var mcp = new Command("mcp", "Let a coding agent supervise the fleet through Switchboard's MCP server.");
        var install = new Command("install", "Add Switchboard's MCP server to the agent's MCP configuration (a backup beside it), or print it.");
        install.Arguments.Add(Agent);
        install.Validators.Add(r => AgentSettingsOptions.ValidateAgent(r, Agent, McpSettings.All.Select(s => s.Agent)));
        Options.AddTo(install);
        install.SetAction(Install);
        mcp.Subcommands.Add(install);
        return mcp;
    }

    private static int Install(ParseResult result)
    {
        var agent = McpSettings.All.Single(s => s.Agent == result.GetValue(Agent));
        var server = result.GetValue(Options.Url)!;
        var keyEnv = result.GetValue(Options.KeyEnv)!;
        if (result.GetValue(Options.Print))
        {
            Console.Out.WriteLine(agent.IsToml
                ? McpSettings.Table(server, keyEnv)
                : new System.Text.Json.Nodes.JsonObject { ["mcpServers"] = new System.Text.Json.Nodes.JsonObject { [McpSettings.Name] = agent.Entry(server, keyEnv) } }.ToJsonString(AgentSettingsOptions.Indented));
            WriteNotes(keyEnv);
            return 0;
        }

        var file = Options.File(result, agent.DefaultPath);
        string? after;
        try
        {
            after = agent.IsToml ? McpSettings.MergeToml(file.Text, server, keyEnv)
                : agent.Merge(file.Read(), server, keyEnv) is { } merged ? merged.ToJsonString(AgentSettingsOptions.Indented) + "\n" : null;
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
