using System.Text.RegularExpressions;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using Switchboard.Testing.Agents;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Agents.Tests;

/// <summary>
/// A person answers an unmodified Claude Code's question from the dashboard (issue 58's acceptance): its
/// <c>AskUserQuestion</c> shows as a question card in the "Needs you" strip of headless Chromium, a click on an option
/// and on Send answers it, and the model reads the chosen label in the tool's result.
/// </summary>
public sealed partial class ClaudeCodeDashboardQuestionTests(Chromium chromium) : IAsyncLifetime
{
    private AgentTestBed _bed = null!;
    private SwitchboardServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        _bed = await AgentTestBed.StartAsync("claude-dashboard-question");
        _server = await SwitchboardServer.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _bed.DisposeAsync();
    }

    [Fact]
    public async Task AClickOnAnOptionAnswersClaudeCodesQuestionAndTheModelReadsIt()
    {
        await using var page = await DashboardPage.OpenAsync(chromium, _server.BaseAddress);
        var claude = new ClaudeCodeAgent(_bed.Sandbox, _bed.Api).WithHooks(new Uri(_server.BaseAddress, "/hooks/claude-code"));
        _bed.Api.Enqueue(ModelTurn.CallTool("AskUserQuestion", ClaudeCodeHookPost.Question("Which color?", "Color", "Blue", "Red")), ModelTurn.Say("Red it is."));
        await using var run = await claude.StartAsSdkAsync();

        var pending = await SwitchboardLog.PendingApprovalAsync(_server);
        var card = page.Page.Locator($"[data-testid=needs-you-approval][data-approval-id='{pending.GetProperty("id").GetString()}']");
        var question = card.Locator("[data-testid=approval-question][data-index='0']");
        await Expect(question).ToContainTextAsync("Which color?", new() { Timeout = (float)TestTimeouts.Long.TotalMilliseconds });
        await question.GetByTestId("approval-option").Filter(new() { HasTextRegex = ExactlyRed() }).ClickAsync();
        await card.GetByTestId("approval-send-answers").ClickAsync();

        (await ClaudeCodeAgent.FinishSdkRunAsync(run)).ShouldBe(0, run.Output);
        await _bed.Api.WaitForTurnAsync(2);
        _bed.Api.Turns[1].LastToolResult()!.Value.Text.ShouldContain("\"Which color?\"=\"Red\"");
        await Expect(card).ToHaveCountAsync(0);
        var approval = (await SwitchboardLog.ApprovalsAsync(_server, pending.GetProperty("session_id").GetString()!)).ShouldHaveSingleItem();
        approval.GetProperty("answers").GetProperty("Which color?").GetString().ShouldBe("Red");
        page.ShouldHaveNoScriptErrors();
    }

    [GeneratedRegex("^\\s*Red\\s*$")]
    private static partial Regex ExactlyRed();
}
