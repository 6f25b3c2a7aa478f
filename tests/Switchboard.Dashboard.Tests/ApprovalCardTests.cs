using System.Text.Json;
using Microsoft.Playwright;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>
/// The approval card (docs/approvals.md, "The card"): Claude Code's own <c>PermissionRequest</c>s, raised through the
/// real hook endpoint with an agent key and held there, shown as a person needs them (the whole command, a file's
/// content, an edit's diff, an MCP tool's input, questions, a plan) and answered with clicks by an operator; each test
/// reads what the held hook answers the agent.
/// </summary>
public sealed class ApprovalCardTests(Chromium chromium)
{
    internal const string OperatorKey = "card-operator-key-0123456789";
    internal const string AgentKey = "card-agent-key-0123456789";

    [Fact]
    public async Task ALongCommandIsShownWholeBehindAnExpanderAndAllowAlwaysAnswersWithTheAgentsOwnSuggestion()
    {
        await using var server = await StartAsync();
        await using var page = await OpenAsync(chromium, server);
        var command = string.Join(" &&\n", Enumerable.Range(1, 11).Select(i => $"make step-{i}")) + " &&\nrm -rf node_modules";
        object[] suggestions =
        [
            new { type = "addRules", rules = new[] { new { toolName = "Bash", ruleContent = "make:*" } }, behavior = "allow", destination = "localSettings" },
            new { type = "setMode", mode = "acceptEdits", destination = "session" },
        ];
        using var hook = HeldHook.Ask(server, AgentKey, "bash-1", "Bash", new { command, description = "Build every step, then clean up" },
            fields: new { permission_suggestions = suggestions });

        var card = page.Page.GetByTestId("needs-you-approval");
        await Expect(card.GetByTestId("approval-tool")).ToHaveTextAsync("Bash");
        await Expect(card.GetByTestId("approval-cwd")).ToHaveTextAsync("/home/dev/shop");
        await Expect(card.GetByTestId("approval-description")).ToHaveTextAsync("Build every step, then clean up");
        var expand = card.GetByTestId("approval-expand");
        await Expect(expand).ToHaveTextAsync("Show all 12 lines");
        (await card.GetByTestId("approval-command").TextContentAsync()).ShouldBe(command, "the whole command is in the card, folded, never cut");
        await expand.ClickAsync();
        await Expect(expand).ToHaveTextAsync("Show less");
        await Expect(card.GetByTestId("approval-command")).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex("approval-folded"));

        var always = card.GetByTestId("approval-suggestion");
        await Expect(always).ToHaveCountAsync(2);
        await card.Locator("[data-testid=approval-suggestion][data-index='0']").ClickAsync();
        var decision = await hook.DecisionAsync();
        decision.GetProperty("behavior").GetString().ShouldBe("allow");
        var updated = decision.GetProperty("updatedPermissions");
        updated.GetArrayLength().ShouldBe(1);
        updated[0].GetProperty("type").GetString().ShouldBe("addRules");
        updated[0].GetProperty("rules")[0].GetProperty("ruleContent").GetString().ShouldBe("make:*");
        updated[0].GetProperty("destination").GetString().ShouldBe("localSettings");
        await Expect(card).ToHaveCountAsync(0);
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task WriteShowsItsContentAndEditItsDiffAndADenyCarriesTheNoteOrStopsTheAgent()
    {
        await using var server = await StartAsync();
        await using var page = await OpenAsync(chromium, server);

        using var write = HeldHook.Ask(server, AgentKey, "files-1", "Write", new { file_path = "/home/dev/shop/.env", content = "TOKEN=abc\nDEBUG=1\n" });
        var card = page.Page.GetByTestId("needs-you-approval");
        await Expect(card.GetByTestId("approval-summary")).ToHaveTextAsync("/home/dev/shop/.env");
        (await card.GetByTestId("approval-content").TextContentAsync()).ShouldBe("TOKEN=abc\nDEBUG=1\n");
        await card.GetByTestId("approval-note").FillAsync("no secrets in the repo: read them from the vault");
        await card.GetByTestId("approval-deny").ClickAsync();
        var denied = await write.DecisionAsync();
        denied.GetProperty("behavior").GetString().ShouldBe("deny");
        denied.GetProperty("message").GetString().ShouldBe("Denied by the operator (Switchboard): no secrets in the repo: read them from the vault");
        (denied.TryGetProperty("interrupt", out var interrupt) && interrupt.GetBoolean()).ShouldBeFalse("a plain deny lets the agent go on");
        await Expect(card).ToHaveCountAsync(0);

        using var edit = HeldHook.Ask(server, AgentKey, "files-1", "Edit", new
        {
            file_path = "/home/dev/shop/src/cart.ts",
            old_string = "const total = items.length;\nreturn total;",
            new_string = "const total = items.reduce((n, i) => n + i.qty, 0);\nreturn total;",
        });
        await Expect(card.GetByTestId("approval-summary")).ToHaveTextAsync("/home/dev/shop/src/cart.ts");
        var diff = card.GetByTestId("approval-diff");
        await Expect(diff.Locator(".diff-del")).ToHaveTextAsync("- const total = items.length;\n");
        await Expect(diff.Locator(".diff-add")).ToHaveTextAsync("+ const total = items.reduce((n, i) => n + i.qty, 0);\n");
        await Expect(diff.Locator(".diff-same")).ToHaveTextAsync("  return total;\n");
        await card.GetByTestId("approval-deny-stop").ClickAsync();
        var stopped = await edit.DecisionAsync();
        stopped.GetProperty("behavior").GetString().ShouldBe("deny");
        stopped.GetProperty("interrupt").GetBoolean().ShouldBeTrue();

        // An MCP tool's input, formatted; allowed plainly.
        using var mcp = HeldHook.Ask(server, AgentKey, "files-1", "mcp__github__create_issue", new { repo = "shop", title = "Cart totals", labels = new[] { "bug" } });
        await Expect(card.GetByTestId("approval-input")).ToContainTextAsync("\"title\": \"Cart totals\"");
        await card.GetByTestId("approval-allow").ClickAsync();
        (await mcp.DecisionAsync()).GetProperty("behavior").GetString().ShouldBe("allow");
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task AQuestionIsAnsweredWithItsOptionsAndFreeTextAndTheAgentGetsItsQuestionsBackWithTheAnswers()
    {
        await using var server = await StartAsync();
        await using var page = await OpenAsync(chromium, server);
        using var hook = HeldHook.Ask(server, AgentKey, "ask-1", "AskUserQuestion", ApprovalExamples.Questions);

        var card = page.Page.GetByTestId("needs-you-approval");
        await Expect(card).ToHaveAttributeAsync("data-kind", "question");
        var first = card.Locator("[data-testid=approval-question][data-index='0']");
        var second = card.Locator("[data-testid=approval-question][data-index='1']");
        await Expect(first.GetByTestId("approval-option")).ToHaveTextAsync(["PostgreSQL", "SQLite", "Both"]);
        var sendAnswers = card.GetByTestId("approval-send-answers");
        await Expect(sendAnswers).ToBeDisabledAsync();

        // A single choice keeps the last option clicked; a multiple choice toggles.
        await first.GetByTestId("approval-option").Nth(0).ClickAsync();
        await first.GetByTestId("approval-option").Nth(1).ClickAsync();
        await Expect(first.GetByTestId("approval-option").Nth(0)).ToHaveAttributeAsync("aria-pressed", "false");
        await Expect(first.GetByTestId("approval-option").Nth(1)).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(sendAnswers).ToBeDisabledAsync();
        await second.GetByTestId("approval-option").Nth(0).ClickAsync();
        await second.GetByTestId("approval-option").Nth(2).ClickAsync();
        await second.GetByTestId("approval-option").Nth(2).ClickAsync(); // pressed again: not chosen after all
        await second.GetByTestId("approval-other").FillAsync("a load test");
        await sendAnswers.ClickAsync();

        var decision = await hook.DecisionAsync();
        decision.GetProperty("behavior").GetString().ShouldBe("allow");
        var updated = decision.GetProperty("updatedInput");
        updated.GetProperty("questions").GetRawText().ShouldBe(JsonSerializer.Serialize(ApprovalExamples.Questions.Questions), "the questions go back untouched");
        var answers = updated.GetProperty("answers");
        answers.GetProperty("Which database should the cache use?").GetString().ShouldBe("SQLite");
        answers.GetProperty("Which checks should run first?").GetString().ShouldBe("Integration tests, a load test");
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task APlanIsRenderedAsTextNeverAsHtmlAndIsApprovedOrSentBackWithANote()
    {
        await using var server = await StartAsync();
        await using var page = await OpenAsync(chromium, server);
        using var hostile = HeldHook.Ask(server, AgentKey, "plan-1", "ExitPlanMode", new { plan = ApprovalExamples.HostilePlan });

        var plan = page.Page.GetByTestId("approval-plan");
        await Expect(plan.Locator("h3")).ToHaveTextAsync("Fix the cart <script>window.pwned = 1</script>");
        await Expect(plan.Locator("li")).ToHaveCountAsync(3);
        await Expect(plan.Locator("code").First).ToHaveTextAsync("cart.ts");
        await Expect(plan.Locator("strong")).ToHaveTextAsync("not");
        await Expect(plan).ToContainTextAsync("<img src=x onerror=\"window.pwned = 2\">");
        (await plan.Locator("img, script, iframe").CountAsync()).ShouldBe(0, "the agent's HTML is text");
        await Expect(plan.Locator("a")).ToHaveAttributeAsync("href", "https://example.com/docs");
        await Expect(plan.Locator("a")).ToHaveAttributeAsync("rel", "noopener noreferrer");
        await Expect(plan).ToContainTextAsync("click (javascript:window.pwned=3)");
        (await page.Page.EvaluateAsync<bool>("() => window.pwned === undefined")).ShouldBeTrue();

        await page.Page.GetByTestId("approval-note").FillAsync("split the migration into its own step");
        await page.Page.GetByTestId("approval-keep-planning").ClickAsync();
        var kept = await hostile.DecisionAsync();
        kept.GetProperty("behavior").GetString().ShouldBe("deny");
        kept.GetProperty("message").GetString().ShouldBe("Denied by the operator (Switchboard): split the migration into its own step");

        using var second = HeldHook.Ask(server, AgentKey, "plan-1", "ExitPlanMode", new { plan = "## Plan\n\n1. Migrate\n2. Fix the cart" });
        await Expect(plan.Locator("li")).ToHaveCountAsync(2);
        await page.Page.GetByTestId("approval-allow").ClickAsync();
        (await second.DecisionAsync()).GetProperty("behavior").GetString().ShouldBe("allow");
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task ASubAgentsCardSaysWhoAsksItsParentFolderAndLabelsAndAgentTextIsOnlyText()
    {
        await using var server = await StartAsync();
        await using var page = await OpenAsync(chromium, server);
        using var hook = HeldHook.Ask(server, AgentKey, "lead-1", "Bash", new { command = "echo '<img src=x onerror=\"window.pwned=1\">'" },
            cwd: "/srv/<b>repo", fields: new { agent_id = "a494", agent_type = "general-purpose" });

        var card = page.Page.GetByTestId("needs-you-approval");
        await Expect(card.GetByTestId("approval-parent")).ToHaveTextAsync("sub-agent of claude-code in <b>repo");
        await Expect(card.GetByTestId("approval-cwd")).ToHaveTextAsync("/srv/<b>repo");
        await Expect(card.GetByTestId("approval-labels")).ToContainTextAsync("agent=general-purpose");
        await Expect(card.GetByTestId("approval-command")).ToHaveTextAsync("echo '<img src=x onerror=\"window.pwned=1\">'");
        (await card.Locator("img, b").CountAsync()).ShouldBe(0);
        (await page.Page.EvaluateAsync<bool>("() => window.pwned === undefined")).ShouldBeTrue();
        await card.GetByTestId("approval-allow").ClickAsync();
        (await hook.DecisionAsync()).GetProperty("behavior").GetString().ShouldBe("allow");
        page.ShouldHaveNoScriptErrors();
    }

    internal static Task<SwitchboardServer> StartAsync() =>
        SwitchboardServer.StartAsync(o => o.Security.AddApiKeys($"{OperatorKey},{AgentKey}:agent"));

    /// <summary>The dashboard, signed in with the operator's key (the agent's may not answer).</summary>
    internal static async Task<DashboardPage> OpenAsync(Chromium chromium, SwitchboardServer server, int width = 1280, int height = 900)
    {
        var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, waitConnected: false, width: width, height: height);
        await page.Page.GetByTestId("auth-key").FillAsync(OperatorKey);
        await page.Page.GetByTestId("auth-submit").ClickAsync();
        await page.ExpectConnectionAsync("connected");
        return page;
    }
}
