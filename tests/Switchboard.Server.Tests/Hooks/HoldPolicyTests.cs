using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Switchboard.Server.Approvals.Options;
using Switchboard.Server.Hooks;
using Switchboard.Server.Options;

namespace Switchboard.Server.Tests.Hooks;

/// <summary>
/// The rules of docs/approvals.md, "Which calls wait": how a <c>Tool(pattern)</c> rule matches a call's input, that a
/// shell line is held if any of its commands is and skipped only if each is, Hold over Skip over the kind of run, and the
/// kind of run read from the installed hooks' headers.
/// </summary>
public sealed class HoldPolicyTests
{
    private static JsonElement Input(object input) => JsonSerializer.SerializeToElement(input);

    private static string? Why(ApprovalOptions options, string tool, object input, HookRun run = HookRun.Interactive) =>
        new HoldPolicy(options).WhyNotHeld(tool, Input(input), run);

    [Theory]
    [InlineData("Bash(rm *)", "rm -rf build", true)]
    [InlineData("Bash(rm *)", "rm", true)] // the prefix alone
    [InlineData("Bash(rm *)", "rmdir build", false)] // " *" is a word boundary
    [InlineData("Bash(rm:*)", "rm -f x", true)] // Claude Code's older prefix form
    [InlineData("Bash(rm *)", "cd /srv && rm -rf build", true)] // any command of a line
    [InlineData("Bash(rm *)", "echo $(rm -rf build)", true)]
    [InlineData("Bash(rm *)", "ls | xargs echo; FORCE=1 rm x", true)] // after an assignment
    [InlineData("Bash(rm *)", "echo rm -rf build", false)]
    [InlineData("Bash(git push *main*)", "git push origin main", true)]
    [InlineData("Bash", "anything at all", true)]
    [InlineData("B*", "ls", true)]
    [InlineData("Write", "ls", false)] // another tool
    public void AHoldRuleMatchesAShellCommandAsDocumented(string rule, string command, bool held)
    {
        var why = Why(new ApprovalOptions { Hold = [rule] }, "Bash", new { command }, HookRun.NonInteractive);
        (why is null).ShouldBe(held, why);
    }

    [Theory]
    [InlineData("Write(*/.env)", "/home/dev/project/.env", true)]
    [InlineData("Write(*/.env)", "/home/dev/project/.env.example", false)]
    [InlineData("Write(/etc/*)", "/etc/hosts", true)]
    [InlineData("Write(//etc/**)", "/etc/ssh/sshd_config", true)] // Claude Code's absolute form, and its **
    public void AFileRuleMatchesTheAbsolutePathTheAgentSends(string rule, string path, bool held)
    {
        var why = Why(new ApprovalOptions { Hold = [rule] }, "Write", new { file_path = path, content = "TOKEN=1" }, HookRun.NonInteractive);
        (why is null).ShouldBe(held, why);
    }

    [Theory]
    [InlineData("git status", true)]
    [InlineData("git status && ls -la", true)]
    [InlineData("ls && rm -rf build", false)] // one command no rule names
    [InlineData("ls `rm -rf build`", false)]
    [InlineData("git status; git push", false)]
    public void ASkipRuleSkipsALineOnlyWhenItNamesEachCommand(string command, bool skipped)
    {
        var why = Why(new ApprovalOptions { Skip = ["Bash(git status)", "Bash(ls *)"] }, "Bash", new { command });
        (why is not null).ShouldBe(skipped, why);
    }

    [Fact]
    public void HoldWinsOverSkipAndOverTheKindOfRun()
    {
        var options = new ApprovalOptions { Hold = ["Bash(rm *)"], Skip = ["Bash", "Read"] };
        Why(options, "Bash", new { command = "rm -rf /" }, HookRun.NonInteractive).ShouldBeNull();
        Why(options, "Bash", new { command = "ls" }).ShouldBe("a Switchboard:Approvals:Skip rule matches it");
        Why(options, "Read", new { file_path = "/home/dev/.ssh/id_ed25519" }).ShouldBe("a Switchboard:Approvals:Skip rule matches it");
        Why(options, "Write", new { file_path = "/a" }).ShouldBeNull("an interactive run's call no rule names is held");
        Why(options, "Write", new { file_path = "/a" }, HookRun.Unknown).ShouldBeNull("a run that does not say is held as before");
        Why(options, "Write", new { file_path = "/a" }, HookRun.NonInteractive).ShouldBe("the run is not interactive and Switchboard:Approvals:HoldNonInteractive is false");
        Why(new ApprovalOptions { HoldNonInteractive = true }, "Write", new { file_path = "/a" }, HookRun.NonInteractive).ShouldBeNull();
    }

    [Theory]
    [InlineData("X-Switchboard-Run", "cli", "Interactive")]
    [InlineData("X-Switchboard-Run", "interactive", "Interactive")]
    [InlineData("X-Switchboard-Run", "sdk-cli", "NonInteractive")]
    [InlineData("X-Switchboard-Run", "sdk-py", "NonInteractive")]
    [InlineData("X-Switchboard-Run", "Non-Interactive", "NonInteractive")]
    [InlineData("X-Switchboard-Run", "claude-vscode", "Unknown")]
    [InlineData("X-Switchboard-Run", "", "Unknown")]
    [InlineData("X-Switchboard-CI", "true", "NonInteractive")]
    [InlineData("X-Switchboard-CI", "1", "NonInteractive")]
    [InlineData("X-Switchboard-CI", "false", "Unknown")]
    [InlineData("X-Switchboard-CI", "", "Unknown")]
    public void TheKindOfRunIsReadFromTheHooksHeaders(string header, string value, string run)
    {
        var headers = new HeaderDictionary { [header] = value };
        HookRuns.Of(headers).ShouldBe(Enum.Parse<HookRun>(run));
    }

    [Fact]
    public void CiWinsOverAnInteractiveEntrypoint() =>
        HookRuns.Of(new HeaderDictionary { ["X-Switchboard-Run"] = "cli", ["X-Switchboard-CI"] = "true" }).ShouldBe(HookRun.NonInteractive);
}
