using System.Text.Json;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>
/// The acceptance test of commands: a click on Cancel in the dashboard reaches the producer of the real
/// <c>switchboard demo</c> fleet (a child process on the .NET SDK), which ends that agent with reason <c>cancelled</c>
/// and acknowledges it.
/// </summary>
public sealed class DemoCommandTests(Chromium chromium)
{
    [Fact]
    public async Task ACancelClickedInTheDashboardEndsTheDemoAgentWithReasonCancelled()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await using var demo = ChildProcess.Start(RepoPaths.ServerDll, ["demo", "--url", server.BaseAddress.ToString(), "--sessions", "3", "--duration", "5m"]);
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);

        // A demo agent runs for seconds, so one may end on its own before a click lands. Paused, an agent waits for
        // resume and never ends by itself: pause one first with a command over HTTP (retrying with another if it ended
        // before it obeyed), then cancel it from its panel.
        string? target = null;
        for (var attempt = 0; attempt < 5 && target is null; attempt++)
        {
            var candidate = await NewestDemoSessionAsync(server, demo);
            // 201, or 409 when it is ending already (the loop then takes another).
            using var issued = await server.Http.PostAsync($"/api/sessions/{candidate}/commands", System.Net.Http.Json.JsonContent.Create(new { type = "pause" }));
            await TestTimeouts.Eventually(async () => await StateAsync(server, candidate) is "paused" or "terminating" or "terminated",
                $"demo agent {candidate} to pause or end", TestTimeouts.Long);
            if (await StateAsync(server, candidate) == "paused")
            {
                target = candidate;
            }
        }

        target.ShouldNotBeNull($"a demo agent to pause; the demo said:\n{demo.Output}");
        await Expect(page.Badge(target)).ToHaveTextAsync("Paused");
        await page.Row(target).GetByTestId("session-open").ClickAsync();
        await page.Page.GetByTestId("action-cancel-run").ClickAsync();
        await page.Page.GetByTestId("action-ok").ClickAsync();
        await Expect(page.Page.GetByTestId("action-result")).ToHaveTextAsync("Cancel sent to the producer");

        await TestTimeouts.Eventually(async () => await StateAsync(server, target) == "terminated", $"demo agent {target} to end", TestTimeouts.Long);
        var events = await server.Http.SendAsync(HttpMethod.Get, $"/api/events?since=0&session_id={target}");
        var ended = events.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("type").GetString() == "session_terminated");
        ended.GetProperty("data").GetProperty("reason").GetString().ShouldBe("cancelled", demo.Output);
        await Expect(page.Page.Locator("[data-testid=detail-command][data-type=cancel]")).ToHaveAttributeAsync("data-state", "acknowledged");
        await Expect(page.Page.Locator("[data-testid=detail-command][data-type=pause]")).ToHaveAttributeAsync("data-state", "acknowledged");
        page.ShouldHaveNoScriptErrors();
    }

    private static async Task<string> NewestDemoSessionAsync(SwitchboardServer server, ChildProcess demo)
    {
        string? id = null;
        await TestTimeouts.Eventually(async () =>
        {
            var page = await server.Http.SendAsync(HttpMethod.Get, "/api/sessions?active=true&roots=true&label=source=demo&state=working,idle,initializing");
            id = page.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("id").GetString()).FirstOrDefault();
            return id is not null;
        }, $"an active demo agent; the demo said:\n{demo.Output}", TestTimeouts.Long);
        return id!;
    }

    private static async Task<string?> StateAsync(SwitchboardServer server, string id) =>
        (await server.Http.SendAsync(HttpMethod.Get, $"/api/sessions/{id}")).GetProperty("state").GetString();
}
