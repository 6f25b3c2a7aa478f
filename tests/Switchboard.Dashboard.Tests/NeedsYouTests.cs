using System.Text.Json;
using Microsoft.Playwright;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>
/// "Needs you" (docs/dashboard.md): every waiting session above the list with what it waits for and, for a pending
/// approval, Allow and Deny that answer the producer waiting on it; the tab title counts them; a read-only key is not
/// offered the buttons; what waits when the page opens comes with the channel's join; on a phone nothing covers the strip
/// and the header stays on one line.
/// </summary>
public sealed partial class NeedsYouTests(Chromium chromium)
{
    private const string WriteKey = "needs-you-write-key-0123456789";
    private const string ReadKey = "needs-you-read-key-0123456789";
    private const string AgentKey = "needs-you-agent-key-0123456789";

    [Fact]
    public async Task AllowAndDenyAnswerTheProducerWaitingOnTheApprovalAndTheTitleCountsTheWaiting()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("builder", "Release builder", state: "working");
        await server.Http.CreateAsync("asker", "Question asker", state: "working");
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        var strip = page.Page.GetByTestId("needs-you");
        await Expect(strip).ToBeHiddenAsync();
        var title = await page.Page.TitleAsync();

        // A producer asks and waits for the answer (the API's long-poll), as an agent's held hook does.
        var allowed = AskAsync(server, "builder", "Bash", "rm -rf build && make release");
        var item = page.Page.Locator("[data-testid=needs-you-item][data-session-id=builder]");
        await Expect(item.GetByTestId("approval-summary")).ToHaveTextAsync("rm -rf build && make release");
        await Expect(item.GetByTestId("approval-tool")).ToHaveTextAsync("Bash");
        await Expect(item.GetByTestId("needs-you-since")).ToContainTextAsync("waiting");
        await Expect(page.Page).ToHaveTitleAsync($"(1) {title}");

        // A session waiting without an approval (a question) shows its activity and no buttons.
        await server.Http.PatchAsync("asker", new { state = "waiting" });
        var question = page.Page.Locator("[data-testid=needs-you-item][data-session-id=asker]");
        await Expect(question.GetByTestId("needs-you-activity")).ToBeVisibleAsync();
        await Expect(question.GetByTestId("approval-allow")).ToHaveCountAsync(0);
        await Expect(page.Page).ToHaveTitleAsync($"(2) {title}");
        await Expect(page.Page.GetByTestId("needs-you-count")).ToHaveTextAsync("2 sessions need you");

        await item.GetByTestId("approval-allow").ClickAsync();
        var answer = await allowed;
        answer.GetProperty("state").GetString().ShouldBe("allowed");
        await Expect(item).ToHaveCountAsync(0);
        await Expect(page.Page).ToHaveTitleAsync($"(1) {title}");
        await Expect(page.Badge("builder")).ToHaveAttributeAsync("data-state", "working");

        var denied = AskAsync(server, "builder", "Write", "/etc/hosts");
        await Expect(item.GetByTestId("approval-summary")).ToHaveTextAsync("/etc/hosts");
        await item.GetByTestId("approval-deny").ClickAsync();
        (await denied).GetProperty("state").GetString().ShouldBe("denied");
        await server.Http.PatchAsync("asker", new { state = "working" });
        await Expect(strip).ToBeHiddenAsync();
        await Expect(page.Page).ToHaveTitleAsync(title);

        // The detail panel keeps the history: newest first, how each ended.
        await page.Row("builder").ClickAsync();
        var history = page.Detail.GetByTestId("detail-approval");
        await Expect(history).ToHaveCountAsync(2);
        await Expect(history.Nth(0)).ToHaveAttributeAsync("data-state", "denied");
        await Expect(history.Nth(0)).ToContainTextAsync("Write: /etc/hosts");
        await Expect(history.Nth(1)).ToHaveAttributeAsync("data-state", "allowed");
        await Expect(history.Nth(1)).ToContainTextAsync("Bash: rm -rf build && make release");
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task WhatWaitsBeforeThePageOpensComesInTheApprovalsChannelsJoinReplyWithoutARequestPerSession()
    {
        await using var server = await SwitchboardServer.StartAsync();
        string[] asks = ["make release", "rm -rf dist", "git push --force"];
        for (var i = 0; i < asks.Length; i++)
        {
            await server.Http.CreateAsync($"agent-{i}", $"Agent {i}", state: "working");
            await server.Http.SendAsync(HttpMethod.Post, $"/api/sessions/agent-{i}/approvals", new { summary = asks[i], tool = "Bash" });
        }

        var approvalReads = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, prepare: context =>
        {
            context.Request += (_, request) =>
            {
                if (request.Url.Contains("/approvals", StringComparison.Ordinal))
                {
                    approvalReads.Enqueue(request.Url);
                }
            };
            return Task.CompletedTask;
        });

        for (var i = 0; i < asks.Length; i++)
        {
            var item = page.Page.Locator($"[data-testid=needs-you-item][data-session-id=agent-{i}]");
            await Expect(item.GetByTestId("approval-summary")).ToHaveTextAsync(asks[i]);
        }

        await Expect(page.Page.GetByTestId("needs-you-count")).ToHaveTextAsync("3 sessions need you");
        approvalReads.ShouldBeEmpty("the pending approvals came with the approvals channel's join reply");
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task OtherSessionsEventsLeaveTheStripsItemsInPlaceSoAClickInTheMiddleOfOneLands()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("asker", "Asker", state: "working");
        await server.Http.SendAsync(HttpMethod.Post, "/api/sessions/asker/approvals", new { summary = "make release", tool = "Bash" });
        await server.Http.CreateAsync("busy", "Busy", state: "working");
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        var item = page.Page.Locator("[data-testid=needs-you-item][data-session-id=asker]");
        await Expect(item.GetByTestId("approval-summary")).ToHaveTextAsync("make release");

        // Chromium drops a click whose button leaves the document between press and release, if only for an instant: a
        // strip that re-inserted its unchanged items at every event lost clicks in a busy fleet (and polling pages).
        await page.WatchDetachmentsAsync("needs-you-list");
        for (var i = 1; i <= 10; i++)
        {
            await server.Http.PatchAsync("busy", new { name = $"Busy step {i}" });
        }

        await Expect(page.Row("busy")).ToContainTextAsync("Busy step 10");
        await server.Http.CreateAsync("second", "Second", state: "working");
        await server.Http.SendAsync(HttpMethod.Post, "/api/sessions/second/approvals", new { summary = "rm -rf dist", tool = "Bash" });
        await Expect(page.Page.GetByTestId("needs-you-count")).ToHaveTextAsync("2 sessions need you");
        (await page.DetachedAsync("needs-you-list")).ShouldBeEmpty("no item left the strip while it stayed waiting");

        await item.GetByTestId("approval-deny").ClickAsync();
        await Expect(item).ToHaveCountAsync(0);
        (await page.DetachedAsync("needs-you-list")).ShouldAllBe(id => id == "asker", "the second session's item stays in place");
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task WithoutTheApprovalsChannelAKeyScopedToLabelsReadsEachWaitingSessionsApprovals()
    {
        const string scoped = "needs-you-red-key-0123456789";
        await using var server = await SwitchboardServer.StartAsync(o => o.Security.AddApiKeys($"{WriteKey},{scoped} team=red"));
        using var writer = server.HttpWithKey(WriteKey);
        await writer.CreateAsync("red-agent", "Red agent", state: "working", labels: new Dictionary<string, string> { ["team"] = "red" });
        await writer.SendAsync(HttpMethod.Post, "/api/sessions/red-agent/approvals", new { summary = "terraform apply", tool = "Bash" });
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, "?poll_ms=500", waitConnected: false);
        // A labels-scoped key may not mint a token for the fleet-wide topics, nor read the webhooks or the fleet's summary.
        page.AllowRefusal(400, "/api/tokens");
        page.AllowRefusal(403, "/api/webhooks");
        page.AllowRefusal(403, "/api/summary");
        await page.Page.GetByTestId("auth-key").FillAsync(scoped);
        await page.Page.GetByTestId("auth-submit").ClickAsync();

        // A labels-scoped key may not mint a token for the fleet-wide topics, so the page polls (no socket, no channel).
        var item = page.Page.Locator("[data-testid=needs-you-item][data-session-id=red-agent]");
        await Expect(item.GetByTestId("approval-summary")).ToHaveTextAsync("terraform apply");
        await item.GetByTestId("approval-deny").ClickAsync();
        await Expect(item).ToHaveCountAsync(0);
        (await writer.SendAsync(HttpMethod.Get, "/api/sessions/red-agent/approvals")).GetProperty("approvals")[0].GetProperty("state").GetString()
            .ShouldBe("denied");
    }

    [Fact]
    public async Task AnAgentsHookShowsItsToolOnTheDetailPanelsActivityLineAndItsQuestionInTheStrip()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await HookAsync(server, """{"session_id":"cc-1","hook_event_name":"SessionStart","source":"startup","cwd":"/tmp"}""");
        await HookAsync(server, """{"session_id":"cc-1","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"make test"},"cwd":"/tmp"}""");
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        await page.Row("otel:s:cc-1").ClickAsync();
        await Expect(page.Detail.GetByTestId("detail-activity")).ToHaveTextAsync("Bash");
        await Expect(page.Detail.GetByTestId("detail-approvals-empty")).ToBeVisibleAsync();

        await HookAsync(server, """{"session_id":"cc-1","hook_event_name":"Notification","notification_type":"agent_needs_input","message":"Which branch?","cwd":"/tmp"}""");
        var item = page.Page.Locator("[data-testid=needs-you-item][data-session-id='otel:s:cc-1']");
        await Expect(item).ToBeVisibleAsync();
        await Expect(item.GetByTestId("approval-allow")).ToHaveCountAsync(0);
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task ALinkToASessionOpensTheDashboardWithItsDetailPanelOpen()
    {
        // What a Slack message links to with Switchboard:PublicUrl set: {PublicUrl}/?session={id}.
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("deploy:7", "Deployer", state: "working");
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, "?session=deploy%3A7");
        await Expect(page.Detail).ToBeVisibleAsync();
        await Expect(page.Detail).ToHaveAttributeAsync("data-session-id", "deploy:7");
        await Expect(page.Detail).ToContainTextAsync("Deployer");

        // Closed, it stays closed on a reload.
        await page.Page.GetByTestId("detail-close").ClickAsync();
        await Expect(page.Detail).ToBeHiddenAsync();
        new Uri(page.Page.Url).Query.ShouldNotContain("session");
        page.ShouldHaveNoScriptErrors();
    }

    private static async Task HookAsync(SwitchboardServer server, string body)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await server.Http.PostAsync("/hooks/claude-code", content);
        response.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task AReadOnlyKeySeesWhatWaitsButIsNotOfferedAllowOrDeny()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Security.AddApiKeys($"{WriteKey},{ReadKey}:read,{AgentKey}:agent"));
        using var producer = server.HttpWithKey(WriteKey);
        await producer.CreateAsync("builder", "Release builder", state: "working");
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, waitConnected: false);
        await page.Page.GetByTestId("auth-key").FillAsync(ReadKey);
        await page.Page.GetByTestId("auth-submit").ClickAsync();
        await page.ExpectConnectionAsync("connected");

        var asked = AskAsync(server, "builder", "Bash", "make deploy", AgentKey); // the key that asks may not answer
        var item = page.Page.Locator("[data-testid=needs-you-item][data-session-id=builder]");
        await Expect(item.GetByTestId("approval-summary")).ToHaveTextAsync("make deploy");
        await Expect(item.GetByTestId("approval-allow")).ToBeHiddenAsync();
        await Expect(item.GetByTestId("approval-deny")).ToBeHiddenAsync();

        // The producer's wait ends with the answer of someone who may give it.
        using var writer = server.HttpWithKey(WriteKey);
        var pending = await writer.SendAsync(HttpMethod.Get, "/api/sessions/builder/approvals?state=pending");
        var id = pending.GetProperty("approvals")[0].GetProperty("id").GetString();
        await writer.SendAsync(HttpMethod.Post, $"/api/sessions/builder/approvals/{id}", new { decision = "deny" });
        (await asked).GetProperty("state").GetString().ShouldBe("denied");
        await Expect(item).ToHaveCountAsync(0);
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task OnAPhoneNoToastCoversTheStripAndTheHeaderStaysOnOneLine()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("builder", "Release builder", state: "working");
        for (var i = 0; i < 12; i++)
        {
            // A fleet long enough that the events panel is below the fold, where toasts show (phone.css).
            await server.Http.CreateAsync($"agent-{i}", $"Agent {i}", state: "working");
        }

        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, width: 390, height: 844);
        var asked = AskAsync(server, "builder", "Bash", "make release");
        var strip = page.Page.GetByTestId("needs-you");
        await Expect(strip).ToBeVisibleAsync();

        // Three toasts at once: created sessions, as a busy fleet makes them.
        for (var i = 0; i < 3; i++)
        {
            await server.Http.CreateAsync($"new-{i}", $"New agent {i}", state: "working");
        }

        await Expect(page.Toasts.First).ToBeVisibleAsync();
        var stripBox = (await strip.BoundingBoxAsync())!;
        foreach (var toast in await page.Toasts.AllAsync())
        {
            if (await toast.BoundingBoxAsync() is { } box)
            {
                var overlaps = box.X < stripBox.X + stripBox.Width && stripBox.X < box.X + box.Width
                    && box.Y < stripBox.Y + stripBox.Height && stripBox.Y < box.Y + box.Height;
                overlaps.ShouldBeFalse($"a toast at {box.Y}–{box.Y + box.Height} covers the strip at {stripBox.Y}–{stripBox.Y + stripBox.Height}");
            }
        }

        var allow = strip.GetByTestId("approval-allow");
        await Expect(allow).ToBeInViewportAsync();
        var fleet = page.Page.GetByTestId("fleet-toggle");
        var lineHeight = await fleet.EvaluateAsync<double>("b => parseFloat(getComputedStyle(b).lineHeight) || parseFloat(getComputedStyle(b).fontSize) * 1.3");
        var fleetBox = (await fleet.BoundingBoxAsync())!;
        ((double)fleetBox.Height).ShouldBeLessThan(lineHeight * 2, "the fleet button wraps onto two lines");
        (fleetBox.X + fleetBox.Width).ShouldBeLessThanOrEqualTo(390f, "the fleet button is cut off at the right edge");
        await page.ShouldNotScrollSidewaysAsync();

        await allow.ClickAsync();
        (await asked).GetProperty("state").GetString().ShouldBe("allowed");
        page.ShouldHaveNoScriptErrors();
    }

    /// <summary>Asks for an approval and waits for the answer (long-polls until it is no longer pending).</summary>
    private static async Task<JsonElement> AskAsync(SwitchboardServer server, string session, string tool, string summary, string? key = null)
    {
        using var http = key is null ? null : server.HttpWithKey(key);
        var client = http ?? server.Http;
        var approval = await client.SendAsync(HttpMethod.Post, $"/api/sessions/{session}/approvals", new { summary, tool });
        var id = approval.GetProperty("id").GetString();
        while (approval.GetProperty("state").GetString() == "pending")
        {
            approval = await client.SendAsync(HttpMethod.Get, $"/api/sessions/{session}/approvals/{id}?wait=30");
        }

        return approval;
    }
}
