using Microsoft.Playwright;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using Switchboard.Testing.Agents;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Agents.Tests;

/// <summary>
/// Claude Code as a person runs it, in a terminal (issue 58, item 3), with the hooks <c>switchboard hooks install
/// claude-code</c> writes: with <c>--answerable-prompts</c> its permission prompt is held and answered from the
/// dashboard while the terminal's own dialog waits unanswered, and so is a plan (Claude Code then leaves plan mode);
/// without it (Claude Code's auto mode) the prompt is decided in the terminal, and the dashboard says where.
/// </summary>
public sealed class ClaudeCodeTerminalTests(Chromium chromium) : IAsyncLifetime
{
    private static readonly TimeSpan Long = TestTimeouts.Long;

    private AgentTestBed _bed = null!;
    private SwitchboardServer _server = null!;

    private AgentSandbox Sandbox => _bed.Sandbox;

    public async ValueTask InitializeAsync()
    {
        _bed = await AgentTestBed.StartAsync("claude-terminal");
        _server = await SwitchboardServer.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _bed.DisposeAsync();
    }

    [Fact]
    public async Task WithAnswerablePromptsATerminalsPermissionPromptIsAnsweredFromTheDashboard()
    {
        await InstallHooksAsync("--answerable-prompts");
        await using var page = await DashboardPage.OpenAsync(chromium, _server.BaseAddress);
        var file = Sandbox.WorkFile("approved.txt");
        _bed.Api.Enqueue(ModelTurn.CallTool("Write", new { file_path = file, content = "x" }), ModelTurn.Say("All done."));
        await using var terminal = ClaudeCodeTerminal.Start(Sandbox, _bed.Api, "Write the file approved.txt");

        // Held: the strip can answer it, and the terminal shows its own dialog, which nobody answers here.
        var item = page.Page.GetByTestId("needs-you-item");
        await Expect(item.GetByTestId("approval-summary")).ToHaveTextAsync(file, // the path beside the tool's name, not after it again
            new() { Timeout = (float)Long.TotalMilliseconds });
        await terminal.WaitForTextAsync("Do you want to create approved.txt?");
        File.Exists(file).ShouldBeFalse("held until someone answers");

        await item.GetByTestId("approval-allow").ClickAsync();

        await terminal.WaitForTextAsync("Allowed by PermissionRequest hook");
        await _bed.Api.WaitForTurnAsync(2);
        File.Exists(file).ShouldBeTrue(terminal.Screen);
        var id = (await SwitchboardLog.SessionsAsync(_server)).ShouldHaveSingleItem().GetProperty("id").GetString()!;
        (await SwitchboardLog.ApprovalsAsync(_server, id)).ShouldHaveSingleItem().GetProperty("state").GetString().ShouldBe("allowed");
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task InClaudeCodesAutoModeTheDashboardSaysThePromptIsInItsTerminalAndWhere()
    {
        await InstallHooksAsync();
        await using var page = await DashboardPage.OpenAsync(chromium, _server.BaseAddress);
        // Outside the project: auto mode asks a person (an edit inside it runs unasked).
        var file = Path.Combine(Sandbox.Home, "outside.txt");
        _bed.Api.Enqueue(ModelTurn.CallTool("Write", new { file_path = file, content = "x" }), ModelTurn.Say("All done."));
        await using var terminal = ClaudeCodeTerminal.Start(Sandbox, _bed.Api, "Write the file outside.txt");

        var host = File.ReadAllText("/proc/sys/kernel/hostname").Trim(); // what `uname -n` prints
        var item = page.Page.GetByTestId("needs-you-item");
        await Expect(item.GetByTestId("needs-you-activity")).ToHaveTextAsync($"Asks in its terminal on {host} in {Sandbox.WorkDirectory}",
            new() { Timeout = (float)Long.TotalMilliseconds });
        await terminal.WaitForTextAsync("Auto mode can't check actions in this session");
        await Expect(item.GetByTestId("approval-allow")).ToHaveCountAsync(0);
        var id = (await SwitchboardLog.SessionsAsync(_server)).ShouldHaveSingleItem().GetProperty("id").GetString()!;
        (await SwitchboardLog.ApprovalsAsync(_server, id)).ShouldBeEmpty("nothing Switchboard could answer was asked");
        File.Exists(file).ShouldBeFalse();
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task InPlanModeATerminalsPlanIsShownOnTheDashboardAndApprovedThereClaudeCodeLeavesPlanMode()
    {
        await InstallHooksAsync("--answerable-prompts");
        await using var page = await DashboardPage.OpenAsync(chromium, _server.BaseAddress);
        _bed.Api.Enqueue([.. ClaudeCodePlan.Turns("# Plan\n\n1. Add the cache\n2. Test it\n"), ModelTurn.Say("Implementing.")]);
        await using var terminal = ClaudeCodeTerminal.Start(Sandbox, _bed.Api, "Plan the task.", args: ["--permission-mode", "plan"]);

        var item = page.Page.GetByTestId("needs-you-item");
        await Expect(item.GetByTestId("approval-plan")).ToContainTextAsync("Add the cache", new() { Timeout = (float)Long.TotalMilliseconds });
        await terminal.WaitForTextAsync("Would you like to proceed?");

        await item.GetByTestId("approval-allow").ClickAsync();

        // Its own dialog closes on the hook's answer: no key is pressed in the terminal.
        await terminal.WaitForTextAsync("Approved Claude's plan");
        var next = await _bed.Api.WaitForTurnAsync(3);
        next.Mentions("You have exited plan mode").ShouldBeTrue(terminal.Screen);
        var id = (await SwitchboardLog.SessionsAsync(_server)).ShouldHaveSingleItem().GetProperty("id").GetString()!;
        (await SwitchboardLog.ApprovalsAsync(_server, id)).ShouldHaveSingleItem().GetProperty("state").GetString().ShouldBe("allowed");
        page.ShouldHaveNoScriptErrors();
    }

    /// <summary>Runs <c>switchboard hooks install claude-code</c> into the sandbox's HOME, as a person would.</summary>
    private async Task InstallHooksAsync(params string[] flags)
    {
        await using var install = ChildProcess.Start(RepoPaths.ServerDll, ["hooks", "install", "claude-code", "--url", _server.BaseAddress.ToString(), .. flags],
            new Dictionary<string, string> { ["HOME"] = Sandbox.Home });
        (await install.WaitForExitAsync()).ShouldBe(0, install.Output);
    }
}
