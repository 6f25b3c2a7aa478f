using Switchboard.Core.Writes;
using Switchboard.Server.Ingest;
using Switchboard.Testing;

namespace Switchboard.Server.Tests;

/// <summary>
/// Admission control in the group commit. It takes no more writes than the live path has room for: when room opens after
/// a wait, the writers that queued meanwhile go in as several commits, each sized to the room, not as one burst the
/// fan-out must then absorb. And it answers a committed write once the live path has fanned it out, or
/// <see cref="SocketOptions.FanoutAnswerWait"/> later. Real SQLite store; the throttle is a gate the test opens; the answer's
/// wait is timed on a manual clock.
/// </summary>
public sealed class GroupCommitAdmissionTests : IAsyncLifetime
{
    private readonly Throttle _throttle = new();
    private readonly ManualTimeProvider _clock = new();
    private SqlitePipeline _rig = null!;

    public async ValueTask InitializeAsync() => _rig = await SqlitePipeline.StartAsync(_throttle, _clock);

    [Fact]
    public async Task WritesThatQueuedWhileTheGateWasShutCommitInGroupsNoLargerThanTheRoom()
    {
        _throttle.FannedOut.TrySetResult();
        var first = _rig.Pipeline.SubmitAsync([new CreateSession { Id = "w0" }], CancellationToken.None);
        await _throttle.Waiting.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var rest = Enumerable.Range(1, 4).Select(i => _rig.Pipeline.SubmitAsync([new CreateSession { Id = $"w{i}" }], CancellationToken.None)).ToList();

        _throttle.Open.TrySetResult();
        var results = await Task.WhenAll([first, .. rest]).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        results.ShouldAllBe(r => r[0].Error == null);
        _throttle.Commits.ShouldBe(3, "five writes with room for two: 2 + 2 + 1");
        (await _rig.Store.GetSessionAsync("w4", CancellationToken.None)).ShouldNotBeNull();
    }

    [Fact]
    public async Task ACommittedWriteIsAnsweredOnceItsEventIsFannedOutAndNotBefore()
    {
        _throttle.Open.TrySetResult();
        var write = _rig.Pipeline.SubmitAsync([new CreateSession { Id = "paced" }], CancellationToken.None);

        var seq = await _throttle.FanoutAsked.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        (await _rig.Store.GetSessionAsync("paced", CancellationToken.None)).ShouldNotBeNull("committed before the wait");
        seq.ShouldBe(_rig.Pipeline.LastCommittedSeq, "it waits for its own event");
        write.IsCompleted.ShouldBeFalse("not fanned out yet");

        _throttle.FannedOut.TrySetResult();
        var results = await write.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        results[0].Event!.Seq.ShouldBe(seq);
    }

    [Fact]
    public async Task AFanOutThatIsHeldUpDelaysTheAnswerByAtMostFanoutAnswerWait()
    {
        _throttle.Open.TrySetResult();
        var write = _rig.Pipeline.SubmitAsync([new CreateSession { Id = "held" }], CancellationToken.None);
        await _throttle.FanoutAsked.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        // The bound's timer is armed just after the fan-out is asked for: moving the clock before that would move it past nothing.
        await TestTimeouts.Eventually(() => _clock.ArmedTimers == 1, "the answer's bound to be armed");

        _clock.Advance(TimeSpan.FromMilliseconds(249));
        write.IsCompleted.ShouldBeFalse();
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var results = await write.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        results[0].Error.ShouldBeNull("durable all the same: the wait only paces the producer");
    }

    public async ValueTask DisposeAsync()
    {
        await _rig.DisposeAsync();
    }

    /// <summary>
    /// Shut until the test opens it, then room for two writes per commit; counts the commits it was asked about. Fans
    /// out when the test says so, and tells which seq a write waits for.
    /// </summary>
    private sealed class Throttle : IWriteThrottle
    {
        private int _commits;

        public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Waiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Commits => Volatile.Read(ref _commits);

        public TaskCompletionSource<long> FanoutAsked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource FannedOut { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Room => 2;

        public ValueTask WaitForRoomAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _commits);
            Waiting.TrySetResult();
            return new ValueTask(Open.Task.WaitAsync(cancellationToken));
        }

        public Task WhenFannedOutAsync(long seq)
        {
            FanoutAsked.TrySetResult(seq);
            return FannedOut.Task;
        }
    }
}
