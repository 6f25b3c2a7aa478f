using Microsoft.Playwright;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>
/// Acting on one session from its detail panel: pause, resume, cancel and message are commands to its producer (which
/// obeys and answers; the Commands section shows how far each got), terminate ends the session with a reason. Each is
/// confirmed first and answered with a visible result; a refusal from the server shows its reason.
/// </summary>
public sealed class SessionActionTests(Chromium chromium)
{
    [Fact]
    public async Task PauseResumeMessageAndCancelReachTheProducerWhichObeysAndTheHistoryShowsEach()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("act-1", "Acting one", state: "working");
        await server.Http.CreateAsync("bystander", "Bystander", state: "working");
        await using var producer = new ObedientProducer(server.BaseAddress, "act-1");
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        await page.Row("act-1").GetByTestId("session-open").ClickAsync();
        await Expect(page.Page.GetByTestId("detail-title")).ToHaveTextAsync("Acting one");
        await Expect(page.Page.GetByTestId("detail-actions")).ToBeVisibleAsync();
        await Expect(page.Page.GetByTestId("action-resume")).ToBeHiddenAsync();
        await Expect(page.Page.GetByTestId("detail-commands-empty")).ToBeVisibleAsync();

        // Pause: asks first; backing out changes nothing.
        await page.Page.GetByTestId("action-pause").ClickAsync();
        await Expect(page.Page.GetByTestId("action-question")).ToContainTextAsync("pause");
        await page.Page.GetByTestId("action-cancel").ClickAsync();
        await Expect(page.Page.GetByTestId("action-confirm")).ToBeHiddenAsync();
        (await CommandsAsync(server, "act-1")).ShouldBe(0);

        await page.Page.GetByTestId("action-pause").ClickAsync();
        await page.Page.GetByTestId("action-ok").ClickAsync();
        await Expect(page.Page.GetByTestId("action-result")).ToHaveTextAsync("Pause sent to the producer");
        await Expect(page.Badge("act-1")).ToHaveTextAsync("Paused"); // the producer obeyed
        await Expect(Command(page, "pause")).ToHaveAttributeAsync("data-state", "acknowledged");
        await Expect(page.Page.GetByTestId("action-pause")).ToBeHiddenAsync();

        await page.Page.GetByTestId("action-resume").ClickAsync();
        await page.Page.GetByTestId("action-ok").ClickAsync();
        await Expect(page.Badge("act-1")).ToHaveTextAsync("Idle");
        await Expect(Command(page, "resume")).ToHaveAttributeAsync("data-state", "acknowledged");

        await page.Page.GetByTestId("action-message").ClickAsync();
        await page.Page.GetByTestId("action-reason").FillAsync("use the staging database");
        await page.Page.GetByTestId("action-ok").ClickAsync();
        await Expect(Command(page, "message")).ToHaveAttributeAsync("data-state", "acknowledged");
        await Expect(Command(page, "message")).ToContainTextAsync("done (use the staging database)");

        await page.Page.GetByTestId("action-cancel-run").ClickAsync();
        await page.Page.GetByTestId("action-ok").ClickAsync();
        await Expect(page.Page.GetByTestId("detail-actions")).ToBeHiddenAsync(); // the producer ended the session
        await Expect(Command(page, "cancel")).ToHaveAttributeAsync("data-state", "acknowledged");
        var events = await server.Http.SendAsync(HttpMethod.Get, "/api/events?since=0&session_id=act-1");
        var terminated = events.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("type").GetString() == "session_terminated");
        terminated.GetProperty("data").GetProperty("reason").GetString().ShouldBe("cancelled");

        (await CommandsAsync(server, "bystander")).ShouldBe(0, "only the one session was touched");
        producer.Failure.ShouldBeNull();
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task AnUnansweredCancelShowsCancelRequestedInTheListUntilItIsWithdrawnAndTerminateEndsTheSession()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("quiet", "Quiet one", state: "working");
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        await Expect(page.Row("quiet").GetByTestId("cancel-requested")).ToBeHiddenAsync();

        await page.Row("quiet").GetByTestId("session-open").ClickAsync();
        await page.Page.GetByTestId("action-cancel-run").ClickAsync();
        await page.Page.GetByTestId("action-reason").FillAsync("over budget");
        await page.Page.GetByTestId("action-ok").ClickAsync();
        await Expect(page.Page.GetByTestId("action-result")).ToHaveTextAsync("Cancel sent to the producer");
        await Expect(page.Row("quiet").GetByTestId("cancel-requested")).ToBeVisibleAsync();
        await Expect(Command(page, "cancel")).ToHaveAttributeAsync("data-state", "pending");
        await Expect(Command(page, "cancel")).ToContainTextAsync("over budget");

        // No producer answers; an operator withdraws it through the API: the badge goes, live.
        var id = (await server.Http.SendAsync(HttpMethod.Get, "/api/sessions/quiet/commands")).GetProperty("commands")[0].GetProperty("id").GetString();
        await server.Http.SendAsync(HttpMethod.Delete, $"/api/sessions/quiet/commands/{id}");
        await Expect(page.Row("quiet").GetByTestId("cancel-requested")).ToBeHiddenAsync();
        await Expect(Command(page, "cancel")).ToHaveAttributeAsync("data-state", "withdrawn");

        // Terminate with a reason ends the session itself.
        await page.Page.GetByTestId("action-terminate").ClickAsync();
        await Expect(page.Page.GetByTestId("action-question")).ToContainTextAsync("cannot be undone");
        await page.Page.GetByTestId("action-reason").FillAsync("stuck on a loop");
        await page.Page.GetByTestId("action-ok").ClickAsync();
        await Expect(page.Page.GetByTestId("action-result")).ToHaveTextAsync("Terminated");
        await Expect(page.Page.GetByTestId("detail-actions")).ToBeHiddenAsync();
        page.ShouldHaveNoScriptErrors();
    }

    [Fact]
    public async Task ASessionThatCannotReceiveCommandsOffersOnlyTerminate()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.SendAsync(HttpMethod.Post, "api/sessions", """{"id":"exporter","name":"From OpenTelemetry","state":"working","accepts_commands":false}""");
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        await page.Row("exporter").GetByTestId("session-open").ClickAsync();
        await Expect(page.Page.GetByTestId("commands-unsupported")).ToBeVisibleAsync();
        foreach (var button in new[] { "action-pause", "action-resume", "action-cancel-run", "action-message" })
        {
            await Expect(page.Page.GetByTestId(button)).ToBeHiddenAsync();
        }

        await Expect(page.Page.GetByTestId("action-terminate")).ToBeVisibleAsync();
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
        page.AllowRefusal(409, "/api/sessions/gone-1/commands"); // the refusal this test is about
        await page.Page.GetByTestId("action-pause").ClickAsync();
        await page.Page.GetByTestId("action-ok").ClickAsync();
        var result = page.Page.GetByTestId("action-result");
        await Expect(result).ToContainTextAsync("Could not send pause: ");
        await Expect(result).ToHaveAttributeAsync("data-outcome", "error");
        (await CommandsAsync(server, "gone-1")).ShouldBe(0);
    }

    private static ILocator Command(DashboardPage page, string type) => page.Page.Locator($"[data-testid=detail-command][data-type={type}]");

    private static async Task<int> CommandsAsync(SwitchboardServer server, string id) =>
        (await server.Http.SendAsync(HttpMethod.Get, $"/api/sessions/{id}/commands")).GetProperty("commands").GetArrayLength();
}
