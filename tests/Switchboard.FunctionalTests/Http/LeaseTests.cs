using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Http;

/// <summary>Leases run on the injected clock: the test moves time, nothing sleeps.</summary>
public sealed class LeaseTests
{
    [Fact]
    public async Task AnExpiredLeaseMovesTheSessionToErrorWithLeaseExpired()
    {
        var time = new ManualTimeProvider();
        await using var server = await SwitchboardServer.StartAsync(time: time);
        await server.Http.CreateAsync("leased", new { state = "working", lease_seconds = 30 });

        time.Advance(TimeSpan.FromSeconds(29));
        await Task.Delay(200);
        (await server.Http.GetJsonAsync("/api/sessions/leased")).Body.Str("state").ShouldBe("working");

        time.Advance(TimeSpan.FromSeconds(2));
        await TestTimeouts.Eventually(async () => (await server.Http.GetJsonAsync("/api/sessions/leased")).Body.Str("state") == "error", "lease expiry");
        var session = (await server.Http.GetJsonAsync("/api/sessions/leased")).Body;
        session.Str("error_message").ShouldBe("lease_expired");
        var last = (await server.Http.EventsAsync(sessionId: "leased"))[^1];
        last.GetProperty("data").Str("reason").ShouldBe("lease_expired");
        last.GetProperty("data").Str("previous_state").ShouldBe("working");
    }

    [Fact]
    public async Task ASessionLeftTerminatingIsTerminatedWhenItsLeaseRunsOut()
    {
        // `terminating` may only go to `terminated`: a producer that crashed while finishing does not leave it active.
        var time = new ManualTimeProvider();
        await using var server = await SwitchboardServer.StartAsync(time: time);
        await server.Http.CreateAsync("finishing", new { state = "working", lease_seconds = 30 });
        (await server.Http.PatchAsync("/api/sessions/finishing", new { state = "terminating" })).Status.ShouldBe(200);

        time.Advance(TimeSpan.FromSeconds(31));
        await TestTimeouts.Eventually(async () => (await server.Http.GetJsonAsync("/api/sessions/finishing")).Body.Str("state") == "terminated", "lease expiry");
        var last = (await server.Http.EventsAsync(sessionId: "finishing"))[^1];
        last.Str("type").ShouldBe("session_terminated");
        last.GetProperty("data").Str("reason").ShouldBe("lease_expired");
        (await server.Http.GetJsonAsync("/api/summary")).Body.GetProperty("active_count").GetInt64().ShouldBe(0);
    }

    [Fact]
    public async Task AHeartbeatBeforeExpiryKeepsTheSessionAlive()
    {
        var time = new ManualTimeProvider();
        await using var server = await SwitchboardServer.StartAsync(time: time);
        await server.Http.CreateAsync("kept", new { state = "working", lease_seconds = 30 });
        await server.Http.CreateAsync("dropped", new { state = "working", lease_seconds = 30 });

        time.Advance(TimeSpan.FromSeconds(20));
        (await server.Http.PostAsync("/api/sessions/kept/heartbeat")).Status.ShouldBe(200);
        time.Advance(TimeSpan.FromSeconds(15));

        await TestTimeouts.Eventually(async () => (await server.Http.GetJsonAsync("/api/sessions/dropped")).Body.Str("state") == "error", "the other lease expires");
        (await server.Http.GetJsonAsync("/api/sessions/kept")).Body.Str("state").ShouldBe("working");

        time.Advance(TimeSpan.FromSeconds(20));
        await TestTimeouts.Eventually(async () => (await server.Http.GetJsonAsync("/api/sessions/kept")).Body.Str("state") == "error", "kept expires once heartbeats stop");
    }

    [Fact]
    public async Task AnyUpdateRenewsTheLease()
    {
        var time = new ManualTimeProvider();
        await using var server = await SwitchboardServer.StartAsync(time: time);
        await server.Http.CreateAsync("busy", new { lease_seconds = 10 });
        for (var i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromSeconds(8));
            (await server.Http.PostAsync("/api/sessions/busy/usage", new { input_tokens = 1 })).Status.ShouldBe(200);
        }

        await Task.Delay(200);
        (await server.Http.GetJsonAsync("/api/sessions/busy")).Body.Str("state").ShouldBe("initializing");
    }
}
