using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.Cli;

/// <summary>
/// The hook configuration <c>switchboard hooks install</c> writes for each agent (docs/hooks.md, "Setup"), and its
/// merge into the agent's own settings: Switchboard's hooks are recognised by their endpoint (<c>/hooks/{agent}</c>) and
/// replaced, every other hook and setting is kept as it was.
/// </summary>
internal sealed record HookSettings(string Agent, string[] Events, bool HttpHooks, int Timeout)
{
    /// <summary>Claude Code: HTTP hooks, and a command hook for <c>SessionStart</c>, which skips HTTP hooks.</summary>
    public static readonly HookSettings ClaudeCode = new("claude-code",
    [
        "SessionStart", "UserPromptSubmit", "PreToolUse", "PermissionRequest", "PostToolUse", "PostToolUseFailure", "PermissionDenied",
        "Notification", "SubagentStart", "SubagentStop", "Stop", "StopFailure", "SessionEnd",
    ], HttpHooks: true, Timeout: 600);

    /// <summary>Codex: command hooks, timeout in seconds.</summary>
    public static readonly HookSettings Codex = new("codex",
    [
        "SessionStart", "UserPromptSubmit", "PreToolUse", "PermissionRequest", "PostToolUse", "SubagentStart", "SubagentStop", "Stop",
        "Interrupt", "SessionEnd",
    ], HttpHooks: false, Timeout: 600);

    /// <summary>
    /// Gemini CLI: command hooks, timeout in milliseconds. Not its model hooks, which carry the whole prompt on every call.
    /// </summary>
    public static readonly HookSettings GeminiCli = new("gemini-cli",
        ["SessionStart", "BeforeAgent", "BeforeTool", "AfterTool", "AfterAgent", "Notification", "SessionEnd"], HttpHooks: false, Timeout: 600_000);

    public static readonly HookSettings[] All = [ClaudeCode, Codex, GeminiCli];

    /// <summary>The file the agent reads its user-level hooks from, under <paramref name="home"/>.</summary>
    public string DefaultPath(string home) => Agent switch
    {
        "claude-code" => Path.Combine(home, ".claude", "settings.json"),
        "codex" => Path.Combine(Environment.GetEnvironmentVariable("CODEX_HOME") is { Length: > 0 } codexHome ? codexHome : Path.Combine(home, ".codex"), "hooks.json"),
        _ => Path.Combine(home, ".gemini", "settings.json"),
    };

    public Uri Endpoint(Uri server) => new(server, server.AbsolutePath.TrimEnd('/') + "/hooks/" + Agent);

    /// <summary>The <c>hooks</c> object: one group per event holding Switchboard's one hook.</summary>
    public JsonObject Hooks(Uri server, string keyEnv)
    {
        var url = Endpoint(server).ToString();
        var hooks = new JsonObject();
        foreach (var name in Events)
        {
            JsonObject hook = HttpHooks && name != "SessionStart"
                ? new()
                {
                    ["type"] = "http",
                    ["url"] = url,
                    ["timeout"] = Timeout,
                    ["headers"] = new JsonObject { ["Authorization"] = $"Bearer ${keyEnv}" },
                    ["allowedEnvVars"] = new JsonArray(keyEnv),
                }
                : new() { ["type"] = "command", ["command"] = Curl(url, keyEnv), ["timeout"] = Timeout };
            hooks[name] = new JsonArray(new JsonObject { ["hooks"] = new JsonArray(hook) });
        }

        return hooks;
    }

    /// <summary>
    /// <c>curl</c> posting the event and printing the answer. <c>-s</c>, not <c>-sS</c>: Gemini CLI reads stderr when stdout
    /// is empty and takes text with curl's exit code 7 as a deny, so a Switchboard that is down would block every tool.
    /// </summary>
    public static string Curl(string url, string keyEnv) =>
        $"curl -s --data-binary @- -H 'Content-Type: application/json' -H \"Authorization: Bearer ${{{keyEnv}}}\" '{url}'";

    /// <summary>
    /// <paramref name="settings"/> (the file's JSON object) with Switchboard's hooks in it: for each event, the groups holding
    /// only Switchboard hooks for this agent are replaced by the new one, and every other group stays where it was.
    /// </summary>
    public JsonObject Merge(JsonObject settings, Uri server, string keyEnv)
    {
        var merged = (JsonObject)settings.DeepClone();
        if (merged["hooks"] is not JsonObject hooks)
        {
            if (merged["hooks"] is not null)
            {
                throw new InvalidDataException("its \"hooks\" is not a JSON object");
            }

            hooks = [];
            merged["hooks"] = hooks;
        }

        foreach (var (name, ours) in Hooks(server, keyEnv))
        {
            if (hooks[name] is not JsonArray groups)
            {
                if (hooks[name] is not null)
                {
                    throw new InvalidDataException($"its hooks.{name} is not a JSON array");
                }

                groups = [];
                hooks[name] = groups;
            }

            for (var i = groups.Count - 1; i >= 0; i--)
            {
                if (IsOurs(groups[i]))
                {
                    groups.RemoveAt(i);
                }
            }

            groups.Add(ours!.AsArray()[0]!.DeepClone());
        }

        return merged;
    }

    /// <summary>A group whose every hook posts to this agent's Switchboard endpoint (a user's group is never one).</summary>
    private bool IsOurs(JsonNode? group)
    {
        if (group is not JsonObject { } g || g["hooks"] is not JsonArray { Count: > 0 } hooks)
        {
            return false;
        }

        var path = "/hooks/" + Agent;
        return hooks.All(h => h is JsonObject hook && (
            hook["type"]?.GetValueKind() == JsonValueKind.String && hook["type"]!.GetValue<string>() == "http"
                && hook["url"]?.GetValueKind() == JsonValueKind.String && hook["url"]!.GetValue<string>().TrimEnd('/').EndsWith(path, StringComparison.Ordinal)
            || hook["command"]?.GetValueKind() == JsonValueKind.String && hook["command"]!.GetValue<string>() is var command
                && command.StartsWith("curl ", StringComparison.Ordinal) && command.Contains(path + "'", StringComparison.Ordinal)));
    }
}
