using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Http;

/// <summary><c>waiting</c> (blocked on a person) through the HTTP API: a producer sets it, the summary counts it, filters find it, a restart keeps it.</summary>
public sealed class WaitingStateTests
{
    [Fact]
    public async Task AWaitingSessionIsActiveCountedLastInTheSummaryFilteredAndKeptAcrossARestart()
    {
        using var data = new TempDirectory();
        await using (var server = await SwitchboardServer.StartAsync(dataDirectory: data.Path))
        {
            await server.Http.CreateAsync("asks", new { state = "working" });
            await server.Http.CreateAsync("idles", new { state = "idle" });
            var patched = await server.Http.PatchAsync("/api/sessions/asks", new { state = "waiting" });
            patched.Status.ShouldBe(200, patched.Body.ToString());
            patched.Body.Str("state").ShouldBe("waiting");
            var moved = (await server.Http.EventsAsync(sessionId: "asks")).Last().GetProperty("data");
            (moved.Str("previous_state"), moved.GetProperty("changes").Str("state")).ShouldBe(("working", "waiting"));

            await ExpectAsync(server);
            var refused = await server.Http.PatchAsync("/api/sessions/asks", new { state = "asleep" });
            refused.ShouldBeProblem(400, "state");
            refused.Body.Str("detail").ShouldContain("initializing, idle, working, paused, error, terminating, terminated, waiting");
            await server.StopAsync();
        }

        await using var restarted = await SwitchboardServer.StartAsync(dataDirectory: data.Path);
        await ExpectAsync(restarted);
        (await restarted.Http.PatchAsync("/api/sessions/asks", new { state = "working" })).Status.ShouldBe(200);
        var summary = (await restarted.Http.GetJsonAsync("/api/summary")).Body;
        (summary.GetProperty("counts").Long("waiting"), summary.GetProperty("counts").Long("working")).ShouldBe((0L, 1L));
    }

    private static async Task ExpectAsync(SwitchboardServer server)
    {
        var summary = (await server.Http.GetJsonAsync("/api/summary")).Body;
        summary.Long("active_count").ShouldBe(2);
        var counts = summary.GetProperty("counts");
        counts.EnumerateObject().Select(p => p.Name)
            .ShouldBe(["initializing", "idle", "working", "paused", "error", "terminating", "terminated", "waiting"], "a new state is added last");
        (counts.Long("waiting"), counts.Long("idle"), counts.Long("working")).ShouldBe((1L, 1L, 0L));

        async Task<List<string>> Ids(string query) =>
            (await server.Http.GetJsonAsync("/api/sessions" + query)).Body.GetProperty("sessions").EnumerateArray().Select(s => s.Str("id")).ToList();
        (await Ids("?state=waiting")).ShouldBe(["asks"]);
        (await Ids("?state=waiting,idle")).ShouldBe(["idles", "asks"]);
        (await Ids("?active=true")).ShouldBe(["idles", "asks"]);
        (await server.Http.GetJsonAsync("/api/sessions/count")).Body.Long("active_sessions").ShouldBe(2);
    }
}
