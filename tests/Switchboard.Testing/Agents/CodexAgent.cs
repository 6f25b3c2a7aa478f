using System.Text;
using System.Text.Json.Nodes;

namespace Switchboard.Testing.Agents;

/// <summary>
/// Codex (<c>codex exec</c>) against a <see cref="FakeModelApi"/>, offline: <c>CODEX_HOME</c> of its own whose
/// <c>config.toml</c> names a model provider at the fake (<c>wire_api = "responses"</c>), no update check, no analytics.
/// <c>codex exec</c> always runs with approval policy <c>never</c>: a command that asks for escalated permissions is
/// refused unless <see cref="ApproveForMe"/> routes approvals through automatic review, which is where the
/// <c>PermissionRequest</c> hook runs (before the review, which the fake answers with <see cref="FakeModelApi.GuardianOutcome"/>).
/// </summary>
public sealed class CodexAgent(AgentSandbox sandbox, FakeModelApi api)
{
    private bool _approveForMe;

    /// <summary>Codex's hook events (hooks.json), all configured by <see cref="WithHooks"/>.</summary>
    public static readonly string[] HookEvents =
    [
        "SessionStart", "UserPromptSubmit", "PreModelRequest", "PreToolUse", "PermissionRequest", "PostToolUse", "PreCompact",
        "PostCompact", "SubagentStart", "SubagentStop", "Stop", "Interrupt", "SessionEnd",
    ];

    /// <summary>Top-level <c>config.toml</c> lines beyond the provider (e.g. <c>sandbox_mode = "workspace-write"</c>).</summary>
    public List<string> Config { get; } = ["check_for_update_on_startup = false", "sandbox_mode = \"workspace-write\""];

    /// <summary><c>config.toml</c> tables written after the top-level lines (e.g. <c>[otel]</c>).</summary>
    public StringBuilder ConfigTables { get; } = new();

    /// <summary>The hooks written to <c>$CODEX_HOME/hooks.json</c>; change freely before start.</summary>
    public JsonObject Hooks { get; } = [];

    public Dictionary<string, string> Environment { get; } = new() { ["FAKE_MODEL_API_KEY"] = "sk-test-key" };

    /// <summary>Where Codex keeps its config, sessions (rollouts) and state for this run.</summary>
    public string CodexHome => Path.Combine(sandbox.Home, ".codex");

    /// <summary>A command hook (<c>curl</c> to <paramref name="url"/>) for every event; <paramref name="timeoutSeconds"/> is its <c>timeout</c>.</summary>
    public CodexAgent WithHooks(Uri url, int? timeoutSeconds = null)
    {
        foreach (var hookEvent in HookEvents)
        {
            var hook = new JsonObject { ["type"] = "command", ["command"] = HookCommand.Curl(url) };
            if (timeoutSeconds is { } t)
            {
                hook["timeout"] = t;
            }

            Hooks[hookEvent] = new JsonArray(new JsonObject { ["hooks"] = new JsonArray(hook) });
        }

        return this;
    }

    /// <summary><c>--approve-for-me</c>: escalation requests go to the <c>PermissionRequest</c> hook, then to automatic review.</summary>
    public CodexAgent ApproveForMe()
    {
        _approveForMe = true;
        return this;
    }

    /// <summary>OpenTelemetry (logs, traces, metrics) to <paramref name="endpoint"/> over OTLP/HTTP, <paramref name="protocol"/> <c>binary</c> or <c>json</c>.</summary>
    public CodexAgent WithTelemetry(Uri endpoint, string protocol = "binary")
    {
        var root = endpoint.GetLeftPart(UriPartial.Authority);
        ConfigTables.AppendLine("[otel]");
        ConfigTables.AppendLine("environment = \"test\"");
        ConfigTables.AppendLine($"exporter = {{ otlp-http = {{ endpoint = \"{root}/v1/logs\", protocol = \"{protocol}\" }} }}");
        ConfigTables.AppendLine($"trace_exporter = {{ otlp-http = {{ endpoint = \"{root}/v1/traces\", protocol = \"{protocol}\" }} }}");
        ConfigTables.AppendLine($"metrics_exporter = {{ otlp-http = {{ endpoint = \"{root}/v1/metrics\", protocol = \"{protocol}\" }} }}");
        return this;
    }

    /// <summary>
    /// Starts <c>codex exec --skip-git-repo-check PROMPT</c> with hook trust bypassed for the run
    /// (<c>--dangerously-bypass-hook-trust</c>: hooks a person has not trusted are skipped silently otherwise).
    /// </summary>
    public AgentProcess Start(string prompt = "Do the task.", params string[] args)
    {
        Directory.CreateDirectory(CodexHome);
        var config = new StringBuilder();
        config.AppendLine("model = \"gpt-test\"");
        config.AppendLine("model_provider = \"fake\"");
        foreach (var line in Config)
        {
            config.AppendLine(line);
        }

        config.AppendLine("[analytics]");
        config.AppendLine("enabled = false");
        config.AppendLine("[model_providers.fake]");
        config.AppendLine("name = \"fake\"");
        config.AppendLine($"base_url = \"{api.BaseAddress.GetLeftPart(UriPartial.Authority)}/v1\"");
        config.AppendLine("wire_api = \"responses\"");
        config.AppendLine("env_key = \"FAKE_MODEL_API_KEY\"");
        config.Append(ConfigTables);
        File.WriteAllText(Path.Combine(CodexHome, "config.toml"), config.ToString());
        File.WriteAllText(Path.Combine(CodexHome, "hooks.json"), new JsonObject { ["hooks"] = Hooks.DeepClone() }.ToJsonString());
        var environment = new Dictionary<string, string>(Environment) { ["HOME"] = sandbox.Home, ["CODEX_HOME"] = CodexHome };
        string[] flags = _approveForMe ? ["--approve-for-me"] : [];
        return AgentProcess.Start("node",
            [AgentClis.CodexScript, "exec", "--skip-git-repo-check", "--dangerously-bypass-hook-trust", .. flags, .. args, prompt],
            sandbox.WorkDirectory, environment);
    }

    public async Task<AgentResult> RunAsync(string prompt = "Do the task.", params string[] args)
    {
        await using var run = Start(prompt, args);
        var exitCode = await run.WaitForExitAsync();
        return new AgentResult(exitCode, run.Stdout, run.Output);
    }
}
