using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Live;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.LiveCore;

/// <summary>
/// Joins and reads that wait for the live loop are bounded (<c>Stream:MaxQueuedRequests</c>): while the loop is busy,
/// joins past the bound get a Phoenix error reply with reason <c>overloaded</c> at once instead of queueing without
/// bound, and the ones within it are answered once the loop is back.
/// </summary>
public sealed class JoinStormTests
{
    [Fact]
    public async Task JoinsPastTheInboxBoundAreRefusedAtOnceAndTheRestAreAnswered()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Sockets.MaxQueuedRequests = 4);
        var live = server.Get<LiveHub>();
        var clients = new List<PhoenixClient>();
        for (var i = 0; i < 10; i++)
        {
            clients.Add(await PhoenixClient.ConnectAsync(server.WebSocketUri));
        }

        try
        {
            // Hold the loop: a fault whose recovery waits for the test.
            var hold = new TaskCompletionSource();
            var fired = live.InjectFault("hold the loop", hold.Task);
            await server.Http.CreateAsync("x");
            await fired.WaitAsync(TestTimeouts.Default, TestContext.Current.CancellationToken);

            var joins = clients.Select(c => c.JoinAsync("sessions")).ToList();
            await TestTimeouts.Eventually(() => joins.Count(j => j.IsCompleted) == 6, "six of ten joins to be refused while the loop is held");
            foreach (var refused in joins.Where(j => j.IsCompleted))
            {
                var reply = await refused;
                reply.Status.ShouldBe("error");
                reply.Response.Str("reason").ShouldBe("overloaded");
            }

            live.InboxDepth.ShouldBeLessThanOrEqualTo(4, "only the admitted joins wait");

            hold.SetResult();
            var answered = await Task.WhenAll(joins);
            answered.Count(r => r.Status == "ok").ShouldBe(4);
            server.Logs.Entries.Where(e => e.Message.Contains("Joins refused", StringComparison.Ordinal)).ShouldHaveSingleItem("a storm is logged once, not per join");
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}
