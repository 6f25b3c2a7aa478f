using System.Text.Json.Nodes;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>
/// <c>switchboard hooks install claude-code [--answerable-prompts]</c>: Claude Code's permission mode decides whether its
/// terminal's prompts reach Switchboard (docs/hooks.md, "Claude Code in a terminal"). Without the flag the mode is left
/// alone and the choice is said; with it <c>permissions.defaultMode</c> becomes <c>default</c>, merged like the hooks.
/// </summary>
public sealed class HooksAnswerablePromptsTests
{
    private const string UserSettings = """
        {
          "permissions": {"allow": ["Bash(npm test)"], "defaultMode": "acceptEdits"},
          "model": "opus"
        }
        """;

    [Fact]
    public async Task WithoutTheFlagThePermissionModeIsLeftAloneAndTheChoiceIsSaid()
    {
        using var home = new TempDirectory();
        var file = Write(home, UserSettings);

        var output = await InstallAsync(home.Path, "claude-code");

        var permissions = Read(file)["permissions"]!;
        permissions["defaultMode"]!.GetValue<string>().ShouldBe("acceptEdits");
        permissions["allow"]![0]!.GetValue<string>().ShouldBe("Bash(npm test)");
        output.ShouldContain("the permission mode was left as it is (\"acceptEdits\")");
        output.ShouldContain("Switchboard only sees that the session needs input");
        output.ShouldContain("run this again with --answerable-prompts (sets permissions.defaultMode to \"default\")");
    }

    [Fact]
    public async Task TheFlagSetsTheDefaultModeOnceKeepingTheUsersPermissionsAndSaysWhatItWas()
    {
        using var home = new TempDirectory();
        var file = Write(home, UserSettings);

        var first = await InstallAsync(home.Path, "claude-code", "--answerable-prompts");
        first.ShouldContain("set permissions.defaultMode to \"default\" (it was \"acceptEdits\")");
        first.ShouldContain("held until you allow or deny it from the dashboard");
        var settings = Read(file);
        settings["permissions"]!["defaultMode"]!.GetValue<string>().ShouldBe("default");
        settings["permissions"]!["allow"]![0]!.GetValue<string>().ShouldBe("Bash(npm test)", "the user's rules stay");
        settings["model"]!.GetValue<string>().ShouldBe("opus");
        settings["hooks"]!["PermissionRequest"].ShouldNotBeNull();
        File.ReadAllText(file + ".bak").ShouldBe(UserSettings);

        var installed = File.ReadAllText(file);
        (await InstallAsync(home.Path, "claude-code", "--answerable-prompts")).ShouldContain("nothing changed");
        var without = await InstallAsync(home.Path, "claude-code");
        without.ShouldContain("nothing changed");
        without.ShouldContain("permissions.defaultMode is \"default\": each permission prompt reaches Switchboard");
        File.ReadAllText(file).ShouldBe(installed, "installing again, with or without the flag, changes nothing");
    }

    [Fact]
    public async Task TheFlagIsPrintedIsClaudeCodesOnlyAndLeavesAFileItCannotChangeAsItWas()
    {
        using var home = new TempDirectory();
        var (code, process) = await Cli.RunWithAsync(new Dictionary<string, string> { ["HOME"] = home.Path },
            "hooks", "install", "claude-code", "--answerable-prompts", "--print");
        await using (process)
        {
            code.ShouldBe(0, process.Output);
            var printed = JsonNode.Parse(string.Join('\n', process.StdoutLines))!;
            printed["permissions"]!["defaultMode"]!.GetValue<string>().ShouldBe("default");
            printed["hooks"]!["PermissionRequest"].ShouldNotBeNull();
        }

        (await Cli.FailsWithOneLineAsync(2, null, "hooks", "install", "codex", "--answerable-prompts")).ShouldContain("--answerable-prompts is for claude-code");

        var file = Write(home, """{"permissions": ["not", "an", "object"]}""");
        (await Cli.FailsWithOneLineAsync(1, new Dictionary<string, string> { ["HOME"] = home.Path }, "hooks", "install", "claude-code", "--answerable-prompts"))
            .ShouldContain("its \"permissions\" is not a JSON object");
        File.ReadAllText(file).ShouldBe("""{"permissions": ["not", "an", "object"]}""");
    }

    private static string Write(TempDirectory home, string text)
    {
        var file = Path.Combine(home.Path, ".claude", "settings.json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
        return file;
    }

    private static JsonObject Read(string file) => JsonNode.Parse(File.ReadAllText(file))!.AsObject();

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
