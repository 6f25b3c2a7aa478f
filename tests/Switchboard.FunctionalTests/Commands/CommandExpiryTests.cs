using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Hosting;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Commands;

/// <summary>Expiry runs on the injected clock: a command not acknowledged in time expires once, and can no longer be answered.</summary>
public sealed class CommandExpiryTests
{
    [Fact]
    public async Task CommandsExpireOnTheClockAndAreThenNeitherHandedOverNorAnswerable()
    {
        var time = new ManualTimeProvider();
        await using var server = await SwitchboardServer.StartAsync(time: time);
        var http = server.Http;
        await http.CreateAsync("e", new { lease_seconds = 600 });
        var delivered = (await http.IssueAsync("e", new { type = "pause", expires_in_seconds = 5 })).Str("id");
        (await http.PostAsync("/api/sessions/e/heartbeat")).Body.CommandIds().ShouldBe([delivered]);
        var pending = (await http.IssueAsync("e", new { type = "cancel", expires_in_seconds = 5 })).Str("id");
        var later = (await http.IssueAsync("e", new { type = "message", text = "later", expires_in_seconds = 60 })).Str("id");

        time.Advance(TimeSpan.FromSeconds(4));
        (await server.Get<RequestExpiry>().CheckAsync()).ShouldBe(0, "nothing is due yet");
        (await http.CommandsAsync("e", "expired")).ShouldBeEmpty();

        // The timer (on the manual clock) runs the job; CheckAsync would run it too.
        time.Advance(TimeSpan.FromSeconds(2));
        await TestTimeouts.Eventually(async () => (await http.CommandsAsync("e", "expired")).Count == 2, "both commands to expire");
        (await server.Get<RequestExpiry>().CheckAsync()).ShouldBe(0, "an expiry is written once");
        var history = await http.CommandHistoryAsync("e");
        history.Take(4).ShouldBe(["command_issued pause", "command_delivered pause", "command_issued cancel", "command_issued message"]);
        history.Skip(4).ShouldBe(["command_expired pause", "command_expired cancel"], ignoreOrder: true); // both fell due at the same moment

        (await http.PostAsync("/api/sessions/e/heartbeat")).Body.CommandIds().ShouldBe([later]);
        var refused = await http.PostAsync($"/api/sessions/e/commands/{delivered}/ack", new { outcome = "done" });
        refused.ShouldBeProblem(409);
        refused.Body.Str("code").ShouldBe("command_expired");
        (await http.PostAsync($"/api/sessions/e/commands/{pending}/ack", new { outcome = "done" })).ShouldBeProblem(409);
        (await http.SendAsync(HttpMethod.Delete, $"/api/sessions/e/commands/{pending}")).ShouldBeProblem(409);
        (await http.PostAsync($"/api/sessions/e/commands/{later}/ack", new { outcome = "done" })).Status.ShouldBe(200);
    }
}
