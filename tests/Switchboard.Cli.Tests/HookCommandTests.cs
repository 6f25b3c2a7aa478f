using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>
/// The command hooks <c>switchboard hooks install</c> writes, run as the agents run them (<c>sh -c</c>, the event on
/// stdin): the key reaches the server and no process's argument list, and a Switchboard that never answers, or cannot
/// be reached, costs an event its short timeout, never the agent's patience (docs/hooks.md, "When Switchboard is unreachable").
/// </summary>
public sealed class HookCommandTests
{
    private const string Key = "argv-key-5f0c1d2e3a4b";
    private const int ShortTimeoutSeconds = 5;
    private const int ConnectTimeoutSeconds = 3;

    [Fact]
    public async Task TheKeyReachesTheServerButNoProcesssArgumentsWhileAnInstalledCommandHookRuns()
    {
        using var home = new TempDirectory();
        await using var server = new SilentServer();
        var file = await InstallAsync(home.Path, "codex", server.Url("/"));
        var command = HookShell.Installed(file, "PreToolUse");
        command.ShouldNotContain(Key);

        await using var hook = HookShell.Start(command, Event("PreToolUse"), new Dictionary<string, string> { ["SWITCHBOARD_API_KEY"] = Key });
        var connection = await server.WaitForAsync("\"tool_name\":\"Bash\"}"); // the whole event arrived: curl waits for the answer now
        var running = HookShell.EveryArgumentList();

        running.ShouldContain(a => a.Contains("curl ") && a.Contains($":{server.Port}/hooks/codex"), "curl was running when the lists were read");
        running.ShouldNotContain(a => a.Contains(Key), "the key is in no process's argument list, which every local user can read (ps)");
        connection.Received.ShouldContain($"Authorization: Bearer {Key}\r\n");
        connection.Received.ShouldContain("Content-Type: application/json\r\n");

        await connection.AnswerAsync("""{"continue":true}""");
        var (code, stdout, _) = await hook.WaitAsync();
        code.ShouldBe(0);
        stdout.ShouldBe("""{"continue":true}""", "the answer is the hook's output");
    }

    [Fact]
    public async Task AShortEventGivesUpOnAServerThatNeverAnswersWithinItsTimeoutAndSaysNothing()
    {
        using var home = new TempDirectory();
        await using var server = new SilentServer();
        var file = await InstallAsync(home.Path, "gemini-cli", server.Url("/"));

        await using var hook = HookShell.Start(HookShell.Installed(file, "AfterTool"), Event("AfterTool"), new Dictionary<string, string> { ["SWITCHBOARD_API_KEY"] = Key });
        var (code, stdout, stderr) = await hook.WaitAsync(TimeSpan.FromSeconds(ShortTimeoutSeconds) + TestTimeouts.Default);

        code.ShouldBe(28, "curl's own --max-time ended it");
        stdout.ShouldBeEmpty("no answer is no decision");
        stderr.ShouldBeEmpty("Gemini CLI reads text on stderr as its answer when stdout is empty");
        var connection = await server.WaitForAsync("AfterTool");
        await connection.Closed.Within();
    }

    [Fact]
    public async Task AnEventSwitchboardMayHoldStillGivesUpOnAnAddressThatDropsPacketsWithinTheConnectTimeout()
    {
        using var home = new TempDirectory();
        using var dropped = DroppedAddress.Create();
        var file = await InstallAsync(home.Path, "codex", dropped.Url("/"));
        var command = HookShell.Installed(file, "PermissionRequest");

        await using var hook = HookShell.Start(command, Event("PermissionRequest"), new Dictionary<string, string> { ["SWITCHBOARD_API_KEY"] = Key });
        var (code, stdout, stderr) = await hook.WaitAsync(TimeSpan.FromSeconds(ConnectTimeoutSeconds) + TestTimeouts.Default);

        code.ShouldBe(28, "curl's --connect-timeout ended it, not TCP's two minutes");
        stdout.ShouldBeEmpty();
        stderr.ShouldBeEmpty();
    }

    private static string Event(string name) =>
        $$"""{"hook_event_name":"{{name}}","session_id":"s-1","cwd":"/tmp","tool_name":"Bash"}""";

    /// <summary>Runs <c>hooks install</c> for <paramref name="agent"/> into a file of its own; returns the file's path.</summary>
    private static async Task<string> InstallAsync(string home, string agent, Uri url)
    {
        var file = Path.Combine(home, agent + ".json");
        var (code, process) = await Cli.RunWithAsync(new Dictionary<string, string> { ["HOME"] = home },
            "hooks", "install", agent, "--url", url.ToString(), "--settings", file);
        await using (process)
        {
            code.ShouldBe(0, process.Output);
        }

        return file;
    }
}
