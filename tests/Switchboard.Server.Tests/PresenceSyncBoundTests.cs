using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Core.Storage;
using Switchboard.Server.Live.Presence;
using Switchboard.Storage.Postgres;
using Switchboard.Testing;

namespace Switchboard.Server.Tests;

/// <summary>
/// Sharing presence with the other nodes keeps no queue that grows while PostgreSQL is down: what waits is the
/// difference between this node's viewers and what the database holds, so a storm of joins and leaves during an
/// outage leaves only the viewers still there pending, and once PostgreSQL is back the other nodes see exactly those.
/// On a real PostgreSQL cluster, stopped and started again.
/// </summary>
public sealed class PresenceSyncBoundTests
{
    [Fact]
    public async Task JoinsAndLeavesDuringAnOutageLeaveOnlyTheCurrentViewersPendingAndTheOthersSeeExactlyThem()
    {
        await using var cluster = await PostgresCluster.StartAsync();
        var db = await cluster.CreateDatabaseAsync();
        await using var nodeA = new PostgresSessionStore(new PostgresStoreOptions(db), TimeProvider.System);
        await using var nodeB = new PostgresSessionStore(new PostgresStoreOptions(db), TimeProvider.System);
        await nodeA.InitializeAsync(TestContext.Current.CancellationToken);
        await nodeB.InitializeAsync(TestContext.Current.CancellationToken);
        var exchangeB = nodeB.Presence!;
        await exchangeB.RenewAsync(TestContext.Current.CancellationToken);

        var sync = new PresenceSync(nodeA.Presence!, _ => { }, TimeProvider.System, NullLogger.Instance);
        sync.Start();
        try
        {
            sync.Added(Record("before"));
            await TestTimeouts.Eventually(async () => (await exchangeB.ReadOthersAsync(CancellationToken.None)).Count == 1, "A's first viewer to reach B");

            await cluster.StopAsync();
            for (var i = 0; i < 10_000; i++)
            {
                sync.Added(Record($"churn-{i}"));
                sync.Removed($"churn-{i}");
            }

            sync.Removed("before");
            sync.Added(Record("stays-1"));
            sync.Added(Record("stays-2"));
            sync.Pending.ShouldBe(3, "the viewer that left and the two that stay; none of the 10,000 that came and went");

            await cluster.StartAgainAsync();
            // B's pooled connections may still be the ones the restart broke: a failed read is a retry, not an answer.
            await TestTimeouts.Eventually(async () => await SeesAsync(exchangeB, ["stays-1", "stays-2"]), "B to see exactly A's current viewers", TestTimeouts.Long);
            // A's sync counts a viewer as shared once its write returned, a moment after B can read it.
            await TestTimeouts.Eventually(() => sync.Pending == 0, "A's sync to have nothing left to share");
        }
        finally
        {
            await sync.StopAsync();
        }
    }

    private static async Task<bool> SeesAsync(IPresenceExchange exchange, string[] refs)
    {
        try
        {
            await exchange.RenewAsync(CancellationToken.None);
            return (await exchange.ReadOthersAsync(CancellationToken.None)).Select(r => r.Ref).Order().SequenceEqual(refs);
        }
        catch (Npgsql.NpgsqlException)
        {
            return false;
        }
    }

    private static PresenceRecord Record(string @ref) => new("sessions", "viewer-" + @ref, @ref, $$"""{"phx_ref":"{{@ref}}","name":"n"}""");
}
