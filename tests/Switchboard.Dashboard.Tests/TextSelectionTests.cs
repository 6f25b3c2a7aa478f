using Microsoft.Playwright;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>
/// A person selecting text to copy in a list keeps the selection while events arrive: the detail panel's timeline,
/// labels, facts, status line, parent line, commands and approvals, the webhooks strip and the "Needs you" strip draw
/// again only the items whose shown content changed, and leave every other item's node where it is. Each list used to be
/// rebuilt whole at every render, which dropped the selection (and a click in progress) whenever anything arrived.
/// </summary>
public sealed partial class TextSelectionTests(Chromium chromium)
{
    [Fact]
    public async Task NewEventsOfTheOpenSessionLeaveItsTimelineAndLabelsInPlace()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("talker", "Talker", new Dictionary<string, string> { ["team"] = "ops" }, state: "working");
        for (var i = 1; i <= 3; i++)
        {
            await server.Http.PatchAsync("talker", new { name = $"Talker step {i}" });
        }

        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        await page.Row("talker").GetByTestId("session-open").ClickAsync();
        var events = page.Page.GetByTestId("detail-event");
        await Expect(events).ToHaveCountAsync(4);
        var created = page.Page.Locator("[data-testid=detail-event][data-type=session_created] span");
        await DashboardPage.SelectTextAsync(created);
        var selected = await page.SelectedTextAsync();
        selected.ShouldNotBeNullOrEmpty();
        await page.WatchDetachmentsAsync("detail-timeline");
        await page.WatchDetachmentsAsync("detail-labels");

        for (var i = 4; i <= 6; i++)
        {
            await server.Http.PatchAsync("talker", new { name = $"Talker step {i}" });
        }

        await Expect(events).ToHaveCountAsync(7);
        await Expect(page.Page.GetByTestId("detail-title")).ToHaveTextAsync("Talker step 6");
        (await page.DetachedAsync("detail-timeline")).ShouldBeEmpty("the events already shown stay in place");
        (await page.DetachedAsync("detail-labels")).ShouldBeEmpty("the labels did not change");
        (await page.SelectedTextAsync()).ShouldBe(selected);

        // The facts: only the values that changed (the version, the time of the update) are drawn again.
        var createdAt = page.Page.Locator("[data-testid=detail-lifecycle] dd[data-term=Created]");
        await DashboardPage.SelectTextAsync(createdAt);
        var createdText = await page.SelectedTextAsync();
        createdText.ShouldNotBeNullOrEmpty();
        await page.WatchDetachmentsAsync("detail-usage");
        await page.WatchDetachmentsAsync("detail-lifecycle");
        var version = page.Page.Locator("[data-testid=detail-usage] dd[data-term=Version]");
        var before = int.Parse(await version.TextContentAsync() ?? "", System.Globalization.CultureInfo.InvariantCulture);
        await server.Http.PatchAsync("talker", new { name = "Talker step 7" });
        await Expect(version).ToHaveTextAsync((before + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        (await page.DetachedAsync("detail-usage")).ShouldNotBeEmpty("the version changed");
        (await page.DetachedAsync("detail-usage")).ShouldAllBe(term => term == "Version");
        (await page.DetachedAsync("detail-lifecycle")).ShouldAllBe(term => term == "Updated");
        (await page.SelectedTextAsync()).ShouldBe(createdText);
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task ANewCommandLeavesTheOthersInPlaceAndAChangedOneIsTheOnlyOneDrawnAgain()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("quiet", "Quiet one", state: "working");
        var first = await IssueAsync(server, "quiet", "use the staging database");
        var second = await IssueAsync(server, "quiet", "skip the slow tests");
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        await page.Row("quiet").GetByTestId("session-open").ClickAsync();
        var commands = page.Page.GetByTestId("detail-command");
        await Expect(commands).ToHaveCountAsync(2);
        await DashboardPage.SelectTextAsync(Command(page, first).Locator("span"));
        var selected = await page.SelectedTextAsync();
        selected.ShouldContain("use the staging database");
        await page.WatchDetachmentsAsync("detail-commands");

        await IssueAsync(server, "quiet", "write the release notes");
        await Expect(commands).ToHaveCountAsync(3);
        (await page.DetachedAsync("detail-commands")).ShouldBeEmpty("the commands already shown stay in place");

        await server.Http.SendAsync(HttpMethod.Delete, $"/api/sessions/quiet/commands/{second}");
        await Expect(Command(page, second)).ToHaveAttributeAsync("data-state", "withdrawn");
        (await page.DetachedAsync("detail-commands")).ShouldBe([second], "only the withdrawn command is drawn again");
        (await page.SelectedTextAsync()).ShouldBe(selected);
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task ANewApprovalLeavesTheHistoryInPlaceAndAnAnsweredOneIsTheOnlyOneDrawnAgain()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("asker", "Asker", state: "working");
        await AskAsync(server, "asker", "make release");
        var second = await AskAsync(server, "asker", "rm -rf dist");
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        await page.Row("asker").GetByTestId("session-open").ClickAsync();
        var approvals = page.Detail.GetByTestId("detail-approval");
        await Expect(approvals).ToHaveCountAsync(2);
        await DashboardPage.SelectTextAsync(approvals.Filter(new() { HasText = "make release" }).Locator("span").First);
        var selected = await page.SelectedTextAsync();
        selected.ShouldBe("Bash: make release");
        await page.WatchDetachmentsAsync("detail-approvals");

        await AskAsync(server, "asker", "git push --force");
        await Expect(approvals).ToHaveCountAsync(3);
        (await page.DetachedAsync("detail-approvals")).ShouldBeEmpty("the approvals already shown stay in place");

        await server.Http.SendAsync(HttpMethod.Post, $"/api/sessions/asker/approvals/{second}", new { decision = "deny", note = "not today" });
        await Expect(approvals.Filter(new() { HasText = "rm -rf dist" })).ToHaveAttributeAsync("data-state", "denied");
        (await page.DetachedAsync("detail-approvals")).ShouldBe([second], "only the answered approval is drawn again");
        (await page.SelectedTextAsync()).ShouldBe(selected);
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task AWebhooksPushLeavesTheRowsThatDidNotChangeInPlace()
    {
        // No session event is written, so no endpoint's lag or delivery counts move on their own.
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.SendAsync(HttpMethod.Post, "/api/webhooks", new { id = "audit-hook", url = "http://127.0.0.1:9/audit" });
        await server.Http.SendAsync(HttpMethod.Post, "/api/webhooks", new { id = "ops-hook", url = "http://127.0.0.1:9/ops" });
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        var rows = page.Page.GetByTestId("webhook-row");
        await Expect(rows).ToHaveCountAsync(2);
        await DashboardPage.SelectTextAsync(Webhook(page, "audit-hook").Locator(".webhook-url"));
        var selected = await page.SelectedTextAsync();
        selected.ShouldBe("http://127.0.0.1:9/audit");
        await page.WatchDetachmentsAsync("webhook-rows");

        await server.Http.SendAsync(HttpMethod.Post, "/api/webhooks", new { id = "new-hook", url = "http://127.0.0.1:9/new" });
        await Expect(rows).ToHaveCountAsync(3);
        (await page.DetachedAsync("webhook-rows")).ShouldBeEmpty("the endpoints already shown stay in place");

        await server.Http.SendAsync(HttpMethod.Put, "/api/webhooks/ops-hook", new { url = "http://127.0.0.1:9/ops", enabled = false });
        await Expect(Webhook(page, "ops-hook")).ToHaveAttributeAsync("data-state", "disabled");
        (await page.DetachedAsync("webhook-rows")).ShouldBe(["ops-hook"], "only the changed endpoint is drawn again");
        (await page.SelectedTextAsync()).ShouldBe(selected);
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task TheStatusLineKeepsItsElementsWhileTheSessionChangesAndOnlyANewStateDrawsItsBadgeAgain()
    {
        await using var server = await SwitchboardServer.StartAsync();
        // An agent's hooks give an activity line (the tool it runs); its labels a source badge.
        await HookAsync(server, """{"session_id":"cc-1","hook_event_name":"SessionStart","source":"startup","cwd":"/tmp"}""");
        await HookAsync(server, """{"session_id":"cc-1","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"make test"},"cwd":"/tmp"}""");
        await server.Http.PatchAsync("otel:s:cc-1", new { labels = new { source = "opentelemetry", service = "claude-code" } });
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        await page.Row("otel:s:cc-1").GetByTestId("session-open").ClickAsync();
        var activity = page.Detail.GetByTestId("detail-activity");
        await Expect(activity).ToHaveTextAsync("Bash");
        await Expect(page.Detail.GetByTestId("detail-status").GetByTestId("source-badge")).ToBeVisibleAsync();
        await DashboardPage.SelectTextAsync(activity);
        (await page.SelectedTextAsync()).ShouldBe("Bash");
        var since = await page.Detail.GetByTestId("detail-since").ElementHandleAsync();
        var shown = await activity.ElementHandleAsync();
        await page.WatchDetachmentsAsync("detail-status");

        // A change of tasks moves the version and the time of the update, nothing the line shows but "updated … ago".
        var tasks = page.Page.Locator("[data-testid=detail-usage] dd[data-term='Tasks running']");
        await server.Http.PatchAsync("otel:s:cc-1", new { tasks_running = 2 });
        await Expect(tasks).ToHaveTextAsync("2");
        (await page.DetachedAsync("detail-status")).ShouldBeEmpty("nothing on the status line changed but its time");
        (await page.SelectedTextAsync()).ShouldBe("Bash");

        // Another tool changes the text of the same element.
        await HookAsync(server, """{"session_id":"cc-1","hook_event_name":"PreToolUse","tool_name":"Edit","tool_input":{"file_path":"/tmp/a"},"cwd":"/tmp"}""");
        await Expect(activity).ToHaveTextAsync("Edit");
        await Expect(activity).ToHaveAttributeAsync("title", "Edit");
        (await shown.EvaluateAsync<bool>("el => el.isConnected")).ShouldBeTrue("the activity keeps its element");

        // A new state is a new badge, and only that.
        await server.Http.PatchAsync("otel:s:cc-1", new { state = "waiting" });
        await Expect(page.Detail.GetByTestId("detail-status").GetByTestId("state-badge")).ToHaveAttributeAsync("data-state", "waiting");
        (await page.DetachedAsync("detail-status")).ShouldBe(["SPAN"], "only the state badge is drawn again");
        (await since.EvaluateAsync<bool>("el => el.isConnected")).ShouldBeTrue("\"updated … ago\" keeps its element");
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task TheSubSessionsOwnEventsLeaveTheLineNamingItsParentInPlace()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("run", "Release orchestrator", state: "working");
        await server.Http.SendAsync(HttpMethod.Post, "api/sessions", new { id = "build", name = "Build and test", parent_id = "run", state = "working" });
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, "?session=build");
        var parent = page.Page.GetByTestId("detail-parent");
        await Expect(parent).ToHaveTextAsync("Started by run");
        await DashboardPage.SelectTextAsync(parent);
        (await page.SelectedTextAsync()).ShouldBe("Started by run");
        await page.WatchDetachmentsAsync("detail-parent");

        for (var i = 1; i <= 3; i++)
        {
            await server.Http.PatchAsync("build", new { name = $"Build step {i}" });
        }

        // The tree is drawn in the same pass as the line, so its node's name says the line was drawn after the last event.
        await Expect(page.Page.Locator("[data-testid=detail-tree] [data-testid=tree-node][data-session-id=build]")).ToContainTextAsync("Build step 3");
        (await page.DetachedAsync("detail-parent")).ShouldBeEmpty("the parent did not change");
        (await page.SelectedTextAsync()).ShouldBe("Started by run");
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task AnotherApprovalForAWaitingSessionLeavesItsItemAndTheCardBeingAnsweredInPlace()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("asker", "Asker", state: "working");
        var first = await AskAsync(server, "asker", "make release");
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        var item = page.Page.Locator("[data-testid=needs-you-item][data-session-id=asker]");
        await Expect(item.GetByTestId("approval-summary")).ToHaveTextAsync("make release");
        var note = item.Locator($"[data-approval-id=\"{first}\"]").GetByTestId("approval-note");
        await note.FillAsync("only after the freeze");
        await page.WatchDetachmentsAsync("needs-you-list");
        await page.WatchDetachmentsAsync("needs-you-item");

        await AskAsync(server, "asker", "git push --force");
        await Expect(item.GetByTestId("needs-you-approval")).ToHaveCountAsync(2);
        (await page.DetachedAsync("needs-you-list")).ShouldBeEmpty("the session's item stays in place");
        (await page.DetachedAsync("needs-you-item")).ShouldBeEmpty("the first card stays in place");
        (await page.Page.EvaluateAsync<string?>("() => document.activeElement?.closest('[data-approval-id]')?.dataset.approvalId"))
            .ShouldBe(first, "the person typing a note keeps the focus");
        await Expect(note).ToHaveValueAsync("only after the freeze");
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task AnUpdateOfAWaitingSessionLeavesItsItemInPlaceAndChangesOnlyHowLongItWaited()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("asker", "Question asker", state: "waiting");
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        var item = page.Page.Locator("[data-testid=needs-you-item][data-session-id=asker]");
        await Expect(item.GetByTestId("needs-you-activity")).ToHaveTextAsync("Waiting for input");
        var name = item.Locator(".needs-you-name");
        await DashboardPage.SelectTextAsync(name);
        (await page.SelectedTextAsync()).ShouldBe("Question asker");
        await page.WatchDetachmentsAsync("needs-you-list");
        await page.WatchDetachmentsAsync("needs-you-item");

        // A change while it waits moves its updated_at, where a session without an approval counts its wait from.
        var updated = (await server.Http.PatchAsync("asker", new { tasks_running = 1 })).GetProperty("updated_at").GetString()!;
        await Expect(item.GetByTestId("needs-you-since")).ToHaveAttributeAsync("data-since", updated);
        (await page.DetachedAsync("needs-you-list")).ShouldBeEmpty("the session's item stays in place");
        (await page.DetachedAsync("needs-you-item")).ShouldBeEmpty("its name and question did not change");
        (await page.SelectedTextAsync()).ShouldBe("Question asker");
        page.ShouldHaveNoScriptErrors();
    }

    private static ILocator Command(DashboardPage page, string id) => page.Page.Locator($"[data-testid=detail-command][data-command-id=\"{id}\"]");

    private static ILocator Webhook(DashboardPage page, string id) => page.Page.Locator($"[data-testid=webhook-row][data-webhook-id=\"{id}\"]");

    private static async Task<string> IssueAsync(SwitchboardServer server, string session, string text) =>
        (await server.Http.SendAsync(HttpMethod.Post, $"/api/sessions/{session}/commands", new { type = "message", text })).GetProperty("id").GetString()!;

    private static async Task HookAsync(SwitchboardServer server, string body)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await server.Http.PostAsync("/hooks/claude-code", content);
        response.EnsureSuccessStatusCode();
    }

    private static async Task<string> AskAsync(SwitchboardServer server, string session, string summary) =>
        (await server.Http.SendAsync(HttpMethod.Post, $"/api/sessions/{session}/approvals", new { summary, tool = "Bash" })).GetProperty("id").GetString()!;
}
