using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Ingest;
using Switchboard.Options;
using Switchboard.Storage.Sqlite;
using Switchboard.Writes;

namespace Switchboard.Server.Tests;

/// <summary>
/// The group commit takes no more writes than the live path has room for: when room opens after a wait, the writers
/// that queued meanwhile go in as several commits, each sized to the room, not as one burst the fan-out must then absorb.
/// Real SQLite store; the throttle is a gate the test opens.
/// </summary>
public sealed class WritePipelineRoomTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("switchboard-room-").FullName;
    private readonly Throttle _throttle = new();
    private SqliteSessionStore _store = null!;
    private WritePipeline _pipeline = null!;

    public async ValueTask InitializeAsync()
    {
        _store = new SqliteSessionStore(new SqliteStoreOptions(Path.Combine(_directory, "switchboard.db")), TimeProvider.System);
        await _store.InitializeAsync(CancellationToken.None);
        _pipeline = new WritePipeline(_store, _throttle, new StreamOptions(), NullLogger<WritePipeline>.Instance);
        _pipeline.Start();
    }

    [Fact]
    public async Task WritesThatQueuedWhileTheGateWasShutCommitInGroupsNoLargerThanTheRoom()
    {
        var first = _pipeline.SubmitAsync([new CreateSession { Id = "w0" }], CancellationToken.None);
        await _throttle.Waiting.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var rest = Enumerable.Range(1, 4).Select(i => _pipeline.SubmitAsync([new CreateSession { Id = $"w{i}" }], CancellationToken.None)).ToList();

        _throttle.Open.TrySetResult();
        var results = await Task.WhenAll([first, .. rest]).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        results.ShouldAllBe(r => r[0].Error == null);
        _throttle.Commits.ShouldBe(3, "five writes with room for two: 2 + 2 + 1");
        (await _store.GetSessionAsync("w4", CancellationToken.None)).ShouldNotBeNull();
    }

    public async ValueTask DisposeAsync()
    {
        await _pipeline.DisposeAsync();
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Shut until the test opens it, then room for two writes per commit; counts the commits it was asked about.</summary>
    private sealed class Throttle : IWriteThrottle
    {
        private int _commits;

        public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Waiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Commits => Volatile.Read(ref _commits);

        public int Room => 2;

        public ValueTask WaitForRoomAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _commits);
            Waiting.TrySetResult();
            return new ValueTask(Open.Task.WaitAsync(cancellationToken));
        }
    }
}
