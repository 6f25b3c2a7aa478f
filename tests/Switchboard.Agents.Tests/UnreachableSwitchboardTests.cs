using System.Text.Json.Nodes;
using Switchboard.Testing;
using Switchboard.Testing.Agents;

namespace Switchboard.Agents.Tests;

/// <summary>
/// The three real agents with the hooks <c>switchboard hooks install</c> writes, against a Switchboard that accepts
/// connections and never answers (a hung node behind a load balancer) and against an address that drops every packet
/// (a VPN gone down): every event Switchboard never holds gives up within its short timeout, and a <c>-p</c> run ends
/// within the bound docs/hooks.md gives ("When Switchboard is unreachable"): its own time plus 5 s per event.
/// </summary>
public sealed class UnreachableSwitchboardTests : IAsyncLifetime
{
    private const string Key = "unreachable-key-0123456789";

    /// <summary>The short timeout, and the margin a loaded machine may add to it.</summary>
    private static readonly TimeSpan ShortTimeout = TimeSpan.FromSeconds(5) + TestTimeouts.Default;

    /// <summary>
    /// The documented bound for these runs (six events at most, 5 s each, over a run of its own) with room for a loaded
    /// machine; hooks that waited their old 600 s, or TCP's two-minute connect, overrun it by far.
    /// </summary>
    private static readonly TimeSpan RunBound = TimeSpan.FromSeconds(120);

    private AgentTestBed _bed = null!;

    public async ValueTask InitializeAsync() => _bed = await AgentTestBed.StartAsync("unreachable");

    public ValueTask DisposeAsync() => _bed.DisposeAsync();

    [Theory]
    [InlineData("claude-code", "UserPromptSubmit", "Stop")]
    [InlineData("codex", "UserPromptSubmit", "Stop")]
    [InlineData("gemini-cli", "BeforeAgent", "AfterAgent")]
    public async Task EveryEventGivesUpWithinItsShortTimeoutWhenSwitchboardAcceptsAndNeverAnswers(string agent, string prompt, string end)
    {
        await using var silent = new SilentServer();
        _bed.Api.Enqueue(ModelTurn.Say("Nothing to do."));

        var result = await RunAsync(agent, await InstalledHooksAsync(agent, silent.Url("/")), bound: RunBound);

        result.ExitCode.ShouldBe(0, result.Output);
        var connections = silent.Connections;
        foreach (var hookEvent in new[] { "SessionStart", prompt, end })
        {
            connections.ShouldContain(c => c.Received.Contains($"\"hook_event_name\":\"{hookEvent}\""), $"{hookEvent} reached the server. {result.Output}");
        }

        foreach (var connection in connections)
        {
            await connection.Closed.Within();
            connection.OpenFor!.Value.ShouldBeLessThan(ShortTimeout, "a hook Switchboard never holds waits its short timeout at most: " + connection.Received);
        }
    }

    [Theory]
    [InlineData("claude-code")]
    [InlineData("codex")]
    [InlineData("gemini-cli")]
    public async Task ARunWithAToolEndsWithinItsBoundWhenSwitchboardsAddressDropsPackets(string agent)
    {
        using var dropped = DroppedAddress.Create();
        _bed.Api.Enqueue(agent switch
        {
            "claude-code" => ModelTurn.CallTool("Bash", new { command = "touch a.txt", description = "Create a file" }),
            "codex" => ModelTurn.CallTool("exec_command", new { cmd = "touch a.txt" }),
            _ => ModelTurn.CallTool("run_shell_command", new { command = "touch a.txt", description = "Create a file" }),
        }, ModelTurn.Say("All done."));

        var result = await RunAsync(agent, await InstalledHooksAsync(agent, dropped.Url("/")), bound: RunBound);

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(_bed.Sandbox.WorkFile("a.txt")).ShouldBeTrue("the agent followed its own rules, and they let the tool run. " + result.Output);
    }

    /// <summary>The <c>hooks</c> object <c>switchboard hooks install AGENT --url URL</c> writes.</summary>
    private async Task<JsonObject> InstalledHooksAsync(string agent, Uri url)
    {
        var file = Path.Combine(_bed.Sandbox.Home, "installed-" + agent + ".json");
        await using var install = ChildProcess.Start(RepoPaths.ServerDll, ["hooks", "install", agent, "--url", url.ToString(), "--settings", file],
            new Dictionary<string, string> { ["HOME"] = _bed.Sandbox.Home, ["SWITCHBOARD_API_KEY"] = "" });
        (await install.WaitForExitAsync()).ShouldBe(0, install.Output);
        return JsonNode.Parse(File.ReadAllText(file))!["hooks"]!.DeepClone().AsObject();
    }

    private async Task<AgentResult> RunAsync(string agent, JsonObject hooks, TimeSpan bound)
    {
        AgentProcess run;
        switch (agent)
        {
            case "claude-code":
                var claude = new ClaudeCodeAgent(_bed.Sandbox, _bed.Api).Allow("Bash(touch:*)");
                claude.Settings["hooks"] = hooks;
                claude.Environment["SWITCHBOARD_API_KEY"] = Key;
                run = claude.Start();
                break;
            case "codex":
                var codex = new CodexAgent(_bed.Sandbox, _bed.Api);
                foreach (var (name, groups) in hooks)
                {
                    codex.Hooks[name] = groups!.DeepClone();
                }

                codex.Environment["SWITCHBOARD_API_KEY"] = Key;
                run = codex.Start();
                break;
            default:
                var gemini = new GeminiCliAgent(_bed.Sandbox, _bed.Api);
                gemini.Settings["hooks"] = hooks;
                gemini.Environment["SWITCHBOARD_API_KEY"] = Key;
                run = gemini.Start();
                break;
        }

        await using (run)
        {
            var exitCode = await run.WaitForExitAsync(bound);
            return new AgentResult(exitCode, run.Stdout, run.Output);
        }
    }
}
