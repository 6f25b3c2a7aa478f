using System.Text;
using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Approvals;

/// <summary>
/// The kinds of approval and the whole context (issue 58, docs/approvals.md "Kinds"), through a hook held on a real HTTP
/// request: a question answered with its answers in <c>updatedInput</c>, an allow with a suggestion remembered in
/// <c>updatedPermissions</c>, a plan approved with its input in <c>updatedInput</c> or sent back with a note, a deny
/// that stops the agent, and a large input bounded at 64 KiB.
/// </summary>
public sealed class ApprovalKindTests
{
    [Fact]
    public async Task AQuestionAnsweredOverTheApiAnswersTheHookWithTheOriginalInputAndTheAnswers()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var agent = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };
        var (hook, pending) = await ApprovalKinds.HoldAsync(server, agent, "asks", ApprovalKinds.Question);

        pending.Str("kind").ShouldBe("question");
        pending.Str("summary").ShouldBe("AskUserQuestion", "the one-line summary for lists; the questions are in their own field");
        pending.Str("cwd").ShouldBe("/home/dev/repo2");
        var questions = pending.GetProperty("questions");
        questions.GetArrayLength().ShouldBe(2);
        (questions[0].Str("question"), questions[0].Str("header"), questions[0].GetProperty("multi_select").GetBoolean()).ShouldBe((ApprovalKinds.Which, "DB", false));
        questions[0].GetProperty("options")[1].Str("label").ShouldBe("PostgreSQL");
        questions[0].GetProperty("options")[1].Str("description").ShouldBe("a server");
        questions[1].GetProperty("options")[0].GetProperty("description").ValueKind.ShouldBe(JsonValueKind.Null);
        questions[1].GetProperty("multi_select").GetBoolean().ShouldBeTrue();
        pending.GetProperty("input").GetProperty("metadata").Str("source").ShouldBe("model", "the whole input, as the agent sent it");
        pending.GetProperty("input_truncated").GetBoolean().ShouldBeFalse();
        pending.GetProperty("plan").ValueKind.ShouldBe(JsonValueKind.Null);
        pending.GetProperty("suggestions").GetArrayLength().ShouldBe(0);
        pending.GetProperty("answers").ValueKind.ShouldBe(JsonValueKind.Null);

        var answers = new Dictionary<string, string> { [ApprovalKinds.Which] = "PostgreSQL", [ApprovalKinds.Extras] = "Metrics, Tracing" };
        var answered = await server.Http.PostAsync($"/api/sessions/otel:s:asks/approvals/{pending.Str("id")}", new { decision = "answer", answers });
        answered.Status.ShouldBe(200, answered.Body.ToString());
        answered.Body.Str("state").ShouldBe("allowed");
        answered.Body.GetProperty("answers").GetProperty(ApprovalKinds.Extras).GetString().ShouldBe("Metrics, Tracing");

        var decision = await ApprovalKinds.DecisionAsync(hook);
        decision.Str("behavior").ShouldBe("allow");
        var updated = decision.GetProperty("updatedInput");
        var original = JsonSerializer.SerializeToElement(ApprovalKinds.Question).GetProperty("tool_input");
        updated.GetProperty("questions").GetRawText().ShouldBe(original.GetProperty("questions").GetRawText(), "the questions untouched, as viewers of the tool result read them");
        updated.GetProperty("metadata").GetRawText().ShouldBe(original.GetProperty("metadata").GetRawText());
        updated.GetProperty("answers").GetProperty(ApprovalKinds.Which).GetString().ShouldBe("PostgreSQL");
        updated.GetProperty("answers").GetProperty(ApprovalKinds.Extras).GetString().ShouldBe("Metrics, Tracing");

        var logged = (await server.Http.EventsAsync(sessionId: "otel:s:asks")).Single(e => e.Str("type") == "approval_answered");
        logged.GetProperty("data").GetProperty("approval").GetProperty("answers").GetProperty(ApprovalKinds.Which).GetString().ShouldBe("PostgreSQL");
    }

    [Fact]
    public async Task AnAllowWithASuggestionAnswersUpdatedPermissionsWithTheAgentsOwnObject()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var agent = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };
        var (hook, pending) = await ApprovalKinds.HoldAsync(server, agent, "tests", ApprovalKinds.BashWithSuggestions);

        pending.Str("kind").ShouldBe("permission");
        pending.Str("summary").ShouldBe("Bash: npm test");
        var suggestions = pending.GetProperty("suggestions");
        suggestions.GetArrayLength().ShouldBe(2);
        (suggestions[0].Str("scope"), suggestions[0].Str("label"))
            .ShouldBe(("local", "Allow Bash(npm test) always in this project, for you (.claude/settings.local.json)"));
        (suggestions[1].Str("scope"), suggestions[1].Str("label")).ShouldBe(("session", "Accept every edit for this session"));
        var offered = JsonSerializer.SerializeToElement(ApprovalKinds.BashWithSuggestions).GetProperty("permission_suggestions");
        suggestions[0].GetProperty("permission").GetRawText().ShouldBe(offered[0].GetRawText(), "verbatim");

        var allowed = await server.Http.PostAsync($"/api/sessions/otel:s:tests/approvals/{pending.Str("id")}", new { decision = "allow", suggestion = 0 });
        allowed.Status.ShouldBe(200, allowed.Body.ToString());
        allowed.Body.GetProperty("applied_suggestion").GetInt32().ShouldBe(0);

        var decision = await ApprovalKinds.DecisionAsync(hook);
        decision.Str("behavior").ShouldBe("allow");
        decision.GetProperty("updatedPermissions").GetArrayLength().ShouldBe(1);
        decision.GetProperty("updatedPermissions")[0].GetRawText().ShouldBe(offered[0].GetRawText());
        decision.TryGetProperty("updatedInput", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task APlanSentBackWithANoteAndADenyThatStopsAnswerInClaudeCodesFormat()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var agent = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };
        var (planHook, plan) = await ApprovalKinds.HoldAsync(server, agent, "plans", ApprovalKinds.Plan("# Plan\n1. Add the table\n2. Migrate"));
        plan.Str("kind").ShouldBe("plan");
        plan.Str("plan").ShouldBe("# Plan\n1. Add the table\n2. Migrate");
        plan.GetProperty("questions").ValueKind.ShouldBe(JsonValueKind.Null);

        (await server.Http.PostAsync($"/api/sessions/otel:s:plans/approvals/{plan.Str("id")}", new { decision = "deny", note = "Migrate first" })).Status.ShouldBe(200);
        var keepPlanning = await ApprovalKinds.DecisionAsync(planHook);
        keepPlanning.Str("behavior").ShouldBe("deny");
        keepPlanning.Str("message").ShouldBe("Denied by the operator (Switchboard): Migrate first");
        keepPlanning.TryGetProperty("interrupt", out _).ShouldBeFalse("a deny without interrupt lets the model go on");

        var (bashHook, bash) = await ApprovalKinds.HoldAsync(server, agent, "stops", ApprovalKinds.BashWithSuggestions);
        var denied = await server.Http.PostAsync($"/api/sessions/otel:s:stops/approvals/{bash.Str("id")}", new { decision = "deny", note = "wrong repo", interrupt = true });
        denied.Status.ShouldBe(200, denied.Body.ToString());
        denied.Body.GetProperty("interrupt").GetBoolean().ShouldBeTrue();
        var stop = await ApprovalKinds.DecisionAsync(bashHook);
        stop.Str("behavior").ShouldBe("deny");
        stop.Str("message").ShouldBe("Denied by the operator (Switchboard): wrong repo");
        stop.GetProperty("interrupt").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task APlanApprovedAnswersTheHookWithItsInputUnchangedAsUpdatedInput()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var agent = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };
        var asked = ApprovalKinds.Plan("# Plan\n1. Add the table");
        var (hook, plan) = await ApprovalKinds.HoldAsync(server, agent, "approves", asked);

        var allowed = await server.Http.PostAsync($"/api/sessions/otel:s:approves/approvals/{plan.Str("id")}", new { decision = "allow" });
        allowed.Status.ShouldBe(200, allowed.Body.ToString());
        var decision = await ApprovalKinds.DecisionAsync(hook);
        decision.Str("behavior").ShouldBe("allow");
        // Claude Code takes an allow of ExitPlanMode without updatedInput as no answer (docs/hooks.md).
        decision.GetProperty("updatedInput").GetRawText().ShouldBe(JsonSerializer.SerializeToElement(asked).GetProperty("tool_input").GetRawText());
        decision.TryGetProperty("updatedPermissions", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task AnInputOver64KiBIsKeptWithItsLongestStringsCutAndSaysSo()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var agent = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };
        var content = string.Concat(Enumerable.Repeat("line é ✓ 0123456789\n", 5000)); // ~120 KiB of UTF-8
        var write = new { tool_name = "Write", tool_input = new { file_path = "/w/big.txt", content, mode = "overwrite" } };
        var (hook, pending) = await ApprovalKinds.HoldAsync(server, agent, "big", write);

        pending.GetProperty("input_truncated").GetBoolean().ShouldBeTrue();
        var input = pending.GetProperty("input");
        Encoding.UTF8.GetByteCount(input.GetRawText()).ShouldBeLessThanOrEqualTo(64 * 1024);
        input.Str("file_path").ShouldBe("/w/big.txt", "only the longest strings are cut");
        input.Str("mode").ShouldBe("overwrite");
        var kept = input.Str("content");
        kept.ShouldEndWith("…");
        content.ShouldStartWith(kept[..^1]);
        kept.Length.ShouldBeGreaterThan(20_000, "cut to what fits, not to nothing");
        pending.Str("summary").ShouldBe("Write: /w/big.txt", "the summary stays a file tool's path");

        (await server.Http.PostAsync($"/api/sessions/otel:s:big/approvals/{pending.Str("id")}", new { decision = "allow" })).Status.ShouldBe(200);
        (await ApprovalKinds.DecisionAsync(hook)).Str("behavior").ShouldBe("allow");
    }

    [Fact]
    public async Task TheApprovalsTopicCarriesTheContextInItsSnapshotAndEvents()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var agent = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };
        await using var client = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        (await client.JoinAsync("approvals")).Status.ShouldBe("ok");
        var (hook, pending) = await ApprovalKinds.HoldAsync(server, agent, "topic", ApprovalKinds.Question);

        var requested = (await client.WaitForAsync(f => f.Topic == "approvals" && f.Event == "approval_requested")).Payload.GetProperty("data").GetProperty("approval");
        requested.Str("kind").ShouldBe("question");
        requested.GetProperty("questions")[1].Str("question").ShouldBe(ApprovalKinds.Extras);
        requested.GetProperty("input").GetProperty("questions").GetArrayLength().ShouldBe(2);
        requested.Str("cwd").ShouldBe("/home/dev/repo2");

        await using var late = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var snapshot = (await late.JoinAsync("approvals")).Response.GetProperty("approvals").EnumerateArray().Single();
        snapshot.GetRawText().ShouldBe(pending.GetRawText(), "the snapshot is the approval as the API reads it");

        var answers = new Dictionary<string, string> { [ApprovalKinds.Which] = "SQLite", [ApprovalKinds.Extras] = "my own text" };
        (await server.Http.PostAsync($"/api/sessions/otel:s:topic/approvals/{pending.Str("id")}", new { decision = "answer", answers, note = "free text is fine" })).Status.ShouldBe(200);
        var answered = (await client.WaitForAsync(f => f.Topic == "approvals" && f.Event == "approval_answered")).Payload.GetProperty("data").GetProperty("approval");
        answered.GetProperty("answers").GetProperty(ApprovalKinds.Extras).GetString().ShouldBe("my own text");
        answered.GetProperty("interrupt").ValueKind.ShouldBe(JsonValueKind.Null);
        (await ApprovalKinds.DecisionAsync(hook)).GetProperty("updatedInput").GetProperty("answers").GetProperty(ApprovalKinds.Extras).GetString().ShouldBe("my own text");
    }
}
