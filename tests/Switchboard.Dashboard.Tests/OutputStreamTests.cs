using System.Net.Http.Json;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>
/// The acceptance test of a session's output in the dashboard: the real <c>switchboard demo</c> fleet writes each
/// agent's <c>output</c> stream; the detail panel shows it as it is appended, and after a reload shows it again, going
/// on from the offset it had read (kept in sessionStorage), with no gap and no repeat.
/// </summary>
public sealed class OutputStreamTests(Chromium chromium)
{
    [Fact]
    public async Task TheDetailPanelShowsADemoAgentsOutputAsItIsAppendedAndAgainAfterAReloadWithoutGapsOrRepeats()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await using var demo = ChildProcess.Start(RepoPaths.ServerDll, ["demo", "--url", server.BaseAddress.ToString(), "--sessions", "3", "--duration", "5m"]);
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        var text = page.Page.Locator("[data-testid=detail-output][data-stream=output] [data-testid=detail-output-text]");

        // Live: the panel of a working agent gains what the agent appends after it opened; then the agent is held (a
        // paused demo agent appends nothing and does not end), so the reload finds it in the list. An agent may end before
        // it appends again or before the pause reaches it: then take another.
        string? target = null;
        for (var attempt = 0; attempt < 8 && target is null; attempt++)
        {
            var candidate = await WorkingAgentAsync(server, demo);
            await page.Row(candidate).GetByTestId("session-open").ClickAsync();
            await Expect(text).Not.ToBeEmptyAsync();
            var opened = (await text.TextContentAsync())!.Length;
            var grew = false;
            await TestTimeouts.Eventually(async () =>
            {
                var shown = (await text.TextContentAsync())!;
                var stream = await OutputAsync(server, candidate);
                stream.ShouldStartWith(shown, Case.Sensitive, "the panel shows the stream's text from its start, in order");
                grew = shown.Length > opened;
                return grew || await StateAsync(server, candidate) == "terminated";
            }, $"demo agent {candidate}'s output to grow in the panel", TestTimeouts.Long);
            await page.Page.GetByTestId("detail-close").ClickAsync();
            if (!grew)
            {
                continue;
            }

            using (await server.Http.PostAsync($"/api/sessions/{candidate}/commands", JsonContent.Create(new { type = "pause" })))
            {
            }

            await TestTimeouts.Eventually(async () => await StateAsync(server, candidate) is "paused" or "terminated", $"{candidate} to pause",
                TestTimeouts.Long);
            if (await StateAsync(server, candidate) == "paused")
            {
                target = candidate;
            }
        }

        target.ShouldNotBeNull($"a demo agent whose output grew while its panel was open, then paused; the demo said:\n{demo.Output}");
        await page.Row(target).GetByTestId("session-open").ClickAsync();
        var held = await OutputAsync(server, target);
        await Expect(text).ToHaveTextAsync(held);
        var offset = await page.Page.Locator("[data-testid=detail-output][data-stream=output]").GetAttributeAsync("data-offset");
        offset.ShouldNotBeNull().ShouldNotBe("-1");

        var reloaded = DateTime.UtcNow;
        await page.Page.ReloadAsync();
        await page.ExpectConnectionAsync("connected");
        await page.Row(target).GetByTestId("session-open").ClickAsync();
        await Expect(text).ToHaveTextAsync(held, new() { Timeout = (float)TestTimeouts.Default.TotalMilliseconds });
        var reads = page.Requests.Where(r => r.At >= reloaded && r.Url.AbsolutePath.EndsWith($"/v1/stream/sessions/{target}/output", StringComparison.Ordinal)).ToList();
        reads.ShouldNotBeEmpty();
        System.Web.HttpUtility.ParseQueryString(reads[0].Url.Query)["offset"].ShouldBe(offset, "the reload goes on from the offset it had read");

        // Live again after the reload, then to the end: exactly the stream, nothing missed, nothing twice.
        using (await server.Http.PostAsync($"/api/sessions/{target}/commands", JsonContent.Create(new { type = "resume" })))
        {
        }

        await TestTimeouts.Eventually(async () => (await text.TextContentAsync())!.Length > held.Length, $"{target}'s output to grow after the reload",
            TestTimeouts.Long);
        using (await server.Http.PostAsync($"/api/sessions/{target}/commands", JsonContent.Create(new { type = "cancel" })))
        {
        }

        await TestTimeouts.Eventually(async () => await StateAsync(server, target) == "terminated", $"{target} to end", TestTimeouts.Long);
        await Expect(page.Page.Locator("[data-testid=detail-output][data-stream=output]")).ToHaveAttributeAsync("data-closed", "true");
        (await text.TextContentAsync()).ShouldBe(await OutputAsync(server, target), "the whole stream, once");
        page.ShouldHaveNoScriptErrors();
    }

    private static async Task<string> WorkingAgentAsync(SwitchboardServer server, ChildProcess demo)
    {
        string? id = null;
        await TestTimeouts.Eventually(async () =>
        {
            var page = await server.Http.SendAsync(HttpMethod.Get, "/api/sessions?active=true&roots=true&label=source=demo&state=working");
            id = page.GetProperty("sessions").EnumerateArray()
                .Where(s => s.GetProperty("streams").EnumerateArray().Any(o => o.GetProperty("name").GetString() == "output"))
                .Select(s => s.GetProperty("id").GetString()).FirstOrDefault();
            return id is not null;
        }, $"a working demo agent with an output stream; the demo said:\n{demo.Output}", TestTimeouts.Long);
        return id!;
    }

    private static async Task<string> OutputAsync(SwitchboardServer server, string id) =>
        await server.Http.GetStringAsync($"/v1/stream/sessions/{id}/output?offset=-1");

    private static async Task<string?> StateAsync(SwitchboardServer server, string id) =>
        (await server.Http.SendAsync(HttpMethod.Get, $"/api/sessions/{id}")).GetProperty("state").GetString();
}
