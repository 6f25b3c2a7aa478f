using System.Text.Json;
using Microsoft.Playwright;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>
/// Acting on one session from its detail panel: pause, resume and terminate (with a reason), each confirmed first and
/// answered with a visible result; a refusal from the server shows its reason.
/// </summary>
public sealed class SessionActionTests(Chromium chromium)
{
    [Fact]
    public async Task PauseResumeAndTerminateOneSessionFromItsDetailPanel()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("act-1", "Acting one", state: "working");
        await server.Http.CreateAsync("bystander", "Bystander", state: "working");
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        await page.Row("act-1").GetByTestId("session-open").ClickAsync();
        await Expect(page.Page.GetByTestId("detail-title")).ToHaveTextAsync("Acting one");
        var actions = page.Page.GetByTestId("detail-actions");
        await Expect(actions).ToBeVisibleAsync();
        await Expect(page.Page.GetByTestId("action-resume")).ToBeHiddenAsync();

        // Pause: asks first; cancelling changes nothing.
        await page.Page.GetByTestId("action-pause").ClickAsync();
        await Expect(page.Page.GetByTestId("action-question")).ToHaveTextAsync("Pause this session?");
        await page.Page.GetByTestId("action-cancel").ClickAsync();
        await Expect(page.Page.GetByTestId("action-confirm")).ToBeHiddenAsync();
        (await StateAsync(server, "act-1")).ShouldBe("working");

        await page.Page.GetByTestId("action-pause").ClickAsync();
        await page.Page.GetByTestId("action-ok").ClickAsync();
        await Expect(page.Page.GetByTestId("action-result")).ToHaveTextAsync("Paused");
        (await StateAsync(server, "act-1")).ShouldBe("paused");
        await Expect(page.Badge("act-1")).ToHaveTextAsync("Paused");
        await Expect(page.Page.GetByTestId("action-pause")).ToBeHiddenAsync();

        await page.Page.GetByTestId("action-resume").ClickAsync();
        await Expect(page.Page.GetByTestId("action-question")).ToHaveTextAsync("Resume this session?");
        await page.Page.GetByTestId("action-ok").ClickAsync();
        await Expect(page.Page.GetByTestId("action-result")).ToHaveTextAsync("Resumed");
        (await StateAsync(server, "act-1")).ShouldBe("idle");

        // Terminate with a reason.
        await page.Page.GetByTestId("action-terminate").ClickAsync();
        await Expect(page.Page.GetByTestId("action-question")).ToContainTextAsync("cannot be undone");
        await page.Page.GetByTestId("action-reason").FillAsync("stuck on a loop");
        await page.Page.GetByTestId("action-ok").ClickAsync();
        await Expect(page.Page.GetByTestId("action-result")).ToHaveTextAsync("Terminated");
        (await StateAsync(server, "act-1")).ShouldBe("terminated");
        var events = await server.Http.SendAsync(HttpMethod.Get, "/api/events?since=0&session_id=act-1");
        var terminated = events.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("type").GetString() == "session_terminated");
        terminated.GetProperty("data").GetProperty("reason").GetString().ShouldBe("stuck on a loop");
        await Expect(actions).ToBeHiddenAsync();

        (await StateAsync(server, "bystander")).ShouldBe("working", "only the one session was touched");
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task ARefusedActionShowsTheServersReason()
    {
        // The page's socket is cut, so it does not learn that the producer terminated the session: its pause is refused.
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("gone-1", "Going away", state: "working");
        var socket = new SocketSwitch();
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, prepare: socket.AttachAsync);
        await page.Row("gone-1").GetByTestId("session-open").ClickAsync();
        await Expect(page.Page.GetByTestId("action-pause")).ToBeVisibleAsync();

        await socket.CutAsync();
        await server.Http.TerminateAsync("gone-1");
        await page.Page.GetByTestId("action-pause").ClickAsync();
        await page.Page.GetByTestId("action-ok").ClickAsync();
        var result = page.Page.GetByTestId("action-result");
        await Expect(result).ToContainTextAsync("Could not pause: ");
        await Expect(result).ToHaveAttributeAsync("data-outcome", "error");
        (await StateAsync(server, "gone-1")).ShouldBe("terminated");
    }

    private static async Task<string> StateAsync(SwitchboardServer server, string id) =>
        (await server.Http.SendAsync(HttpMethod.Get, $"/api/sessions/{id}")).GetProperty("state").GetString()!;
}
