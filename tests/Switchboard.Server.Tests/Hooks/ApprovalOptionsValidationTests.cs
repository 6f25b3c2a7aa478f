using Microsoft.Extensions.Configuration;
using Switchboard.Server.Approvals.Options;
using Switchboard.Server.Options;
using Switchboard.Server.Options.Validation;

namespace Switchboard.Server.Tests.Hooks;

/// <summary>
/// <c>Switchboard:Approvals:Hold</c> and <c>:Skip</c> are checked at start-up: each rule that is not Claude Code's
/// permission-rule syntax stops the server with a line naming its key and index, the rule, and how to write it.
/// </summary>
public sealed class ApprovalOptionsValidationTests
{
    private static IReadOnlyList<string> Problems(ApprovalOptions options) =>
        new ApprovalOptionsValidator().Validate(null, options).Failures?.ToList() ?? [];

    [Fact]
    public void RulesInClaudeCodesSyntaxAreAccepted() =>
        Problems(new ApprovalOptions
        {
            Hold = ["Bash(rm *)", "Bash(git push:*)", "Write(*/.env)", "mcp__github__*"],
            Skip = ["Read", "Grep", "Glob", "run_shell_command(ls *)"],
            HoldNonInteractive = true,
        }).ShouldBeEmpty();

    [Fact]
    public void TheRulesAreReadFromConfigurationAsLists()
    {
        var options = new ApprovalOptions();
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Approvals:Hold:0"] = "Bash(rm *)",
            ["Approvals:Skip:0"] = "Read",
            ["Approvals:Skip:1"] = "Bash(git status)",
            ["Approvals:HoldNonInteractive"] = "true",
        }).Build().GetSection("Approvals").Bind(options);

        options.Hold.ShouldBe(["Bash(rm *)"]);
        options.Skip.ShouldBe(["Read", "Bash(git status)"]);
        options.HoldNonInteractive.ShouldBeTrue();
        Problems(options).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("Hold", "Bash(rm *", "Switchboard:Approvals:Hold:0 = 'Bash(rm *' is not allowed: a pattern goes in parentheses after the tool name and is not empty, such as Bash(rm *) or Write(*/.env).")]
    [InlineData("Hold", "Bash()", "Switchboard:Approvals:Hold:0 = 'Bash()' is not allowed: a pattern goes in parentheses after the tool name and is not empty, such as Bash(rm *) or Write(*/.env).")]
    [InlineData("Skip", "", "Switchboard:Approvals:Skip:0 = '' is not allowed: a rule is a tool name, or a tool name and a pattern in parentheses, of 1 to 1,000 characters, such as Bash, Bash(rm *) or mcp__github__*.")]
    [InlineData("Skip", "Read File", "Switchboard:Approvals:Skip:0 = 'Read File' is not allowed: the tool name (before any parenthesis) must be the agent's tool name as its hooks send it, letters, digits, '_', '-', '.' and '*' for any run of them, such as Bash, Write, run_shell_command or mcp__github__*.")]
    [InlineData("Hold", "Read(./.env)", "Switchboard:Approvals:Hold:0 = 'Read(./.env)' is not allowed: a pattern is matched against the input as the agent sends it, an absolute path or a whole URL, never relative to a folder or by domain: write Write(*/.env), Edit(/home/me/project/*) or WebFetch(https://example.com/*).")]
    [InlineData("Hold", "WebFetch(domain:example.com)", "Switchboard:Approvals:Hold:0 = 'WebFetch(domain:example.com)' is not allowed: a pattern is matched against the input as the agent sends it, an absolute path or a whole URL, never relative to a folder or by domain: write Write(*/.env), Edit(/home/me/project/*) or WebFetch(https://example.com/*).")]
    public void ARuleThatIsNotClaudeCodesSyntaxIsOneLineSayingHowToWriteIt(string list, string rule, string line)
    {
        var options = list == "Hold" ? new ApprovalOptions { Hold = [rule] } : new ApprovalOptions { Skip = [rule] };
        Problems(options).ShouldBe([line]);
    }

    [Fact]
    public void EachBadRuleIsNamedByItsIndex()
    {
        var problems = Problems(new ApprovalOptions { Hold = ["Bash(rm *)", "Bash(", "Write"] });
        problems.ShouldHaveSingleItem().ShouldStartWith("Switchboard:Approvals:Hold:1 = 'Bash(' is not allowed");
    }

    [Fact]
    public void TooManyRulesAreRefused() =>
        Problems(new ApprovalOptions { Skip = [.. Enumerable.Repeat("Read", 501)] }).ShouldBe(
            ["Switchboard:Approvals:Skip has 501 rules; at most 500 are allowed: use '*' to name many calls in one."]);
}
