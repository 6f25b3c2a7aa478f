using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>
/// What was typed and chosen in a card and not sent outlives the card: a card built again for the same approval has the
/// note, the options chosen and the answers typed.
/// </summary>
public sealed partial class NeedsYouTests
{
    [Fact]
    public async Task ANoteTypedIntoACardSurvivesItsSessionLeavingThePageAndComingBackAndGoesWithTheDeny()
    {
        // A resume with anything to replay gets a fresh snapshot, and a snapshot holds the newest session or two: a
        // reconnect after newer sessions were created leaves the asker out of the page, one after they ended brings it back.
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Sockets.MaxReplayEvents = 0;
            o.Sockets.MaxSnapshotBytes = 1024;
        });
        await server.Http.CreateAsync("asker", "Asker", state: "working");
        var denied = AskAsync(server, "asker", "Bash", "make release");
        var socket = new SocketSwitch();
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, prepare: socket.AttachAsync);
        var item = page.Page.Locator("[data-testid=needs-you-item][data-session-id=asker]");
        await Expect(item.GetByTestId("approval-summary")).ToHaveTextAsync("make release");
        await item.GetByTestId("approval-note").FillAsync("only after the freeze");

        string[] newer = ["newer-1", "newer-2", "newer-3", "newer-4"];
        await ReconnectAsync(page, socket, async () =>
        {
            foreach (var id in newer)
            {
                await server.Http.CreateAsync(id, $"Newer session {id}", state: "working");
            }
        });
        await Expect(item).ToHaveCountAsync(0);

        await ReconnectAsync(page, socket, async () =>
        {
            foreach (var id in newer)
            {
                await server.Http.TerminateAsync(id);
            }
        });
        await Expect(item.GetByTestId("approval-note")).ToHaveValueAsync("only after the freeze");
        await item.GetByTestId("approval-deny").ClickAsync();
        var answer = await denied;
        answer.GetProperty("state").GetString().ShouldBe("denied");
        answer.GetProperty("note").GetString().ShouldBe("only after the freeze");
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task AnswersChosenAndTypedIntoAQuestionCardSurviveItsSessionLeavingThePageAndComingBack()
    {
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Security.AddApiKeys($"{ApprovalCardTests.OperatorKey},{ApprovalCardTests.AgentKey}:agent");
            o.Sockets.MaxReplayEvents = 0;
            o.Sockets.MaxSnapshotBytes = 1024;
        });
        using var agent = server.HttpWithKey(ApprovalCardTests.AgentKey);
        using var hook = HeldHook.Ask(server, ApprovalCardTests.AgentKey, "ask-1", "AskUserQuestion", ApprovalExamples.Questions);
        var socket = new SocketSwitch();
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, waitConnected: false, prepare: socket.AttachAsync);
        await page.Page.GetByTestId("auth-key").FillAsync(ApprovalCardTests.OperatorKey);
        await page.Page.GetByTestId("auth-submit").ClickAsync();
        await page.ExpectConnectionAsync("connected");

        var item = page.Page.Locator($"[data-testid=needs-you-item][data-session-id='{HeldHook.SessionOf("ask-1")}']");
        var first = item.Locator("[data-testid=approval-question][data-index='0']");
        var second = item.Locator("[data-testid=approval-question][data-index='1']");
        await first.GetByTestId("approval-option").Nth(1).ClickAsync();
        await second.GetByTestId("approval-option").Nth(0).ClickAsync();
        await second.GetByTestId("approval-other").FillAsync("a load test");
        await item.GetByTestId("approval-note").FillAsync("ask again if unsure");

        string[] newer = ["newer-1", "newer-2", "newer-3", "newer-4"];
        await ReconnectAsync(page, socket, async () =>
        {
            foreach (var id in newer)
            {
                await agent.CreateAsync(id, $"Newer session {id}", state: "working");
            }
        });
        await Expect(item).ToHaveCountAsync(0);
        await ReconnectAsync(page, socket, async () =>
        {
            foreach (var id in newer)
            {
                await agent.TerminateAsync(id);
            }
        });

        // The card is a new one, with every choice and text of the old.
        await Expect(first.GetByTestId("approval-option")).ToHaveTextAsync(["PostgreSQL", "SQLite", "Both"]);
        await Expect(first.GetByTestId("approval-option").Nth(1)).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(first.GetByTestId("approval-option").Nth(0)).ToHaveAttributeAsync("aria-pressed", "false");
        await Expect(second.GetByTestId("approval-option").Nth(0)).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(second.GetByTestId("approval-other")).ToHaveValueAsync("a load test");
        await Expect(item.GetByTestId("approval-note")).ToHaveValueAsync("ask again if unsure");

        // One more choice on the rebuilt card, then Send: the agent gets the old choices with it.
        await second.GetByTestId("approval-option").Nth(2).ClickAsync();
        await item.GetByTestId("approval-send-answers").ClickAsync();
        var answers = (await hook.DecisionAsync()).GetProperty("updatedInput").GetProperty("answers");
        answers.GetProperty("Which database should the cache use?").GetString().ShouldBe("SQLite");
        answers.GetProperty("Which checks should run first?").GetString().ShouldBe("Integration tests, Lint, a load test");
        page.ShouldHaveNoScriptErrors();
    }

    /// <summary>Cuts the page's socket, writes while it is cut, and waits until the page is connected again.</summary>
    private static async Task ReconnectAsync(DashboardPage page, SocketSwitch socket, Func<Task> meanwhile)
    {
        await socket.CutAsync();
        await Expect(page.Connection).Not.ToHaveAttributeAsync("data-state", "connected");
        await meanwhile();
        socket.Restore();
        await page.ExpectConnectionAsync("connected", TimeSpan.FromSeconds(20));
    }
}
