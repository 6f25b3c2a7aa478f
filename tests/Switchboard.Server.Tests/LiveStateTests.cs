using Switchboard.Outbound;
using Switchboard.Live.Fanout;
using Switchboard.Ingest;
using Switchboard.Live;
using Switchboard.Storage.Sqlite;
using Switchboard.Writes;

namespace Switchboard.Server.Tests;

/// <summary>Read-your-writes: a read of the live view waits until the dispatcher has applied what this node committed.</summary>
public sealed class LiveStateTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("switchboard-livestate-").FullName;
    private SqliteSessionStore _store = null!;
    private WritePipeline _pipeline = null!;
    private EventDispatcher _dispatcher = null!;

    public async ValueTask InitializeAsync()
    {
        _store = new SqliteSessionStore(new SqliteStoreOptions(Path.Combine(_directory, "switchboard.db")), TimeProvider.System);
        await _store.InitializeAsync(CancellationToken.None);
        var projection = new SessionProjection();
        projection.Load(await _store.LoadStateAsync(CancellationToken.None));
        // Not started yet: committed events wait in its inbox, as they do while a busy dispatcher is behind.
        _dispatcher = new EventDispatcher(projection, new TopicRegistry(), TimeProvider.System);
        await _store.Feed.StartAsync(projection.HeadSeq, _dispatcher, CancellationToken.None);
        _pipeline = new WritePipeline(_store);
        _pipeline.Start();
    }

    [Fact]
    public async Task AReadWaitsForTheDispatcherToApplyTheCommittedWrites()
    {
        var committed = await _pipeline.SubmitAsync([new CreateSession { Id = "a", Name = "a" }], CancellationToken.None);
        committed[0].Error.ShouldBeNull();
        var live = new LiveState(_dispatcher, _pipeline, TimeProvider.System);

        var summary = live.SummaryAsync();
        var paused = live.FleetPausedAsync();
        await Task.Delay(200, TestContext.Current.CancellationToken);
        summary.IsCompleted.ShouldBeFalse("the projection has not applied the create yet");
        paused.IsCompleted.ShouldBeFalse();

        _dispatcher.Start();
        var read = await summary.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        read.Values.TotalCount.ShouldBe(1);
        read.AsOfSeq.ShouldBe(committed[0].Event!.Seq);
        (await paused).ShouldBeFalse();
    }

    public async ValueTask DisposeAsync()
    {
        await _pipeline.DisposeAsync();
        await _dispatcher.StopAsync();
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
