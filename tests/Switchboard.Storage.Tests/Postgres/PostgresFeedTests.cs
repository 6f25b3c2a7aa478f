using Npgsql;
using Switchboard.Core.Writes;
using Switchboard.Storage.Postgres;
using Switchboard.Testing;

namespace Switchboard.Storage.Tests.Postgres;

/// <summary>The feed: other nodes' writes arrive in order; a lost LISTEN connection is re-established and caught up from the table.</summary>
public sealed class PostgresFeedTests(PostgresClusterFixture postgres) : PostgresStoreTestBase(postgres)
{
    [Fact]
    public async Task EveryNodesFeedDeliversEveryNodesWritesInSeqOrder()
    {
        var a = await OpenNodeAsync();
        var b = await OpenNodeAsync();
        var feedA = await TailAsync(a);
        var feedB = await TailAsync(b);
        for (var i = 0; i < 10; i++)
        {
            await WriteOne(i % 2 == 0 ? a : b, new CreateSession { Id = "s" + i });
        }

        await feedA.ReachedAsync(10);
        await feedB.ReachedAsync(10);
        feedA.Seqs.ShouldBe(Enumerable.Range(1, 10).Select(i => (long)i));
        feedB.Events.Select(e => e.SessionId).ShouldBe(Enumerable.Range(0, 10).Select(i => "s" + i));
    }

    [Fact]
    public async Task AFeedStartedAfterAPositionDeliversOnlyWhatFollowsIt()
    {
        var a = await OpenNodeAsync();
        await a.WriteAsync([new CreateSession { Id = "x" }, new CreateSession { Id = "y" }, new CreateSession { Id = "z" }], CancellationToken.None);
        var feed = await TailAsync(await OpenNodeAsync(), afterSeq: 2);
        await feed.ReachedAsync(3);
        await WriteOne(a, new TerminateSession("x"));
        await feed.ReachedAsync(4);
        feed.Seqs.ShouldBe([3L, 4]);
    }

    [Fact]
    public async Task AfterItsConnectionIsKilledTheFeedReconnectsAndCatchesUpFromTheTable()
    {
        var listener = await OpenNodeAsync(o => o with { MinReconnectDelay = TimeSpan.FromMilliseconds(300) });
        var writer = await OpenNodeAsync();
        var feed = await TailAsync(listener);
        await WriteOne(writer, new CreateSession { Id = "before" });
        await feed.ReachedAsync(1);
        listener.IsListening.ShouldBeTrue();

        // Kill the listening backend, then write while the feed is disconnected (its first retry waits ≥ 240 ms). The
        // feed is not listening only for that wait, too briefly to be sure a poll sees it; its count of losses stays.
        var losses = ((PostgresEventFeed)listener.Feed).ConnectionLosses;
        await Cluster.ExecuteAsync(
            $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{Database}' AND application_name = 'switchboard listener';");
        await TestTimeouts.Eventually(() => ((PostgresEventFeed)listener.Feed).ConnectionLosses > losses, "the feed to notice its connection is gone");
        for (var i = 0; i < 5; i++)
        {
            await WriteOne(writer, new CreateSession { Id = "during" + i });
        }

        await feed.ReachedAsync(6);
        await TestTimeouts.Eventually(() => listener.IsListening, "the feed to listen again");
        await WriteOne(writer, new CreateSession { Id = "after" });
        await feed.ReachedAsync(7);
        feed.Seqs.ShouldBe(Enumerable.Range(1, 7).Select(i => (long)i));
    }

    [Fact]
    public async Task ThePollFindsCommitsWhoseNotificationNeverCame()
    {
        var store = await OpenNodeAsync(o => o with { PollInterval = TimeSpan.FromMilliseconds(200) });
        var feed = await TailAsync(store);
        await WriteOne(store, new CreateSession { Id = "a" });
        await feed.ReachedAsync(1);

        // A commit without NOTIFY, as if the notification were lost.
        await using var connection = await ConnectAsync();
        await using (var command = new NpgsqlCommand(
            "INSERT INTO switchboard_events (seq, at, type, session_id, data) " +
            "VALUES (2, now(), 'fleet_updated', NULL, convert_to('{\"is_paused\":true}', 'UTF8')); " +
            "UPDATE switchboard_log SET head_seq = 2, fleet_paused = true;", connection))
        {
            await command.ExecuteNonQueryAsync();
        }

        await feed.ReachedAsync(2, TimeSpan.FromSeconds(10));
        feed.Seqs.ShouldBe([1L, 2]);
    }
}
