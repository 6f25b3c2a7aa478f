using System.Text.Json.Nodes;
using Switchboard.Client;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>
/// <c>switchboard approval</c> as a child process against a real server, approvals asked through the real Claude Code hook
/// endpoint: list, show (a question's options, a plan's first lines, the "allow always" suggestions), answer a question,
/// allow with a suggestion, deny with a note and stop; the hook's answer is what the agent would read.
/// </summary>
public sealed class ApprovalCommandTests
{
    [Fact]
    public async Task ApprovalShowsAQuestionAndAnswersItByHeaderAndLabel()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var url = server.BaseAddress.ToString();
        var input = ClaudeCodeHookPost.Question("Which color?", "Color", "Blue", "Red");
        var hook = ClaudeCodeHookPost.PermissionRequestAsync(server.BaseAddress, "asks", "AskUserQuestion", input);
        var id = await PendingIdAsync(server, "otel:s:asks");

        var (listCode, listed) = await Cli.RunAsync("approval", "otel:s:asks", "--list", "--url", url);
        listCode.ShouldBe(0, listed.Output);
        listed.StdoutLines.ShouldContain(l => l.StartsWith(id, StringComparison.Ordinal) && l.Contains("question  pending", StringComparison.Ordinal));

        var (showCode, shown) = await Cli.RunAsync("approval", "otel:s:asks", id, "--url", url);
        showCode.ShouldBe(0, shown.Output);
        shown.StdoutLines.ShouldContain("Question 1 (Color): Which color?");
        shown.StdoutLines.ShouldContain("  - Blue: Choose Blue");
        shown.StdoutLines.ShouldContain("  - Red: Choose Red");
        shown.StdoutLines.ShouldContain("  in /work/repo");

        var (noAnswerCode, noAnswer) = await Cli.RunAsync("approval", "otel:s:asks", id, "answer", "--url", url);
        noAnswerCode.ShouldBe(2, noAnswer.Output);
        var (wrongCode, wrong) = await Cli.RunAsync("approval", "otel:s:asks", id, "answer", "--answer", "Size=Big", "--url", url);
        wrongCode.ShouldBe(1, wrong.Output);
        wrong.Output.ShouldContain("--answer 'Size=Big' names no question");
        hook.IsCompleted.ShouldBeFalse("a refused answer changes nothing");

        var (code, answered) = await Cli.RunAsync("approval", "otel:s:asks", id, "answer", "--answer", "color=Red", "--url", url);
        code.ShouldBe(0, answered.Output);
        answered.StdoutLines.ShouldHaveSingleItem().ShouldBe($"{id}: Answered by anonymous: Which color? = Red.");
        var decision = (await hook.Within()).GetProperty("hookSpecificOutput").GetProperty("decision");
        decision.GetProperty("updatedInput").GetProperty("answers").GetProperty("Which color?").GetString().ShouldBe("Red");
    }

    [Fact]
    public async Task ApprovalAllowsWithASuggestionAndDeniesWithANoteAndStop()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var url = server.BaseAddress.ToString();
        var suggestion = JsonNode.Parse("""[{"type":"addRules","rules":[{"toolName":"Bash","ruleContent":"npm test *"}],"behavior":"allow","destination":"localSettings"}]""")!.AsArray();
        var always = ClaudeCodeHookPost.PermissionRequestAsync(server.BaseAddress, "tests", "Bash", new JsonObject { ["command"] = "npm test" }, suggestion);
        var id = await PendingIdAsync(server, "otel:s:tests");

        var (showCode, shown) = await Cli.RunAsync("approval", "otel:s:tests", id, "--url", url);
        showCode.ShouldBe(0, shown.Output);
        var offered = shown.StdoutLines.Where(l => l.StartsWith("Allow always: 1. ", StringComparison.Ordinal)).ShouldHaveSingleItem();
        offered.ShouldEndWith("(local)");
        var (outOfRangeCode, outOfRange) = await Cli.RunAsync("approval", "otel:s:tests", id, "allow", "--suggestion", "2", "--url", url);
        outOfRangeCode.ShouldBe(1, outOfRange.Output);
        outOfRange.Output.ShouldContain("offers 1 suggestion(s)");

        var (code, allowed) = await Cli.RunAsync("approval", "otel:s:tests", id, "allow", "--suggestion", "1", "--url", url);
        code.ShouldBe(0, allowed.Output);
        allowed.StdoutLines.ShouldHaveSingleItem().ShouldStartWith($"{id}: Allowed by anonymous, and always: ");
        var decision = (await always.Within()).GetProperty("hookSpecificOutput").GetProperty("decision");
        JsonNode.DeepEquals(JsonNode.Parse(decision.GetProperty("updatedPermissions").GetRawText()), suggestion).ShouldBeTrue();

        var denied = ClaudeCodeHookPost.PermissionRequestAsync(server.BaseAddress, "tests", "Bash", new JsonObject { ["command"] = "rm -rf build" });
        var second = await PendingIdAsync(server, "otel:s:tests");
        var (stopWithoutDenyCode, _) = await Cli.RunAsync("approval", "otel:s:tests", second, "allow", "--stop", "--url", url);
        stopWithoutDenyCode.ShouldBe(2);
        var (denyCode, deny) = await Cli.RunAsync("approval", "otel:s:tests", second, "deny", "--note", "use make clean", "--stop", "--url", url);
        denyCode.ShouldBe(0, deny.Output);
        deny.StdoutLines.ShouldHaveSingleItem().ShouldBe($"{second}: Denied by anonymous, and the agent stopped — use make clean.");
        decision = (await denied.Within()).GetProperty("hookSpecificOutput").GetProperty("decision");
        decision.GetProperty("message").GetString().ShouldBe("Denied by the operator (Switchboard): use make clean");
        decision.GetProperty("interrupt").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task ApprovalShowsAPlansFirstLines()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var plan = "# Plan\n" + string.Join('\n', Enumerable.Range(1, 14).Select(i => $"{i}. step {i}"));
        var hook = ClaudeCodeHookPost.PermissionRequestAsync(server.BaseAddress, "plans", "ExitPlanMode", new JsonObject { ["plan"] = plan });
        var id = await PendingIdAsync(server, "otel:s:plans");

        var (code, shown) = await Cli.RunAsync("approval", "otel:s:plans", id, "--url", server.BaseAddress.ToString());

        code.ShouldBe(0, shown.Output);
        shown.StdoutLines[0].ShouldStartWith($"{id}  plan  pending");
        shown.StdoutLines.ShouldContain("Plan:");
        shown.StdoutLines.ShouldContain("  # Plan");
        shown.StdoutLines.ShouldContain("  11. step 11");
        shown.StdoutLines.ShouldNotContain("  12. step 12");
        shown.StdoutLines.ShouldContain("  … 3 more lines");
        using var client = new SwitchboardClient(server.BaseAddress);
        await client.AnswerApprovalAsync("otel:s:plans", id, ApprovalAnswer.Allow());
        await hook.Within();
    }

    private static async Task<string> PendingIdAsync(SwitchboardServer server, string sessionId)
    {
        using var client = new SwitchboardClient(server.BaseAddress);
        string? id = null;
        await TestTimeouts.Eventually(async () =>
        {
            try
            {
                id = (await client.ListApprovalsAsync(sessionId, [ApprovalState.Pending])).FirstOrDefault()?.Id;
                return id is not null;
            }
            catch (SwitchboardApiException ex) when (ex.StatusCode == 404)
            {
                return false; // the hook has not reached the server yet
            }
        }, "the hook's approval to be pending");
        return id!;
    }
}
