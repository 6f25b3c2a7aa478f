using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.Cli;

/// <summary>
/// <c>switchboard hooks install claude-code|codex|gemini-cli [--url …] [--key-env NAME] [--settings FILE] [--print]
/// [--answerable-prompts]</c>: merges Switchboard's hooks into the agent's settings file (idempotent; a backup of the file
/// as it was beside it; the user's own hooks and settings kept), or prints them. The file names the variable that holds the
/// key, never the key. Claude Code's permission mode is changed only when asked (<see cref="ClaudeCodePermissionMode"/>),
/// and what it means is said either way.
/// <c>switchboard hooks uninstall AGENT [--settings FILE]</c> removes exactly those hooks again.
/// </summary>
internal static class HooksVerb
{
    private static readonly Argument<string> Agent = new("agent")
    {
        Description = "The agent: claude-code, codex or gemini-cli.",
    };

    private static readonly AgentSettingsOptions Options = new(
        "~/.claude/settings.json, $CODEX_HOME/hooks.json, ~/.gemini/settings.json", "the hook configuration");

    private static readonly Option<bool> AnswerablePrompts = new(ClaudeCodePermissionMode.Flag)
    {
        Description = $"Claude Code only: set permissions.defaultMode to \"{ClaudeCodePermissionMode.Answerable}\", so that each permission prompt in its terminal " +
            "reaches Switchboard as a PermissionRequest you can answer from the dashboard (in its default auto mode Switchboard only sees that it needs input).",
    };

    public static Command Create()
    {
        var hooks = new Command("hooks", "Point a coding agent's hooks at Switchboard: its sessions show live, wait for you, and take commands.");
        var install = new Command("install", "Merge Switchboard's hooks into the agent's settings file (a backup beside it), or print them.");
        install.Arguments.Add(Agent);
        Options.AddTo(install);
        install.Options.Add(AnswerablePrompts);
        install.Validators.Add(r =>
        {
            ValidateAgent(r);
            if (r.GetValue(AnswerablePrompts) && r.GetValue(Agent) is { } agent && agent != HookSettings.ClaudeCode.Agent)
            {
                r.AddError($"{ClaudeCodePermissionMode.Flag} is for claude-code: {agent}'s hooks already receive its permission requests as they are.");
            }
        });
        install.SetAction(Install);
        hooks.Subcommands.Add(install);

        var uninstall = new Command("uninstall", "Remove Switchboard's hooks from the agent's settings file (a backup beside it); the rest stays as it was.");
        uninstall.Arguments.Add(Agent);
        uninstall.Options.Add(Options.SettingsPath);
        uninstall.Validators.Add(ValidateAgent);
        uninstall.SetAction(Uninstall);
        hooks.Subcommands.Add(uninstall);
        return hooks;
    }

    private static void ValidateAgent(System.CommandLine.Parsing.CommandResult r) =>
        AgentSettingsOptions.ValidateAgent(r, Agent, HookSettings.All.Select(s => s.Agent));

    private static int Install(ParseResult result)
    {
        var agent = HookSettings.All.Single(s => s.Agent == result.GetValue(Agent));
        var server = result.GetValue(Options.Url)!;
        var keyEnv = result.GetValue(Options.KeyEnv)!;
        var answerable = result.GetValue(AnswerablePrompts);
        JsonObject Installed(JsonObject settings)
        {
            var merged = agent.Merge(settings, server, keyEnv);
            return answerable ? ClaudeCodePermissionMode.MakeAnswerable(merged) : merged;
        }

        if (result.GetValue(Options.Print))
        {
            var printed = Installed([]);
            Console.Out.WriteLine(printed.ToJsonString(AgentSettingsOptions.Indented));
            WriteNotes(agent, keyEnv, path: null);
            WriteModeNotes(agent, null, printed, answerable);
            return 0;
        }

        var file = Open(agent, result);
        var (ok, after) = Change(file, Installed);
        if (!ok)
        {
            return SwitchboardCommandLine.Failure;
        }

        if (after is null || after == file.Text)
        {
            Console.Error.WriteLine($"# {file.Path} already has Switchboard's hooks for {agent.Agent} at {agent.Endpoint(server)}; nothing changed");
        }
        else
        {
            var backup = file.Replace(after);
            Console.Error.WriteLine($"# wrote Switchboard's hooks for {agent.Agent} to {Written(file)}" + (backup is null ? "" : $" (the file as it was: {backup})"));
        }

        WriteNotes(agent, keyEnv, file.Path);
        WriteModeNotes(agent, file.Text is null ? null : file.Read(), after is null ? null : JsonNode.Parse(after)!.AsObject(), answerable);
        return 0;
    }

    private static int Uninstall(ParseResult result)
    {
        var agent = HookSettings.All.Single(s => s.Agent == result.GetValue(Agent));
        var file = Open(agent, result);
        if (file.Text is null)
        {
            Console.Error.WriteLine($"# {file.Path} does not exist; nothing to remove");
            return 0;
        }

        var (ok, after) = Change(file, agent.Unmerge);
        if (!ok)
        {
            return SwitchboardCommandLine.Failure;
        }

        if (after is null || after == file.Text)
        {
            Console.Error.WriteLine($"# {file.Path} has no Switchboard hooks for {agent.Agent}; nothing changed");
            return 0;
        }

        var backup = file.Replace(after);
        Console.Error.WriteLine($"# removed Switchboard's hooks for {agent.Agent} from {Written(file)} (the file as it was: {backup})");
        if (agent == HookSettings.ClaudeCode)
        {
            Console.Error.WriteLine("# running claude sessions keep the hooks they read at start");
            if (ClaudeCodePermissionMode.Of(JsonNode.Parse(after)!.AsObject()) == ClaudeCodePermissionMode.Answerable)
            {
                Console.Error.WriteLine($"# permissions.defaultMode stays \"{ClaudeCodePermissionMode.Answerable}\" ({ClaudeCodePermissionMode.Flag} or you set it): remove it to go back to Claude Code's auto mode");
            }
        }

        return 0;
    }

    private static SettingsFile Open(HookSettings agent, ParseResult result) => Options.File(result, agent.DefaultPath);

    /// <summary>
    /// The file's new text (null: nothing to change), or not <c>Ok</c> (said in one line) when it is not JSON Switchboard
    /// can change: it is left as it was.
    /// </summary>
    private static (bool Ok, string? After) Change(SettingsFile file, Func<JsonObject, JsonObject?> change)
    {
        try
        {
            return (true, change(file.Read()) is { } changed ? changed.ToJsonString(AgentSettingsOptions.Indented) + "\n" : null);
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException)
        {
            Console.Error.WriteLine($"switchboard: {file.Path} was left as it was: {SwitchboardCommandLine.OneLine(ex.Message)}. Fix the file, or print the hooks with --print and change them by hand.");
            return (false, null);
        }
    }

    /// <summary>Claude Code: what its permission mode, as the file now has it, means for answering its prompts from Switchboard.</summary>
    private static void WriteModeNotes(HookSettings agent, JsonObject? before, JsonObject? after, bool answerable)
    {
        if (agent != HookSettings.ClaudeCode)
        {
            return;
        }

        var was = before is null ? null : ClaudeCodePermissionMode.Of(before);
        foreach (var line in ClaudeCodePermissionMode.Notes(was, after is null ? was : ClaudeCodePermissionMode.Of(after), answerable))
        {
            Console.Error.WriteLine(line);
        }
    }

    private static string Written(SettingsFile file) => file.Target == file.Path ? file.Path : $"{file.Target} (where the link {file.Path} points)";

    private static void WriteNotes(HookSettings agent, string keyEnv, string? path)
    {
        Console.Error.WriteLine($"# the hooks send the key in ${keyEnv} when the server has keys; the file never holds it. Give agents an agent key");
        Console.Error.WriteLine("#   (`switchboard keys new --agent`, listed as `KEY:agent`): it reports and asks, and cannot answer its own approvals");
        if (agent == HookSettings.Codex)
        {
            Console.Error.WriteLine("# Codex runs a hook only once you trust it: start codex, type /hooks and trust the Switchboard hooks (again after any change to them);");
            Console.Error.WriteLine("#   until then codex exec skips them silently (--dangerously-bypass-hook-trust runs them for one invocation)");
        }
        else if (agent == HookSettings.GeminiCli)
        {
            Console.Error.WriteLine($"# Gemini CLI's timeouts are in milliseconds: {HookSettings.HoldTimeoutSeconds * 1000} at BeforeTool, which Switchboard may hold, {HookSettings.ShortTimeoutSeconds * 1000} elsewhere");
        }

        if (path is not null && agent == HookSettings.ClaudeCode)
        {
            Console.Error.WriteLine("# start a new claude session: its hooks are read at start");
        }
    }
}
