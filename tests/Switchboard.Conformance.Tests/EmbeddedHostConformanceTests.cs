using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.Testing;

namespace Switchboard.Conformance.Tests;

/// <summary>
/// The phoenix-client conformance drivers against the EmbeddedHost sample, where Switchboard lives under
/// <c>/switchboard</c> inside another app: embedding must serve exactly the same protocol.
/// </summary>
public sealed class EmbeddedHostConformanceTests(EmbeddedHostFixture fixture) : IClassFixture<EmbeddedHostFixture>
{
    private Uri Switchboard => fixture.Host.Switchboard;

    [Fact]
    public async Task ClientConnectsUnderThePrefixAndAnUnservedVsnIsRefused() => await NodeDriver.RunAsync("conformance/connect.js", Switchboard);

    [Fact]
    public async Task HeartbeatsAreAnsweredWithTheSameStringRefs() => await NodeDriver.RunAsync("conformance/heartbeat.js", Switchboard);

    [Fact]
    public async Task JoinsResolveOkErrorOrUnmatchedTopic() => await NodeDriver.RunAsync("conformance/join.js", Switchboard);

    [Fact]
    public async Task BroadcastsReachChannelsOnTwoSockets() => await NodeDriver.RunAsync("conformance/broadcast.js", Switchboard);

    [Fact]
    public async Task LeaveIsAnsweredThenClosed() => await NodeDriver.RunAsync("conformance/leave.js", Switchboard);

    [Fact]
    public async Task TheAppsOwnEndpointReportsThroughTheInProcessProducer()
    {
        using var http = new HttpClient { BaseAddress = fixture.Host.Root, Timeout = TestTimeouts.Default };
        var started = await http.PostAsJsonAsync("/jobs", new { name = "nightly report", steps = 2 });
        started.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        started.Headers.Location!.ToString().ShouldBe($"/switchboard/api/sessions/{id}");

        // The job runs in the background and finishes; its events are in Switchboard's log under the prefix.
        await TestTimeouts.Eventually(async () =>
        {
            var s = await http.GetFromJsonAsync<JsonElement>(started.Headers.Location);
            return s.GetProperty("state").GetString() == "terminated";
        }, "the job to finish");
        var events = await http.GetFromJsonAsync<JsonElement>($"/switchboard/api/events?since=0&session_id={id}");
        events.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString())
            .ShouldBe(["session_created", "session_updated", "session_updated", "session_updated", "session_terminated"]); // usage, usage, idle

        (await http.PostAsJsonAsync("/jobs", new { steps = 0 })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await http.PostAsync("/jobs/no-such-job/cancel", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await http.GetAsync("/api/sessions")).StatusCode.ShouldBe(HttpStatusCode.NotFound); // nothing outside the prefix
    }
}

/// <summary>Reconnect and resume against the sample, which is stopped and started again on the same port and data.</summary>
public sealed class EmbeddedHostRestartTests
{
    [Fact]
    public async Task ClientReconnectsAndRejoinsAfterTheHostStops()
    {
        using var data = new TempDirectory();
        var urls = $"http://127.0.0.1:{FreePort.Next()}";
        var host = await EmbeddedHostProcess.StartAsync(data.Path, urls);
        await using var driver = NodeDriver.Start("conformance/reconnect.js", host.Switchboard);
        try
        {
            await driver.WaitForSignalAsync("joined");
            await host.StopAsync();
            await host.DisposeAsync();
            host = await EmbeddedHostProcess.StartAsync(data.Path, urls);
            await driver.SendAsync("restarted");
            await driver.WaitForExitAsync();
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task ClientResumesWithSinceAcrossARestart()
    {
        using var data = new TempDirectory();
        var urls = $"http://127.0.0.1:{FreePort.Next()}";
        var host = await EmbeddedHostProcess.StartAsync(data.Path, urls);
        await using var driver = NodeDriver.Start("conformance/resume.js", host.Switchboard);
        try
        {
            await driver.WaitForSignalAsync("ready");
            await host.StopAsync();
            await host.DisposeAsync();

            // While the client cannot reach it, the app runs elsewhere and commits events it will have to replay.
            await using (var elsewhere = await EmbeddedHostProcess.StartAsync(data.Path))
            {
                using var http = new HttpClient { BaseAddress = elsewhere.Switchboard };
                for (var i = 0; i < 5; i++)
                {
                    (await http.PostAsJsonAsync("api/sessions", new { id = $"missed-{i}" })).EnsureSuccessStatusCode();
                }

                await elsewhere.StopAsync();
            }

            host = await EmbeddedHostProcess.StartAsync(data.Path, urls);
            await driver.SendAsync("restarted 5");
            await driver.WaitForExitAsync();
        }
        finally
        {
            await host.DisposeAsync();
        }
    }
}
