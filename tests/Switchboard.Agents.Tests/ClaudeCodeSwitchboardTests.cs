using System.Text.Json;
using Switchboard.Testing;
using Switchboard.Testing.Agents;

namespace Switchboard.Agents.Tests;

/// <summary>
/// Claude Code (npm, unmodified) with its hooks pointed at a real Switchboard's <c>/hooks/claude-code</c>: one session per
/// agent (<c>otel:s:{session_id}</c>), its state from the hooks on the log, its sub-agents as children (docs/hooks.md).
/// </summary>
public sealed class ClaudeCodeSwitchboardTests : IAsyncLifetime
{
    private AgentTestBed _bed = null!;
    private SwitchboardServer _server = null!;

    private AgentSandbox Sandbox => _bed.Sandbox;

    private FakeModelApi Api => _bed.Api;

    public async ValueTask InitializeAsync()
    {
        _bed = await AgentTestBed.StartAsync("claude-sb");
        // A permission request is held as an approval nobody answers here: let it expire soon, so the agent follows its own rules.
        _server = await SwitchboardServer.StartAsync(o => o.Hooks.ApprovalWait = TimeSpan.FromSeconds(2));
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _bed.DisposeAsync();
    }

    private Uri HookUrl => new(_server.BaseAddress, "/hooks/claude-code");

    [Fact]
    public async Task HooksAloneMakeOneSessionThatWorksWaitsWorksIdlesAndEndsOnTheLog()
    {
        var claude = new ClaudeCodeAgent(Sandbox, Api).WithHooks(HookUrl).Allow("Bash(touch:*)");
        Api.Enqueue(
            ModelTurn.CallTool("Write", new { file_path = Sandbox.WorkFile("asked.txt"), content = "x" }), // needs permission: waiting
            ModelTurn.CallTool("Bash", new { command = "touch allowed.txt", description = "Create a file" }),
            ModelTurn.Say("All done."));

        var result = await claude.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        var id = "otel:s:" + result.Json!["session_id"]!.GetValue<string>();
        var session = await SwitchboardLog.TerminatedAsync(_server, id);
        session.GetProperty("accepts_commands").GetBoolean().ShouldBeTrue();
        session.GetProperty("labels").GetProperty("source").GetString().ShouldBe("hooks");
        session.GetProperty("labels").GetProperty("service").GetString().ShouldBe("claude-code");
        session.GetProperty("name").GetString().ShouldBe("claude-code in " + Path.GetFileName(Sandbox.WorkDirectory));
        (await SwitchboardLog.StatesAsync(_server, id)).ShouldBe(["idle", "working", "waiting", "working", "idle", "terminated"]);
        (await SwitchboardLog.EndReasonAsync(_server, id)).ShouldBe("other");
        // Switchboard answered the PermissionRequest with no decision: in -p the Write was denied, the Bash ran.
        File.Exists(Sandbox.WorkFile("asked.txt")).ShouldBeFalse();
        File.Exists(Sandbox.WorkFile("allowed.txt")).ShouldBeTrue();
        // Created without one, the tool's name while it runs (Switchboard:Hooks:Activity=tool; a denied tool has no
        // PostToolUse, so the next tool replaces it), cleared after a tool, and none on the final session.
        (await SwitchboardLog.ActivitiesAsync(_server, id)).ShouldBe([null, "Write", "Bash", null, null]);
        (await SwitchboardLog.SessionsAsync(_server)).Count.ShouldBe(1, "one agent, one session");
    }

    [Fact]
    public async Task HooksWithTelemetryMakeOneSessionWhoseStateTheHooksSayAndWhoseUsageIsCountedOnce()
    {
        var claude = new ClaudeCodeAgent(Sandbox, Api).WithHooks(HookUrl).WithTelemetry(_server.BaseAddress).Allow("Bash(touch:*)");
        Api.Enqueue(
            ModelTurn.CallTool("Write", new { file_path = Sandbox.WorkFile("asked.txt"), content = "x" }, inputTokens: 1000, outputTokens: 70),
            ModelTurn.CallTool("Bash", new { command = "touch allowed.txt", description = "Create a file" }, inputTokens: 1100, outputTokens: 20),
            ModelTurn.Say("All done.", inputTokens: 1200, outputTokens: 30));

        var result = await claude.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        var id = "otel:s:" + result.Json!["session_id"]!.GetValue<string>();
        var session = await SwitchboardLog.WaitForAsync(_server, id,
            s => s.GetProperty("state").GetString() == "terminated" && s.GetProperty("input_tokens").GetInt64() >= 3300 && s.GetProperty("output_tokens").GetInt64() >= 120,
            "terminated with its usage");
        session.GetProperty("input_tokens").GetInt64().ShouldBe(3300);
        session.GetProperty("output_tokens").GetInt64().ShouldBe(120);
        session.GetProperty("accepts_commands").GetBoolean().ShouldBeTrue();
        (await SwitchboardLog.StatesAsync(_server, id)).Distinct().ShouldBe(["idle", "working", "waiting", "terminated"], ignoreOrder: true);
        var states = await SwitchboardLog.StatesAsync(_server, id);
        states.ShouldBe(["idle", "working", "waiting", "working", "idle", "terminated"], "telemetry adds usage and never moves a hooked session's state");
        (await SwitchboardLog.SessionsAsync(_server)).Count.ShouldBe(1, "one agent, one session, whichever reported first");
    }

    [Fact]
    public async Task ASubAgentIsAChildSessionWithItsOwnLifecycleAndActivity()
    {
        var claude = new ClaudeCodeAgent(Sandbox, Api).WithHooks(HookUrl).Allow("Bash(touch:*)");
        Api.Enqueue(
            ModelTurn.CallTool("Agent", new { description = "Make a file", prompt = "Touch sub.txt.", subagent_type = "general-purpose", run_in_background = false }),
            ModelTurn.Say("All done."));
        Api.EnqueueSubAgent(
            ModelTurn.CallTool("Bash", new { command = "touch sub.txt", description = "Create a file" }),
            ModelTurn.Say("Touched it."));

        var result = await claude.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(Sandbox.WorkFile("sub.txt")).ShouldBeTrue(result.Output);
        var id = "otel:s:" + result.Json!["session_id"]!.GetValue<string>();
        await SwitchboardLog.TerminatedAsync(_server, id);
        var child = (await SwitchboardLog.SessionsAsync(_server)).Single(s => s.GetProperty("id").GetString() != id);
        var childId = child.GetProperty("id").GetString()!;
        var agentId = Api.SubAgentTurns[0].SubAgent!;
        childId.ShouldBe($"{id}:a:{agentId}");
        child.GetProperty("parent_id").GetString().ShouldBe(id);
        child.GetProperty("depth").GetInt32().ShouldBe(1);
        child.GetProperty("labels").GetProperty("agent").GetString().ShouldBe("general-purpose");
        child.GetProperty("accepts_commands").GetBoolean().ShouldBeTrue();
        (await SwitchboardLog.StatesAsync(_server, childId)).ShouldBe(["working", "terminated"]);
        (await SwitchboardLog.EndReasonAsync(_server, childId)).ShouldBe("completed");
        (await SwitchboardLog.ActivitiesAsync(_server, childId)).ShouldContain("Bash", "the sub-agent's own tool is its activity, not its parent's");
        (await SwitchboardLog.ActivitiesAsync(_server, id)).ShouldNotContain("Bash");
        (await SwitchboardLog.StatesAsync(_server, id)).ShouldBe(["idle", "working", "idle", "terminated"]);
    }

    [Fact]
    public async Task WithKeysTheHooksSendTheKeyFromTheEnvironmentAndAScopedKeysLabelsMarkTheSession()
    {
        const string key = "hook-key-0123456789abcdef";
        await using var secured = await SwitchboardServer.StartAsync(o => o.Security.AddApiKeys(key + " team=red"));
        var url = new Uri(secured.BaseAddress, "/hooks/claude-code");
        var anonymous = await secured.Http.PostAsync(url, new StringContent("""{"hook_event_name":"Stop","session_id":"s"}""", System.Text.Encoding.UTF8, "application/json"));
        anonymous.StatusCode.ShouldBe(System.Net.HttpStatusCode.Unauthorized, "the hooks take the API's keys");
        var claude = new ClaudeCodeAgent(Sandbox, Api).WithHooks(url, keyEnv: "SWITCHBOARD_API_KEY");
        claude.Environment["SWITCHBOARD_API_KEY"] = key;
        Api.Enqueue(ModelTurn.Say("Hello."));

        var result = await claude.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        File.ReadAllText(Path.Combine(Sandbox.Home, ".claude", "settings.json")).ShouldNotContain(key);
        var reader = secured.HttpWithKey(key);
        var id = "otel:s:" + result.Json!["session_id"]!.GetValue<string>();
        var session = await SwitchboardLog.TerminatedAsync(secured, id, reader);
        var events = JsonDocument.Parse(await reader.GetStringAsync("/api/events?session_id=" + Uri.EscapeDataString(id))).RootElement.GetProperty("events");
        events.EnumerateArray().Select(e => e.GetProperty("type").GetString()).ShouldBe(["session_created", "session_updated", "session_updated", "session_terminated"],
            "SessionStart (curl, the shell's variable) created it; the HTTP hooks (Claude Code's allowedEnvVars) moved it");
        session.GetProperty("labels").GetProperty("team").GetString().ShouldBe("red", "a scoped key's sessions carry its labels");
    }

    [Fact]
    public async Task TheHooksThatSwitchboardHooksInstallWritesWorkWithKeys()
    {
        const string key = "install-key-0123456789abcdef";
        await using var secured = await SwitchboardServer.StartAsync(o => o.Security.AddApiKeys(key));
        await using (var install = ChildProcess.Start(RepoPaths.ServerDll, ["hooks", "install", "claude-code", "--url", secured.BaseAddress.ToString()],
            new Dictionary<string, string> { ["HOME"] = Sandbox.Home, ["SWITCHBOARD_API_KEY"] = "" }))
        {
            (await install.WaitForExitAsync()).ShouldBe(0, install.Output);
        }

        var installed = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Sandbox.Home, ".claude", "settings.json")))!.AsObject();
        var claude = new ClaudeCodeAgent(Sandbox, Api).Allow("Bash(touch:*)");
        claude.Settings["hooks"] = installed["hooks"]!.DeepClone(); // the agent writes its settings file again at start
        claude.Environment["SWITCHBOARD_API_KEY"] = key;
        Api.Enqueue(ModelTurn.CallTool("Bash", new { command = "touch a.txt", description = "Create a file" }), ModelTurn.Say("All done."));

        var result = await claude.RunAsync();

        result.ExitCode.ShouldBe(0, result.Output);
        var id = "otel:s:" + result.Json!["session_id"]!.GetValue<string>();
        var reader = secured.HttpWithKey(key);
        await SwitchboardLog.TerminatedAsync(secured, id, reader);
        var events = JsonDocument.Parse(await reader.GetStringAsync("/api/events?session_id=" + Uri.EscapeDataString(id))).RootElement.GetProperty("events");
        events.EnumerateArray().Select(e => e.GetProperty("type").GetString()).First().ShouldBe("session_created");
        events.EnumerateArray().Count(e => e.GetProperty("data").TryGetProperty("changes", out var c) && c.TryGetProperty("activity", out var a)
            && a.GetString() == "Bash").ShouldBe(1, "every event reached Switchboard with the key from the environment");
    }
}
