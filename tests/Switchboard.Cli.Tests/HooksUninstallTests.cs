using System.Text.Json.Nodes;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>
/// <c>switchboard hooks install</c> and <c>uninstall</c> on a settings file as dotfile managers keep it: a symlink to a
/// 0600 file with the user's own hooks. The link stays a link, the mode stays, every backup is kept, a matcher the user
/// put on Switchboard's group survives a reinstall, and uninstall gives back the user's file.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HooksUninstallTests
{
    private const string UserSettings = """
        {
          "model": "opus",
          "hooks": {
            "PreToolUse": [
              {
                "matcher": "Bash",
                "hooks": [
                  {
                    "type": "command",
                    "command": "my-guard.sh"
                  }
                ]
              }
            ]
          }
        }

        """;

    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task InstallingTwiceOnASymlinkedPrivateFileThenUninstallingGivesBackTheUsersFileAndEveryBackup()
    {
        using var home = new TempDirectory();
        var dotfiles = Directory.CreateDirectory(Path.Combine(home.Path, "dotfiles")).FullName;
        var target = Path.Combine(dotfiles, "claude-settings.json");
        File.WriteAllText(target, UserSettings);
        File.SetUnixFileMode(target, Private);
        var link = Path.Combine(Directory.CreateDirectory(Path.Combine(home.Path, ".claude")).FullName, "settings.json");
        File.CreateSymbolicLink(link, target);

        (await RunAsync(home.Path, "install", "claude-code", "--url", "http://sb.example:5080")).ShouldContain(target);
        StillTheLinkToAPrivateFile(link, target);
        File.ReadAllText(link + ".bak").ShouldBe(UserSettings, "the first backup is the user's file");
        File.GetUnixFileMode(link + ".bak").ShouldBe(Private, "a copy of a private file is private");

        // The user narrows Switchboard's PreToolUse group to the tools they want held.
        var edited = JsonNode.Parse(File.ReadAllText(target))!.AsObject();
        var ours = edited["hooks"]!["PreToolUse"]!.AsArray().Single(g => g!.ToJsonString().Contains("/hooks/claude-code"))!.AsObject();
        ours.Insert(0, "matcher", "Bash|Write");
        File.WriteAllText(target, edited.ToJsonString());

        await RunAsync(home.Path, "install", "claude-code", "--url", "http://other.example:6000");
        StillTheLinkToAPrivateFile(link, target);
        var reinstalled = JsonNode.Parse(File.ReadAllText(target))!["hooks"]!["PreToolUse"]!.AsArray();
        reinstalled.Count.ShouldBe(2);
        reinstalled[1]!["matcher"]!.GetValue<string>().ShouldBe("Bash|Write", "the user's matcher on Switchboard's group is kept");
        reinstalled[1]!.ToJsonString().ShouldContain("http://other.example:6000/hooks/claude-code");
        File.ReadAllText(link + ".bak").ShouldBe(UserSettings, "the first backup is never overwritten");
        File.ReadAllText(link + ".bak.1").ShouldBe(edited.ToJsonString());

        (await RunAsync(home.Path, "uninstall", "claude-code")).ShouldContain("removed Switchboard's hooks");
        StillTheLinkToAPrivateFile(link, target);
        JsonNode.Parse(File.ReadAllText(target))!.ToJsonString().ShouldBe(JsonNode.Parse(UserSettings)!.ToJsonString(),
            "the user's file as it was: the same JSON, in the same order");
        File.ReadAllText(target).ShouldBe(UserSettings, "and, since the user's file was indented as Switchboard writes JSON, the same bytes");
        File.ReadAllText(link + ".bak").ShouldBe(UserSettings);
        File.Exists(link + ".bak.2").ShouldBeTrue("the file before uninstall is kept too");
        File.Exists(link + ".bak.3").ShouldBeFalse();

        (await RunAsync(home.Path, "uninstall", "claude-code")).ShouldContain("nothing changed");
        File.Exists(link + ".bak.3").ShouldBeFalse("nothing changed, nothing backed up");
    }

    [Fact]
    public async Task UninstallRemovesTheHooksOfAnEarlierInstallAndOnlyThose()
    {
        using var home = new TempDirectory();
        var file = Path.Combine(home.Path, "hooks.json");
        // The curl command of the installs before issue 56, beside a user's own curl to another endpoint.
        File.WriteAllText(file, """
            {"hooks": {
              "Stop": [
                {"hooks": [{"type": "command", "command": "curl -s https://ci.example/notify"}]},
                {"hooks": [{"type": "command", "command": "curl -s --data-binary @- -H 'Content-Type: application/json' -H \"Authorization: Bearer ${SWITCHBOARD_API_KEY}\" 'http://localhost:5080/hooks/codex'", "timeout": 600}]}
              ],
              "SessionStart": [
                {"hooks": [{"type": "command", "command": "curl -s --data-binary @- -H 'Content-Type: application/json' 'http://localhost:5080/hooks/codex'", "timeout": 600}]}
              ]
            }}
            """);

        await RunAsync(home.Path, "uninstall", "codex", "--settings", file);

        JsonNode.Parse(File.ReadAllText(file))!.ToJsonString().ShouldBe(
            """{"hooks":{"Stop":[{"hooks":[{"type":"command","command":"curl -s https://ci.example/notify"}]}]}}""");
    }

    private static void StillTheLinkToAPrivateFile(string link, string target)
    {
        new FileInfo(link).LinkTarget.ShouldBe(target, "the symlink stays a symlink to the user's file");
        File.GetUnixFileMode(target).ShouldBe(Private, "the file's mode is kept");
        Directory.GetFiles(Path.GetDirectoryName(target)!).ShouldBe([target], "no backup or temporary file is left beside the target");
    }

    private static async Task<string> RunAsync(string home, params string[] args)
    {
        var (code, process) = await Cli.RunWithAsync(new Dictionary<string, string> { ["HOME"] = home }, ["hooks", .. args]);
        await using (process)
        {
            code.ShouldBe(0, process.Output);
            return process.Output;
        }
    }
}
