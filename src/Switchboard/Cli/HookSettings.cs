using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.Cli;

/// <summary>
/// The hook configuration <c>switchboard hooks install</c> writes for each agent (docs/hooks.md, "Setup"), and its
/// merge into (and removal from) the agent's own settings: Switchboard's hooks are recognised by their endpoint
/// (<c>/hooks/{agent}</c>), every other hook and setting is kept as it was.
/// </summary>
/// <param name="Held">The events Switchboard may hold (an approval, a paused session's next tool): the long timeout.</param>
/// <param name="Capped">Events the agent clamps to <see cref="CappedTimeoutSeconds"/> (with a warning at every start past it).</param>
/// <param name="UnitsPerSecond">The agent's timeout unit: 1 (seconds) or 1,000 (Gemini CLI's milliseconds).</param>
internal sealed record HookSettings(string Agent, string[] Events, string[] Held, string[] Capped, bool HttpHooks, int UnitsPerSecond)
{
    /// <summary>Codex clamps its <c>SessionEnd</c> and <c>Interrupt</c> hooks to 3 s ("clamping … hook timeout to 3s").</summary>
    public const int CappedTimeoutSeconds = 3;

    /// <summary>Every event Switchboard never holds: answered at once, so a few seconds only ever pass when it is unreachable.</summary>
    public const int ShortTimeoutSeconds = 5;

    /// <summary>
    /// A held event: above a pause hold and then an approval at the same hook (each at most the server's
    /// <c>Hooks:ApprovalWait</c>, 300 s by default), so the server, not the agent, decides when the wait is over.
    /// </summary>
    public const int HoldTimeoutSeconds = 660;

    /// <summary>How long curl waits for a connection: a dropped route fails in this, not in TCP's two minutes.</summary>
    public const int ConnectTimeoutSeconds = 3;

    /// <summary>
    /// Claude Code: HTTP hooks (the key from <c>allowedEnvVars</c>, no process). Command hooks where an HTTP hook cannot
    /// serve: <c>SessionStart</c>, which skips HTTP hooks, and the held events, whose long timeout would otherwise also be
    /// how long a dropped route stalls them (an HTTP hook has no connect timeout; curl has).
    /// </summary>
    public static readonly HookSettings ClaudeCode = new("claude-code",
    [
        "SessionStart", "UserPromptSubmit", "PreToolUse", "PermissionRequest", "PostToolUse", "PostToolUseFailure", "PermissionDenied",
        "Notification", "SubagentStart", "SubagentStop", "Stop", "StopFailure", "SessionEnd",
    ], Held: ["PreToolUse", "PermissionRequest"], Capped: [], HttpHooks: true, UnitsPerSecond: 1);

    /// <summary>Codex: command hooks, timeout in seconds.</summary>
    public static readonly HookSettings Codex = new("codex",
    [
        "SessionStart", "UserPromptSubmit", "PreToolUse", "PermissionRequest", "PostToolUse", "SubagentStart", "SubagentStop", "Stop",
        "Interrupt", "SessionEnd",
    ], Held: ["PreToolUse", "PermissionRequest"], Capped: ["SessionEnd", "Interrupt"], HttpHooks: false, UnitsPerSecond: 1);

    /// <summary>
    /// Gemini CLI: command hooks, timeout in milliseconds. Not its model hooks, which carry the whole prompt on every call.
    /// </summary>
    public static readonly HookSettings GeminiCli = new("gemini-cli",
        ["SessionStart", "BeforeAgent", "BeforeTool", "AfterTool", "AfterAgent", "Notification", "SessionEnd"],
        Held: ["BeforeTool"], Capped: [], HttpHooks: false, UnitsPerSecond: 1000);

    public static readonly HookSettings[] All = [ClaudeCode, Codex, GeminiCli];

    /// <summary>The file the agent reads its user-level hooks from, under <paramref name="home"/>.</summary>
    public string DefaultPath(string home) => Agent switch
    {
        "claude-code" => Path.Combine(home, ".claude", "settings.json"),
        "codex" => Path.Combine(Environment.GetEnvironmentVariable("CODEX_HOME") is { Length: > 0 } codexHome ? codexHome : Path.Combine(home, ".codex"), "hooks.json"),
        _ => Path.Combine(home, ".gemini", "settings.json"),
    };

    public Uri Endpoint(Uri server) => new(server, server.AbsolutePath.TrimEnd('/') + "/hooks/" + Agent);

    /// <summary>The header that says the kind of run (docs/hooks.md, "The kind of run"), and the one that carries <c>$CI</c>.</summary>
    public const string RunHeader = "X-Switchboard-Run", CiHeader = "X-Switchboard-CI";

    /// <summary>The header naming the machine the agent runs on (<c>uname -n</c>): its session's <c>host</c> label, which its prompts name.</summary>
    public const string HostHeader = "X-Switchboard-Host";

    /// <summary>What Claude Code sets before its hooks run: <c>cli</c> in a terminal, <c>sdk-cli</c> under <c>-p</c>.</summary>
    private const string ClaudeCodeEntryPoint = "CLAUDE_CODE_ENTRYPOINT";

    /// <summary>
    /// The kind of run a command hook sends: the user's <c>SWITCHBOARD_RUN</c>, and for Claude Code its own entry point
    /// when that is unset (Codex and Gemini CLI set nothing of the kind).
    /// </summary>
    private string RunValue => Agent == "claude-code" ? "${SWITCHBOARD_RUN:-$" + ClaudeCodeEntryPoint + "}" : "${SWITCHBOARD_RUN}";

    /// <summary>The event's timeout in seconds: long where Switchboard may hold it, short everywhere else.</summary>
    public int TimeoutSeconds(string hookEvent) =>
        Held.Contains(hookEvent) ? HoldTimeoutSeconds : Capped.Contains(hookEvent) ? CappedTimeoutSeconds : ShortTimeoutSeconds;

    /// <summary>The <c>hooks</c> object: one group per event holding Switchboard's one hook.</summary>
    public JsonObject Hooks(Uri server, string keyEnv)
    {
        var url = Endpoint(server).ToString();
        var hooks = new JsonObject();
        foreach (var name in Events)
        {
            var seconds = TimeoutSeconds(name);
            JsonObject hook = HttpHooks && name != "SessionStart" && !Held.Contains(name)
                ? new()
                {
                    ["type"] = "http",
                    ["url"] = url,
                    ["timeout"] = seconds,
                    ["headers"] = new JsonObject
                    {
                        ["Authorization"] = $"Bearer ${keyEnv}",
                        [RunHeader] = "$" + ClaudeCodeEntryPoint,
                        [CiHeader] = "$CI",
                    },
                    ["allowedEnvVars"] = new JsonArray(keyEnv, ClaudeCodeEntryPoint, "CI"),
                }
                : new() { ["type"] = "command", ["command"] = Curl(url, keyEnv, seconds, RunValue), ["timeout"] = seconds * UnitsPerSecond };
            if (HttpHooks && name == "SessionEnd")
            {
                // Claude Code gives all SessionEnd hooks 1.5 s together unless a hook's timeout asks for more: keep its own.
                hook.Remove("timeout");
            }

            hooks[name] = new JsonArray(new JsonObject { ["hooks"] = new JsonArray(hook) });
        }

        return hooks;
    }

    /// <summary>
    /// <c>curl</c> posting the event and printing the answer, within <paramref name="seconds"/> (one under the agent's own
    /// timeout, so curl gives up first and the agent reads an empty answer). The key never reaches an argument list: the
    /// shell's builtin <c>printf</c> pipes the header into curl, which reads it as a header file on descriptor 3
    /// (<c>-H @/dev/fd/3</c>), and gets the hook's own stdin, the event, back on descriptor 0 (kept on 4 meanwhile).
    /// Only a pipe is opened by name: Claude Code and Gemini CLI (Node.js) give a hook a socket as stdin, which
    /// <c>/dev/fd</c> cannot open. <c>-s</c>, not <c>-sS</c>: Gemini CLI reads stderr when stdout is empty and takes text
    /// with curl's exit code as a deny, so a Switchboard that is down would block every tool.
    /// </summary>
    public static string Curl(string url, string keyEnv, int seconds, string run) =>
        $"{{ printf 'Authorization: Bearer %s\\n' \"${{{keyEnv}}}\" | curl -s --connect-timeout {Math.Min(ConnectTimeoutSeconds, seconds - 1)} --max-time {seconds - 1} " +
        $"-H 'Content-Type: application/json' -H \"{RunHeader}: {run}\" -H \"{CiHeader}: ${{CI}}\" -H \"{HostHeader}: $(uname -n)\" -H @/dev/fd/3 --data-binary @- '{url}' 3<&0 0<&4 4<&-; }} 4<&0";

    /// <summary>
    /// <paramref name="settings"/> (the file's JSON object) with Switchboard's hooks in it: for each event, Switchboard's
    /// groups for this agent give way to the new one, in the place of the first (which keeps any field the user added to
    /// it, a <c>matcher</c>), and every other group stays where it was.
    /// </summary>
    public JsonObject Merge(JsonObject settings, Uri server, string keyEnv)
    {
        var merged = (JsonObject)settings.DeepClone();
        var hooks = HooksOf(merged, create: true)!;
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

            // A JsonNode, not a JsonObject: JsonArray.Add<T> of a JsonObject would go through reflection (not in Native AOT).
            JsonNode group = ours!.AsArray()[0]!.DeepClone();
            var at = Enumerable.Range(0, groups.Count).Where(i => IsOurs(groups[i])).ToList();
            if (at.Count == 0)
            {
                groups.Add(group);
                continue;
            }

            // The first of ours keeps its place and every field the user added to it, in their order.
            var kept = new JsonObject();
            foreach (var (field, value) in (JsonObject)groups[at[0]]!)
            {
                kept[field] = field == "hooks" ? group["hooks"]!.DeepClone() : value?.DeepClone();
            }

            for (var i = at.Count - 1; i > 0; i--)
            {
                groups.RemoveAt(at[i]); // a duplicate: only the first keeps its place
            }

            groups[at[0]] = kept;
        }

        return merged;
    }

    /// <summary>
    /// <paramref name="settings"/> without Switchboard's groups for this agent, and without an event list, or the
    /// <c>hooks</c> object, that only they made non-empty; null when there was nothing to remove.
    /// </summary>
    public JsonObject? Unmerge(JsonObject settings)
    {
        var unmerged = (JsonObject)settings.DeepClone();
        if (HooksOf(unmerged, create: false) is not { } hooks)
        {
            return null;
        }

        var removed = false;
        foreach (var name in hooks.Select(h => h.Key).ToList())
        {
            if (hooks[name] is not JsonArray groups || !groups.Any(IsOurs))
            {
                continue;
            }

            foreach (var group in groups.Where(IsOurs).ToList())
            {
                groups.Remove(group);
            }

            removed = true;
            if (groups.Count == 0)
            {
                hooks.Remove(name);
            }
        }

        if (removed && hooks.Count == 0)
        {
            unmerged.Remove("hooks");
        }

        return removed ? unmerged : null;
    }

    private static JsonObject? HooksOf(JsonObject settings, bool create)
    {
        switch (settings["hooks"])
        {
            case JsonObject hooks:
                return hooks;
            case null when create:
                var created = new JsonObject();
                settings["hooks"] = created;
                return created;
            case null:
                return null;
            default:
                throw new InvalidDataException("its \"hooks\" is not a JSON object");
        }
    }

    /// <summary>
    /// A group whose every hook posts to this agent's Switchboard endpoint (a user's group is never one): an HTTP hook to
    /// it, or a command that runs curl with it (the form of every version of <c>hooks install</c>).
    /// </summary>
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
                && command.Contains("curl ", StringComparison.Ordinal) && command.Contains(path + "'", StringComparison.Ordinal)));
    }
}
