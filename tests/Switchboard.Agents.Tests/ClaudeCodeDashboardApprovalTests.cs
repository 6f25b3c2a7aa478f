using Microsoft.Playwright;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using Switchboard.Testing.Agents;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Agents.Tests;

/// <summary>
/// A person answers an unmodified Claude Code from the dashboard (issue 45's acceptance): its held
/// <c>PermissionRequest</c> shows in the "Needs you" strip of the dashboard open in headless Chromium, and a click on
/// Allow lets the tool run (the file it writes exists), on Deny it does not.
/// </summary>
public sealed class ClaudeCodeDashboardApprovalTests(Chromium chromium) : IAsyncLifetime
{
    private AgentTestBed _bed = null!;
    private SwitchboardServer _server = null!;

    private AgentSandbox Sandbox => _bed.Sandbox;

    public async ValueTask InitializeAsync()
    {
        _bed = await AgentTestBed.StartAsync("claude-dashboard");
        _server = await SwitchboardServer.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _bed.DisposeAsync();
    }

    [Theory]
    [InlineData("allow", true, "allowed")]
    [InlineData("deny", false, "denied")]
    public async Task AClickInTheNeedsYouStripDecidesWhetherClaudeCodesToolRuns(string button, bool runs, string state)
    {
        await using var page = await DashboardPage.OpenAsync(chromium, _server.BaseAddress);
        var file = Sandbox.WorkFile("approved.txt");
        var claude = new ClaudeCodeAgent(Sandbox, _bed.Api).WithHooks(new Uri(_server.BaseAddress, "/hooks/claude-code"));
        _bed.Api.Enqueue(ModelTurn.CallTool("Write", new { file_path = file, content = "x" }), ModelTurn.Say("All done.")); // needs permission
        await using var run = claude.Start();

        // The agent starts, asks, and its hook is held: the strip shows what it waits for.
        var item = page.Page.GetByTestId("needs-you-item");
        await Expect(item.GetByTestId("approval-summary")).ToHaveTextAsync(file, // the path beside the tool's name, not after it again
            new() { Timeout = (float)TestTimeouts.Long.TotalMilliseconds });
        await Expect(item.GetByTestId("approval-tool")).ToHaveTextAsync("Write");
        var id = (await item.GetAttributeAsync("data-session-id"))!;
        id.ShouldStartWith("otel:s:");
        await Expect(page.Badge(id)).ToHaveAttributeAsync("data-state", "waiting");
        File.Exists(file).ShouldBeFalse("held until someone answers");

        await item.GetByTestId("approval-" + button).ClickAsync();
        await run.WaitForExitAsync();

        File.Exists(file).ShouldBe(runs, run.Output);
        await Expect(item).ToHaveCountAsync(0);
        var approvals = await SwitchboardLog.ApprovalsAsync(_server, id);
        approvals.ShouldHaveSingleItem().GetProperty("state").GetString().ShouldBe(state);
        page.ShouldHaveNoScriptErrors();
    }
}
