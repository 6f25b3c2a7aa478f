using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Live.Fanout;
using Switchboard.Server.Outbound;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Security.Hostile;

/// <summary>A client that fires a thousand joins at once, with the default limits.</summary>
public sealed class JoinFloodTests
{
    [Fact]
    public async Task AJoinFloodIsCappedThenCutOffAndLeavesNothingBehind()
    {
        await using var secured = await Secured.StartAsync();
        var token = await secured.MintAsync(["sessions", "session:*"]);
        await using var bystander = await PhoenixClient.ConnectAsync(secured.SocketUri(token));
        (await bystander.JoinAsync("sessions")).Status.ShouldBe("ok");

        await using var flooder = await RawWebSocket.ConnectAsync(secured.Server.BaseAddress, "/socket/websocket?vsn=2.0.0&token=" + token);
        try
        {
            for (var i = 0; i < 1000; i++)
            {
                await flooder.SendTextAsync($"[\"{i}\",\"{i}\",\"session:flood-{i}\",\"phx_join\",{{}}]");
            }
        }
        catch (IOException)
        {
            // Cut off mid-flood, as intended.
        }

        var (code, texts) = await flooder.ReadUntilCloseAsync();
        code.ShouldBe((ushort)1008, "over the message rate (burst 200)");
        var replies = texts.Where(t => t.Contains("phx_reply", StringComparison.Ordinal)).ToList();
        replies.Count(t => t.Contains("\"status\":\"ok\"", StringComparison.Ordinal)).ShouldBe(100, "the channel cap");
        replies.Count(t => t.Contains("too many channels joined", StringComparison.Ordinal)).ShouldBeGreaterThanOrEqualTo(99);
        replies.Count.ShouldBeLessThan(1000, "the connection was closed before the flood ended");

        // The flooder's hundred subscriptions are gone; the bystander is untouched.
        var live = secured.Server.Get<Switchboard.Server.Live.LiveHub>();
        await TestTimeouts.Eventually(async () => await live.ReadSubscriptionCountAsync() == 1, "the flooder's subscriptions are released");
        await secured.Writer.CreateAsync("flood-7");
        (await bystander.WaitForAsync(f => f.Event == "session_created")).Seq.ShouldBe(1);
        (await bystander.HeartbeatAsync()).Status.ShouldBe("ok");
    }
}
