using System.Text.Json.Nodes;

namespace Switchboard.Testing.Agents;

/// <summary>
/// Claude Code in print mode (<c>claude -p</c>) against a <see cref="FakeModelApi"/>, offline: its own HOME (settings in
/// <c>~/.claude/settings.json</c>), <c>ANTHROPIC_BASE_URL</c> at the fake, and no non-essential traffic (no telemetry to
/// Anthropic, no update check, no error reporting). Tools follow its default permission mode: Write and a Bash command
/// that writes need permission (in <c>-p</c> a request nobody answers is denied); <see cref="Allow"/> adds rules.
/// </summary>
public sealed class ClaudeCodeAgent(AgentSandbox sandbox, FakeModelApi api)
{
    /// <summary>The hook events configured by <see cref="WithHooks"/>: every one that a <c>-p</c> run can fire.</summary>
    public static readonly string[] HookEvents =
    [
        "SessionStart", "UserPromptSubmit", "PreToolUse", "PermissionRequest", "PermissionDenied", "PostToolUse",
        "PostToolUseFailure", "Notification", "SubagentStart", "SubagentStop", "Stop", "StopFailure", "PreCompact", "SessionEnd",
    ];

    /// <summary>The settings written to <c>$HOME/.claude/settings.json</c> at start; change them freely before.</summary>
    public JsonObject Settings { get; } = [];

    /// <summary>Environment of the run, on top of the offline essentials; change freely before start.</summary>
    public Dictionary<string, string> Environment { get; } = new()
    {
        ["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1",
        ["DISABLE_AUTOUPDATER"] = "1",
        ["ANTHROPIC_API_KEY"] = "sk-ant-test-key",
    };

    /// <summary>
    /// An HTTP hook to <paramref name="url"/> for every event, and for <c>SessionStart</c> (where Claude Code skips HTTP
    /// hooks) a command hook running <c>curl</c>. <paramref name="timeoutSeconds"/> is the hook's own timeout (default 600 s).
    /// </summary>
    public ClaudeCodeAgent WithHooks(Uri url, int? timeoutSeconds = null, IReadOnlyDictionary<string, string>? headers = null,
        IEnumerable<string>? allowedEnvVars = null, string? keyEnv = null)
    {
        if (keyEnv is not null)
        {
            // The HTTP hooks send the key from the variable Claude Code may interpolate; SessionStart's curl from the shell's.
            headers = new Dictionary<string, string>(headers ?? new Dictionary<string, string>()) { ["Authorization"] = $"Bearer ${keyEnv}" };
            allowedEnvVars = [.. allowedEnvVars ?? [], keyEnv];
        }

        var hooks = new JsonObject();
        foreach (var hookEvent in HookEvents)
        {
            var hook = hookEvent == "SessionStart"
                ? new JsonObject { ["type"] = "command", ["command"] = HookCommand.Curl(url, keyEnv) }
                : new JsonObject { ["type"] = "http", ["url"] = url.ToString() };
            if (timeoutSeconds is { } t)
            {
                hook["timeout"] = t;
            }

            if (headers is not null && hookEvent != "SessionStart")
            {
                hook["headers"] = new JsonObject(headers.Select(h => KeyValuePair.Create(h.Key, (JsonNode?)h.Value)));
                hook["allowedEnvVars"] = new JsonArray([.. (allowedEnvVars ?? []).Select(v => (JsonNode)v)]);
            }

            hooks[hookEvent] = new JsonArray(new JsonObject { ["hooks"] = new JsonArray(hook) });
        }

        Settings["hooks"] = hooks;
        return this;
    }

    /// <summary>Permission rules that let these tools run without asking, e.g. <c>Write</c> or <c>Bash(touch:*)</c>.</summary>
    public ClaudeCodeAgent Allow(params string[] rules)
    {
        var permissions = Settings["permissions"] as JsonObject ?? [];
        permissions["allow"] = new JsonArray([.. rules.Select(r => (JsonNode)r)]);
        Settings["permissions"] = permissions;
        return this;
    }

    /// <summary>
    /// OpenTelemetry to <paramref name="endpoint"/> over OTLP/HTTP (<paramref name="protocol"/> <c>http/protobuf</c> or
    /// <c>http/json</c>): logs (events) and metrics, and traces (a beta that needs its own switch). Exported every second.
    /// </summary>
    public ClaudeCodeAgent WithTelemetry(Uri endpoint, string protocol = "http/protobuf", bool traces = true)
    {
        Environment["CLAUDE_CODE_ENABLE_TELEMETRY"] = "1";
        Environment["OTEL_LOGS_EXPORTER"] = "otlp";
        Environment["OTEL_METRICS_EXPORTER"] = "otlp";
        Environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = protocol;
        Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint.GetLeftPart(UriPartial.Authority);
        Environment["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
        Environment["OTEL_LOGS_EXPORT_INTERVAL"] = "500";
        if (traces)
        {
            Environment["CLAUDE_CODE_ENHANCED_TELEMETRY_BETA"] = "1";
            Environment["OTEL_TRACES_EXPORTER"] = "otlp";
        }

        return this;
    }

    /// <summary>Starts <c>claude -p PROMPT --output-format json</c> in the sandbox's working directory.</summary>
    public AgentProcess Start(string prompt = "Do the task.", params string[] args) =>
        AgentProcess.Start(AgentClis.ClaudeCode, ["-p", prompt, "--output-format", "json", .. args], sandbox.WorkDirectory, Prepare());

    /// <summary>
    /// Starts Claude Code as the Agent SDKs run it: <c>-p --input-format stream-json --output-format stream-json
    /// --permission-prompt-tool stdio</c>, the prompt one JSON line on stdin, which stays open as the channel of its
    /// permission prompts (never answered here, so a <c>PermissionRequest</c> hook's answer decides). Only so does
    /// <c>-p</c> offer <c>AskUserQuestion</c> and <c>ExitPlanMode</c> (docs/hooks.md). End it with <see cref="FinishSdkRunAsync"/>.
    /// </summary>
    public async Task<AgentProcess> StartAsSdkAsync(string prompt = "Do the task.", params string[] args)
    {
        var run = AgentProcess.Start(AgentClis.ClaudeCode,
            ["-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose", "--permission-prompt-tool", "stdio", .. args],
            sandbox.WorkDirectory, Prepare(), keepStdinOpen: true);
        var message = new JsonObject { ["type"] = "user", ["message"] = new JsonObject { ["role"] = "user", ["content"] = prompt } };
        await run.StandardInput.WriteLineAsync(message.ToJsonString());
        await run.StandardInput.FlushAsync();
        return run;
    }

    /// <summary>Waits for the result line of a run <see cref="StartAsSdkAsync"/> started, closes its stdin (the SDK's end) and returns its exit code.</summary>
    public static async Task<int> FinishSdkRunAsync(AgentProcess run)
    {
        await run.WaitForStdoutAsync(IsResult);
        run.StandardInput.Close();
        return await run.WaitForExitAsync();
    }

    private static bool IsResult(string line)
    {
        try
        {
            return line.StartsWith('{') && JsonNode.Parse(line)?["type"]?.GetValue<string>() == "result";
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private Dictionary<string, string> Prepare()
    {
        var config = Directory.CreateDirectory(Path.Combine(sandbox.Home, ".claude")).FullName;
        File.WriteAllText(Path.Combine(config, "settings.json"), Settings.ToJsonString());
        return new Dictionary<string, string>(Environment)
        {
            ["HOME"] = sandbox.Home,
            ["ANTHROPIC_BASE_URL"] = api.BaseAddress.GetLeftPart(UriPartial.Authority),
        };
    }

    /// <summary>Runs to the end and returns the exit code and the JSON result Claude Code prints.</summary>
    public async Task<AgentResult> RunAsync(string prompt = "Do the task.", params string[] args)
    {
        await using var run = Start(prompt, args);
        var exitCode = await run.WaitForExitAsync();
        return new AgentResult(exitCode, run.Stdout, run.Output);
    }
}
