using System.Text.Json.Nodes;

namespace Switchboard.Testing.Agents;

/// <summary>
/// Gemini CLI in headless mode (<c>gemini -p</c>) against a <see cref="FakeModelApi"/>, offline: its own HOME (settings
/// in <c>~/.gemini/settings.json</c> selecting <c>gemini-api-key</c>), <c>GOOGLE_GEMINI_BASE_URL</c> at the fake, the
/// workspace trusted, no usage statistics (Clearcut) and no update check. The model is named (<c>-m</c>), so its model
/// router makes no calls. In headless mode a tool that needs confirmation (shell, write_file) is not offered to the
/// model at all unless the approval mode allows it: <see cref="ApprovalMode"/> <c>yolo</c> does.
/// </summary>
public sealed class GeminiCliAgent(AgentSandbox sandbox, FakeModelApi api)
{
    /// <summary>Gemini CLI's hook events, all configured by <see cref="WithHooks"/>.</summary>
    public static readonly string[] HookEvents =
    [
        "SessionStart", "BeforeAgent", "BeforeModel", "BeforeToolSelection", "AfterModel", "BeforeTool", "AfterTool",
        "AfterAgent", "Notification", "PreCompress", "SessionEnd",
    ];

    /// <summary>The model named on the command line.</summary>
    public const string Model = "gemini-2.5-flash";

    /// <summary>The settings written to <c>$HOME/.gemini/settings.json</c> at start; change them freely before.</summary>
    public JsonObject Settings { get; } = new()
    {
        ["security"] = new JsonObject { ["auth"] = new JsonObject { ["selectedType"] = "gemini-api-key" } },
        ["privacy"] = new JsonObject { ["usageStatisticsEnabled"] = false },
        ["general"] = new JsonObject { ["enableAutoUpdate"] = false, ["enableAutoUpdateNotification"] = false },
    };

    public Dictionary<string, string> Environment { get; } = new()
    {
        ["GEMINI_API_KEY"] = "test-gemini-key",
        ["GEMINI_CLI_TRUST_WORKSPACE"] = "true",
        // It would start itself again in a second Node.js with a larger heap: one start-up is enough for a test.
        ["GEMINI_CLI_NO_RELAUNCH"] = "true",
    };

    /// <summary><c>--approval-mode</c>: <c>default</c>, <c>auto_edit</c>, <c>yolo</c> or <c>plan</c>.</summary>
    public string ApprovalMode { get; set; } = "yolo";

    /// <summary>
    /// A command hook (<c>curl</c> to <paramref name="url"/>) for every event. Gemini CLI's <c>timeout</c> is in
    /// milliseconds (default 60,000).
    /// </summary>
    public GeminiCliAgent WithHooks(Uri url, int? timeoutMilliseconds = null)
    {
        var hooks = new JsonObject();
        foreach (var hookEvent in HookEvents)
        {
            var hook = new JsonObject { ["type"] = "command", ["command"] = HookCommand.Curl(url) };
            if (timeoutMilliseconds is { } t)
            {
                hook["timeout"] = t;
            }

            hooks[hookEvent] = new JsonArray(new JsonObject { ["hooks"] = new JsonArray(hook) });
        }

        Settings["hooks"] = hooks;
        return this;
    }

    /// <summary>OpenTelemetry (logs, metrics, traces) to <paramref name="endpoint"/> over OTLP/HTTP; prompts are not logged.</summary>
    public GeminiCliAgent WithTelemetry(Uri endpoint)
    {
        Settings["telemetry"] = new JsonObject
        {
            ["enabled"] = true, ["target"] = "local", ["otlpEndpoint"] = endpoint.GetLeftPart(UriPartial.Authority),
            ["otlpProtocol"] = "http", ["logPrompts"] = false,
        };
        return this;
    }

    /// <summary>Starts <c>gemini -p PROMPT -m MODEL --approval-mode MODE</c> in the sandbox's working directory.</summary>
    public AgentProcess Start(string prompt = "Do the task.", params string[] args)
    {
        var config = Directory.CreateDirectory(Path.Combine(sandbox.Home, ".gemini")).FullName;
        File.WriteAllText(Path.Combine(config, "settings.json"), Settings.ToJsonString());
        var environment = new Dictionary<string, string>(Environment)
        {
            ["HOME"] = sandbox.Home,
            ["GOOGLE_GEMINI_BASE_URL"] = api.BaseAddress.GetLeftPart(UriPartial.Authority),
        };
        return AgentProcess.Start("node",
            [AgentClis.GeminiScript, "-p", prompt, "-m", Model, "--approval-mode", ApprovalMode, .. args],
            sandbox.WorkDirectory, environment);
    }

    public async Task<AgentResult> RunAsync(string prompt = "Do the task.", params string[] args)
    {
        await using var run = Start(prompt, args);
        var exitCode = await run.WaitForExitAsync(TestTimeouts.Long * 2);
        return new AgentResult(exitCode, run.Stdout, run.Output);
    }
}
