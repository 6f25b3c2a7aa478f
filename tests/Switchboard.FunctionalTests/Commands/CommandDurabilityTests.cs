using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Commands;

/// <summary>A command issued before a <c>kill -9</c> is in the database: it is handed over after the restart and acknowledged once.</summary>
public sealed class CommandDurabilityTests
{
    [Fact]
    public async Task ACommandIssuedBeforeAKill9IsDeliveredAfterTheRestartAndAcknowledgedOnce()
    {
        using var data = new TempDirectory();
        string id;
        await using (var server = await ServerProcess.StartAsync(data.Path))
        {
            using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Default };
            await http.CreateAsync("survivor", new { state = "working", lease_seconds = 300 });
            id = (await http.IssueAsync("survivor", new { type = "cancel", text = "before the crash", expires_in_seconds = 3600 })).Str("id");
            await server.KillAsync();
            server.HasExited.ShouldBeTrue();
        }

        await using var restarted = await ServerProcess.StartAsync(data.Path);
        using var again = new HttpClient { BaseAddress = restarted.BaseAddress, Timeout = TestTimeouts.Default };
        var beat = (await again.PostAsync("/api/sessions/survivor/heartbeat")).Body;
        beat.CommandIds().ShouldBe([id]);
        beat.GetProperty("commands")[0].Str("state").ShouldBe("delivered");
        beat.GetProperty("commands")[0].Str("text").ShouldBe("before the crash");

        // The producer's acknowledgement is retried (its first answer was lost, say): recorded once.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            (await again.PostAsync($"/api/sessions/survivor/commands/{id}/ack", new { outcome = "done" })).Status.ShouldBe(200);
        }

        await again.ExpectHistoryAsync("survivor", "command_issued cancel", "command_delivered cancel", "command_acknowledged cancel");
        (await again.PostAsync("/api/sessions/survivor/heartbeat")).Body.CommandIds().ShouldBeEmpty();
    }
}
