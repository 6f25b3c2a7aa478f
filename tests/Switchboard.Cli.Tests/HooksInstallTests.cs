using System.Text.Json.Nodes;
using Switchboard.Core.Hosting;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>
/// <c>switchboard hooks install</c>: merges Switchboard's hooks into each agent's settings file, idempotently, with a
/// backup, keeping the user's own hooks and settings; the file names the key's variable, never a key.
/// </summary>
public sealed class HooksInstallTests
{
    private const string UserSettings = """
        {
          // the user's own settings, with a comment and a trailing comma, as Claude Code and Gemini CLI accept
          "model": "opus",
          "hooks": {
            "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "my-guard.sh"}]}],
            "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}],
          },
        }
        """;

    [Fact]
    public async Task InstallingTwiceIntoAClaudeCodeSettingsFileWithUserHooksKeepsTheirsAndAddsOursOnce()
    {
        using var home = new TempDirectory();
        var file = Path.Combine(home.Path, ".claude", "settings.json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, UserSettings);

        var first = await InstallAsync(home.Path, "claude-code", "--url", "http://sb.example:5080");
        first.ShouldContain(file + ".bak");
        var afterFirst = File.ReadAllText(file);
        var second = await InstallAsync(home.Path, "claude-code", "--url", "http://sb.example:5080");
        second.ShouldContain("nothing changed");
        File.ReadAllText(file).ShouldBe(afterFirst, "a second install changes nothing");
        File.ReadAllText(file + ".bak").ShouldBe(UserSettings, "the backup is the file as the user had it");

        var settings = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        settings["model"]!.GetValue<string>().ShouldBe("opus");
        var hooks = settings["hooks"]!.AsObject();
        var pre = hooks["PreToolUse"]!.AsArray();
        pre.Count.ShouldBe(2);
        pre[0]!["matcher"]!.GetValue<string>().ShouldBe("Bash");
        pre[0]!["hooks"]![0]!["command"]!.GetValue<string>().ShouldBe("my-guard.sh", "the user's hook stays first, as it was");
        var ours = hooks["PostToolUse"]![0]!["hooks"]![0]!;
        ours["type"]!.GetValue<string>().ShouldBe("http");
        ours["url"]!.GetValue<string>().ShouldBe("http://sb.example:5080/hooks/claude-code");
        ours["headers"]!["Authorization"]!.GetValue<string>().ShouldBe("Bearer $SWITCHBOARD_API_KEY");
        ours["allowedEnvVars"]![0]!.GetValue<string>().ShouldBe("SWITCHBOARD_API_KEY");
        ours["timeout"]!.GetValue<int>().ShouldBe(5, "Switchboard never holds PostToolUse: a few seconds");
        var held = hooks["PermissionRequest"]![0]!["hooks"]![0]!;
        held["type"]!.GetValue<string>().ShouldBe("command", "curl has a connect timeout, an HTTP hook has none");
        held["timeout"]!.GetValue<int>().ShouldBe(660, "above a pause hold and an approval, 300 s each by default");
        held["command"]!.GetValue<string>().ShouldContain("--connect-timeout 3 --max-time 659 ");
        hooks["SessionEnd"]![0]!["hooks"]![0]!.AsObject().ContainsKey("timeout").ShouldBeFalse("Claude Code's own 1.5 s for SessionEnd is kept");
        hooks["Stop"]!.AsArray().Count.ShouldBe(2);
        hooks["Stop"]![0]!["hooks"]![0]!["command"]!.GetValue<string>().ShouldBe("notify-send done");
        var start = hooks["SessionStart"]!.AsArray().ShouldHaveSingleItem()!["hooks"]![0]!;
        start["type"]!.GetValue<string>().ShouldBe("command", "Claude Code skips HTTP hooks at SessionStart");
        start["command"]!.GetValue<string>().ShouldContain("curl -s --connect-timeout 3 --max-time 4 ");
        start["command"]!.GetValue<string>().ShouldContain("\"${SWITCHBOARD_API_KEY}\"");
        foreach (var (_, groups) in hooks)
        {
            groups!.AsArray().Count(g => g!.ToJsonString().Contains("/hooks/claude-code")).ShouldBe(1);
        }

        // Another server: ours replaced, theirs kept.
        await InstallAsync(home.Path, "claude-code", "--url", "http://other:6000", "--key-env", "TEAM_KEY");
        var moved = File.ReadAllText(file);
        moved.ShouldContain("http://other:6000/hooks/claude-code");
        moved.ShouldNotContain("sb.example");
        moved.ShouldContain("$TEAM_KEY");
        moved.ShouldContain("my-guard.sh");
        File.ReadAllText(file + ".bak").ShouldBe(UserSettings, "the first backup is never overwritten");
        File.ReadAllText(file + ".bak.1").ShouldBe(afterFirst);
    }

    [Fact]
    public async Task CodexGetsCommandHooksInItsHooksFileAndTheTrustStepIsSaid()
    {
        using var home = new TempDirectory();
        var codexHome = Path.Combine(home.Path, "codex-home");
        var (code, process) = await Cli.RunWithAsync(new Dictionary<string, string> { ["HOME"] = home.Path, ["CODEX_HOME"] = codexHome },
            "hooks", "install", "codex");
        await using (process)
        {
            code.ShouldBe(0, process.Output);
            process.Output.ShouldContain("/hooks");
            process.Output.ShouldContain("--dangerously-bypass-hook-trust");
        }

        var hooks = JsonNode.Parse(File.ReadAllText(Path.Combine(codexHome, "hooks.json")))!["hooks"]!.AsObject();
        var hook = hooks["PreToolUse"]![0]!["hooks"]![0]!;
        hook["type"]!.GetValue<string>().ShouldBe("command");
        hook["command"]!.GetValue<string>().ShouldEndWith($"'{SwitchboardDefaults.Urls}/hooks/codex' 3<&0 0<&4 4<&-; }} 4<&0");
        hook["timeout"]!.GetValue<int>().ShouldBe(660, "Switchboard may hold PreToolUse (a paused session)");
        hooks["Stop"]![0]!["hooks"]![0]!["timeout"]!.GetValue<int>().ShouldBe(5);
        hooks["SessionEnd"]![0]!["hooks"]![0]!["timeout"]!.GetValue<int>().ShouldBe(3, "Codex clamps SessionEnd to 3 s, and warns past it");
        hooks.ContainsKey("PermissionRequest").ShouldBeTrue();
    }

    [Fact]
    public async Task GeminiCliGetsMillisecondTimeoutsAndNoModelHooksAndPrintWritesNothing()
    {
        using var home = new TempDirectory();
        var (code, process) = await Cli.RunWithAsync(new Dictionary<string, string> { ["HOME"] = home.Path }, "hooks", "install", "gemini-cli", "--print");
        await using (process)
        {
            code.ShouldBe(0, process.Output);
            var printed = JsonNode.Parse(string.Join('\n', process.StdoutLines))!["hooks"]!.AsObject();
            printed["BeforeTool"]![0]!["hooks"]![0]!["timeout"]!.GetValue<int>().ShouldBe(660_000, "milliseconds; Switchboard may hold BeforeTool");
            printed["AfterTool"]![0]!["hooks"]![0]!["timeout"]!.GetValue<int>().ShouldBe(5_000);
            printed["AfterTool"]![0]!["hooks"]![0]!["command"]!.GetValue<string>().ShouldContain("--max-time 4 ");
            printed.ContainsKey("BeforeModel").ShouldBeFalse("model hooks carry the whole prompt");
            printed.ContainsKey("AfterAgent").ShouldBeTrue();
        }

        Directory.Exists(Path.Combine(home.Path, ".gemini")).ShouldBeFalse("--print writes nothing");
    }

    [Fact]
    public async Task ASettingsFileThatIsNotJsonIsLeftAsItWasWithOneLine()
    {
        using var home = new TempDirectory();
        var file = Path.Combine(home.Path, ".gemini", "settings.json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, "{ not json");

        var line = await Cli.FailsWithOneLineAsync(1, new Dictionary<string, string> { ["HOME"] = home.Path }, "hooks", "install", "gemini-cli");

        line.ShouldContain("was left as it was");
        File.ReadAllText(file).ShouldBe("{ not json");
        File.Exists(file + ".bak").ShouldBeFalse();
        (await Cli.FailsWithOneLineAsync(2, null, "hooks", "install", "cursor")).ShouldContain("claude-code, codex or gemini-cli");
        (await Cli.FailsWithOneLineAsync(2, null, "hooks", "install", "codex", "--key-env", "not a name")).ShouldContain("--key-env");
    }

    private static async Task<string> InstallAsync(string home, params string[] args)
    {
        var (code, process) = await Cli.RunWithAsync(new Dictionary<string, string> { ["HOME"] = home }, ["hooks", "install", .. args]);
        await using (process)
        {
            code.ShouldBe(0, process.Output);
            return process.Output;
        }
    }
}
