using System.Text.Json;
using Switchboard.Core.Events;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;
using Switchboard.Testing;

namespace Switchboard.Storage.Tests.Postgres;

/// <summary>Several nodes on one database: one epoch, one log, one active count, one fleet flag, one retention range.</summary>
public sealed class PostgresSharedDatabaseTests(PostgresClusterFixture postgres) : PostgresStoreTestBase(postgres)
{
    [Fact]
    public async Task NodesStartingTogetherCreateTheSchemaAndTheEpochOnce()
    {
        var nodes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => OpenNodeAsync()));
        nodes.Select(n => n.Epoch).Distinct().Count().ShouldBe(1);
        nodes[0].Epoch.ShouldNotBeNullOrWhiteSpace();
        (await nodes[3].LoadStateAsync(CancellationToken.None)).Epoch.ShouldBe(nodes[0].Epoch);
    }

    [Fact]
    public async Task TheActiveCountAndTheFleetFlagAreSharedAcrossNodes()
    {
        var a = await OpenNodeAsync();
        var b = await OpenNodeAsync();
        await WriteOne(a, new CreateSession { Id = "one" });
        var second = await WriteOne(b, new CreateSession { Id = "two" });
        ActiveCount(second.Event!).ShouldBe(2);

        var ended = await WriteOne(a, new TerminateSession("two"));
        ActiveCount(ended.Event!).ShouldBe(1);

        (await WriteOne(b, new SetFleetPaused(true))).Event.ShouldNotBeNull();
        // Node A already sees the flag set by B: pausing again is no change and appends nothing.
        (await WriteOne(a, new SetFleetPaused(true))).Event.ShouldBeNull();

        var state = await a.LoadStateAsync(CancellationToken.None);
        state.FleetPaused.ShouldBeTrue();
        state.HeadSeq.ShouldBe(4);
        state.ActiveSessions.Select(s => s.Id).ShouldBe(["one"]);
    }

    [Fact]
    public async Task TwoNodesCreatingTheSameIdProduceOneSessionAndOneConflict()
    {
        var a = await OpenNodeAsync();
        var b = await OpenNodeAsync();
        var results = await Task.WhenAll(
            Task.Run(() => WriteOne(a, new CreateSession { Id = "same" })),
            Task.Run(() => WriteOne(b, new CreateSession { Id = "same" })));
        results.Count(r => r.Succeeded).ShouldBe(1);
        results.Single(r => !r.Succeeded).Error!.Code.ShouldBe("session_exists");
        (await a.ReadEventsAsync(new EventQuery(), CancellationToken.None)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task LoadStateIsOneSnapshotAsOfItsHeadWhileAnotherNodeWrites()
    {
        var writer = await OpenNodeAsync();
        var loader = await OpenNodeAsync();
        using var stop = new CancellationTokenSource();
        var writing = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                // Every event creates one session, so a consistent state has exactly HeadSeq active sessions.
                await writer.WriteAsync([new CreateSession { Id = $"s{i}a" }, new CreateSession { Id = $"s{i}b" }], CancellationToken.None);
            }
        });

        for (var i = 0; i < 20; i++)
        {
            var state = await loader.LoadStateAsync(CancellationToken.None);
            state.ActiveSessions.Count.ShouldBe((int)state.HeadSeq);
            state.Totals.Counts[SessionState.Initializing].ShouldBe(state.HeadSeq);
            (await loader.ReadEventsAsync(new EventQuery { AfterSeq = 0, UpToSeq = state.HeadSeq, Limit = 100_000 }, CancellationToken.None))
                .Select(e => e.Seq).ShouldBe(Enumerable.Range(1, (int)state.HeadSeq).Select(s => (long)s));
            await Task.Delay(10);
        }

        await stop.CancelAsync();
        await writing;
        (await loader.LoadStateAsync(CancellationToken.None)).HeadSeq.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task APurgeByOneNodeShowsInEveryNodesBoundsAndSeqContinues()
    {
        var a = await OpenNodeAsync();
        var b = await OpenNodeAsync();
        for (var i = 0; i < 6; i++)
        {
            await WriteOne(i % 2 == 0 ? a : b, new CreateSession { Id = "s" + i });
        }

        (await a.PurgeAsync(new RetentionPolicy(TimeSpan.FromDays(1), MaxEvents: 2), Time.GetUtcNow(), CancellationToken.None)).ShouldBe(4);
        var bounds = await b.GetLogBoundsAsync(CancellationToken.None);
        bounds.ShouldBe(new LogBounds(5, 6));
        bounds.CanResumeFrom(3).ShouldBeFalse();
        bounds.CanResumeFrom(4).ShouldBeTrue();
        (await WriteOne(b, new CreateSession { Id = "next" })).Event!.Seq.ShouldBe(7);
    }

    private static long ActiveCount(EventRecord e)
    {
        using var doc = JsonDocument.Parse(e.Data);
        return doc.RootElement.GetProperty("active_count").GetInt64();
    }
}
