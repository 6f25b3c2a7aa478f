using Switchboard.Server.Transports;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Streaming;

/// <summary>The 60 s idle timeout runs on the injected clock.</summary>
public sealed class IdleTimeoutTests
{
    [Fact]
    public async Task ASilentConnectionIsClosedAfterSixtySecondsAndAHeartbeatingOneIsNot()
    {
        var time = new ManualTimeProvider();
        await using var server = await SwitchboardServer.StartAsync(time: time);
        await using var silent = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        await using var alive = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        // The client returns on the 101; the server starts a connection's idle clock just after it. Moving the clock
        // before then would start the silent one's 60 s late.
        await TestTimeouts.Eventually(() => server.Get<ConnectionRegistry>().Snapshot().Length == 2, "both connections registered");

        for (var i = 0; i < 4; i++)
        {
            time.Advance(TimeSpan.FromSeconds(20));
            (await alive.HeartbeatAsync()).Status.ShouldBe("ok");
        }

        var (status, description) = await silent.Closed.Within();
        ((int?)status).ShouldBe(1001);
        description.ShouldBe("heartbeat timeout");
        (await alive.HeartbeatAsync()).Status.ShouldBe("ok");
    }
}
