using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Testing;
using Switchboard.Testing.Agents;

namespace Switchboard.Agents.Tests;

/// <summary>
/// The answers beyond allow and deny (issue 58), given over the API to an unmodified Claude Code whose hooks report to
/// Switchboard: a question answered (the model reads the chosen label), a plan shown and approved (Claude Code leaves
/// plan mode) or sent back with a note, an "allow always" after which the same command is not asked again, a deny whose
/// note the model reads, and a deny that stops the run. Questions and plans exist in <c>-p</c> only as the Agent SDKs
/// run it (docs/hooks.md).
/// </summary>
public sealed class ClaudeCodeAnswerKindsTests : IAsyncLifetime
{
    private const string Plan = "# Plan\n\n1. Add the cache\n2. Test it\n";

    private AgentTestBed _bed = null!;
    private SwitchboardServer _server = null!;
    private ClaudeCodeAgent _claude = null!;

    private AgentSandbox Sandbox => _bed.Sandbox;

    private FakeModelApi Api => _bed.Api;

    public async ValueTask InitializeAsync()
    {
        _bed = await AgentTestBed.StartAsync("claude-answers");
        _server = await SwitchboardServer.StartAsync();
        _claude = new ClaudeCodeAgent(Sandbox, Api).WithHooks(new Uri(_server.BaseAddress, "/hooks/claude-code"));
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _bed.DisposeAsync();
    }

    [Fact]
    public async Task AQuestionAnsweredOverTheApiReachesTheModelAsTheChosenLabelWithTheQuestionsIntact()
    {
        var input = ClaudeCodeHookPost.Question("Which color?", "Color", "Blue", "Red");
        Api.Enqueue(ModelTurn.CallTool("AskUserQuestion", input), ModelTurn.Say("Red it is."));
        await using var run = await _claude.StartAsSdkAsync();

        var pending = await SwitchboardLog.PendingApprovalAsync(_server);
        pending.GetProperty("kind").GetString().ShouldBe("question");
        pending.GetProperty("questions")[0].GetProperty("options").GetArrayLength().ShouldBe(2);
        await SwitchboardLog.AnswerAsync(_server, pending, new { decision = "answer", answers = new Dictionary<string, string> { ["Which color?"] = "Red" } });

        (await ClaudeCodeAgent.FinishSdkRunAsync(run)).ShouldBe(0, run.Output);
        await Api.WaitForTurnAsync(2);
        var (text, isError) = Api.Turns[1].LastToolResult()!.Value;
        text.ShouldBe("Your questions have been answered: \"Which color?\"=\"Red\". You can now continue with these answers in mind.");
        isError.ShouldBeFalse();
        var asked = Api.Turns[1].Json!["messages"]!.AsArray().SelectMany(m => m!["content"] as JsonArray ?? [])
            .Single(c => c?["type"]?.GetValue<string>() == "tool_use");
        JsonNode.DeepEquals(asked!["input"]!["questions"], input["questions"]).ShouldBeTrue("the questions stay as the model asked them");
        var approval = (await SwitchboardLog.ApprovalsAsync(_server, pending.GetProperty("session_id").GetString()!)).ShouldHaveSingleItem();
        approval.GetProperty("state").GetString().ShouldBe("allowed");
        approval.GetProperty("answers").GetProperty("Which color?").GetString().ShouldBe("Red");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ADenyWithANoteReachesTheModelAndADenyThatStopsEndsTheRun(bool interrupt)
    {
        var file = Sandbox.WorkFile("denied.txt");
        Api.Enqueue(ModelTurn.CallTool("Write", new { file_path = file, content = "x" }), ModelTurn.Say("Understood."));
        await using var run = _claude.Start();

        var pending = await SwitchboardLog.HeldApprovalAsync(_server, "Write", "Write: " + file);
        await SwitchboardLog.AnswerAsync(_server, pending, new { decision = "deny", note = "write it under tmp/ instead", interrupt });

        var exit = await run.WaitForExitAsync();
        File.Exists(file).ShouldBeFalse();
        if (interrupt)
        {
            exit.ShouldBe(1, run.Output);
            JsonNode.Parse(run.Stdout)!["terminal_reason"]!.GetValue<string>().ShouldBe("aborted_tools");
            Api.Turns.Count.ShouldBe(1, "no model call after the stop");
        }
        else
        {
            exit.ShouldBe(0, run.Output);
            await Api.WaitForTurnAsync(2);
            Api.Turns[1].LastToolResult()!.Value.ShouldBe(("Denied by the operator (Switchboard): write it under tmp/ instead", true));
        }

        var approval = (await SwitchboardLog.ApprovalsAsync(_server, pending.GetProperty("session_id").GetString()!)).ShouldHaveSingleItem();
        approval.GetProperty("state").GetString().ShouldBe("denied");
        approval.GetProperty("interrupt").GetBoolean().ShouldBe(interrupt);
    }

    [Fact]
    public async Task APlanIsShownOverTheApiAndApprovedThereClaudeCodeLeavesPlanModeAndGoesOn()
    {
        Api.Enqueue([.. ClaudeCodePlan.Turns(Plan), ModelTurn.Say("Implementing.")]);
        await using var run = await _claude.StartAsSdkAsync("Plan the task.", "--permission-mode", "plan");

        var pending = await SwitchboardLog.PendingApprovalAsync(_server);
        pending.GetProperty("kind").GetString().ShouldBe("plan");
        pending.GetProperty("plan").GetString().ShouldBe(Plan, "Claude Code fills the tool's input from its plan file");
        await SwitchboardLog.AnswerAsync(_server, pending, new { decision = "allow" });

        // Without the hook's updatedInput Claude Code waits on its own stdio prompt and never asks the model again.
        var next = await Api.WaitForTurnAsync(3);
        var (text, isError) = next.LastToolResult()!.Value;
        text.ShouldStartWith("User has approved your plan. You can now start coding.");
        isError.ShouldBeFalse();
        next.Mentions("You have exited plan mode").ShouldBeTrue();
        (await ClaudeCodeAgent.FinishSdkRunAsync(run)).ShouldBe(0, run.Output);
        var approval = (await SwitchboardLog.ApprovalsAsync(_server, pending.GetProperty("session_id").GetString()!)).ShouldHaveSingleItem();
        approval.GetProperty("state").GetString().ShouldBe("allowed");
    }

    [Fact]
    public async Task APlanSentBackWithANoteReachesTheModel()
    {
        Api.Enqueue([.. ClaudeCodePlan.Turns(Plan), ModelTurn.Say("Replanning.")]);
        await using var run = await _claude.StartAsSdkAsync("Plan the task.", "--permission-mode", "plan");

        var pending = await SwitchboardLog.PendingApprovalAsync(_server);
        pending.GetProperty("kind").GetString().ShouldBe("plan");
        await SwitchboardLog.AnswerAsync(_server, pending, new { decision = "deny", note = "split step 1 in two" });

        (await ClaudeCodeAgent.FinishSdkRunAsync(run)).ShouldBe(0, run.Output);
        await Api.WaitForTurnAsync(3);
        Api.Turns[2].LastToolResult()!.Value.ShouldBe(("Denied by the operator (Switchboard): split step 1 in two", true));
    }

    [Fact]
    public async Task AllowedAlwaysTheSameCommandIsNotHeldAgain()
    {
        Api.Enqueue(ModelTurn.CallTool("Bash", new { command = "npm test" }), ModelTurn.CallTool("Bash", new { command = "npm test" }), ModelTurn.Say("Tested twice."));
        await using var run = _claude.Start();

        var pending = await SwitchboardLog.HeldApprovalAsync(_server, "Bash", "Bash: npm test");
        var suggestions = pending.GetProperty("suggestions");
        var rule = suggestions.EnumerateArray().Select((s, i) => (s, i))
            .First(x => x.s.GetProperty("permission").GetProperty("type").GetString() == "addRules");
        await SwitchboardLog.AnswerAsync(_server, pending, new { decision = "allow", suggestion = rule.i });

        (await run.WaitForExitAsync()).ShouldBe(0, run.Output);
        await Api.WaitForTurnAsync(3);
        Api.Turns[2].LastToolResult()!.Value.Item1.ShouldNotStartWith("Denied", Case.Sensitive, "the second npm test ran");
        var approvals = await SwitchboardLog.ApprovalsAsync(_server, pending.GetProperty("session_id").GetString()!);
        approvals.ShouldHaveSingleItem("the second npm test asked nobody");
        approvals[0].GetProperty("applied_suggestion").GetInt32().ShouldBe(rule.i);
    }
}
