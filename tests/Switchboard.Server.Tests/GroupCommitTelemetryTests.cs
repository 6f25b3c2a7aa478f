using Switchboard.Core.Writes;
using Switchboard.Server.Ingest;
using Switchboard.Testing;

namespace Switchboard.Server.Tests;

/// <summary>
/// OTLP requests that reach the group commit together append one event per agent, not one per request: telemetry next in
/// line waits for the last commit's fan-out, and the requests that queued meanwhile commit as one write per session
/// (<see cref="TelemetryCoalescing"/>). Every observation still counts exactly once. Real SQLite store; the fan-out is a
/// gate the test opens.
/// </summary>
public sealed class GroupCommitTelemetryTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow;
    private readonly Fanout _fanout = new();
    private SqlitePipeline _rig = null!;

    public async ValueTask InitializeAsync() =>
        // The manual clock never moves: the hold and the answer's wait end only when the test fans out.
        _rig = await SqlitePipeline.StartAsync(_fanout, new ManualTimeProvider());

    private static ApplyTelemetry Telemetry(string session, params string[] keys) => new(session)
    {
        Name = session,
        Observations = [.. keys.Select(k => new TelemetryObservation(k, T0, TelemetrySignal.Activity, InputTokens: 100, Usage: UsageSource.Events))],
    };

    [Fact]
    public async Task RequestsThatQueueWhileTheLastCommitFansOutCommitTogetherWithOneEventPerAgent()
    {
        var ct = TestContext.Current.CancellationToken;
        var first = await _rig.Pipeline.SubmitAsync([Telemetry("agent-a", "k1"), Telemetry("agent-b", "k2")], CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(10), ct);
        first.ShouldAllBe(r => r.Error == null, "telemetry is answered once committed: it is paced before its commit instead");
        var head = _rig.Pipeline.LastCommittedSeq;
        head.ShouldBe(2);

        var second = _rig.Pipeline.SubmitAsync([Telemetry("agent-a", "k3", "k4")], CancellationToken.None);
        await TestTimeouts.Eventually(() => _fanout.Asks == 1, "the next telemetry to wait for the last commit's fan-out");
        _rig.Pipeline.LastCommittedSeq.ShouldBe(head, "held, not committed");
        // The same batch again (an exporter that lost its answer) and more about both agents.
        var retry = _rig.Pipeline.SubmitAsync([Telemetry("agent-a", "k3", "k4")], CancellationToken.None);
        var third = _rig.Pipeline.SubmitAsync([Telemetry("agent-b", "k5"), Telemetry("agent-a", "k6")], CancellationToken.None);

        _fanout.Release();
        var results = await Task.WhenAll(second, retry, third).WaitAsync(TimeSpan.FromSeconds(10), ct);

        results.SelectMany(r => r).ShouldAllBe(r => r.Error == null);
        _rig.Pipeline.LastCommittedSeq.ShouldBe(head + 2, "three requests, two agents: two events");
        results[0][0].Event!.Seq.ShouldBe(results[1][0].Event!.Seq, "one event carries both requests about agent-a");
        results[2][1].Event!.Seq.ShouldBe(results[0][0].Event!.Seq);
        results[2][0].Session!.Id.ShouldBe("agent-b");
        (await _rig.Store.GetSessionAsync("agent-a", ct))!.InputTokens.ShouldBe(400, "k1, k3, k4 and k6 once each: the retry adds nothing");
        (await _rig.Store.GetSessionAsync("agent-b", ct))!.InputTokens.ShouldBe(200);
    }

    [Fact]
    public async Task AWriteThatIsNotTelemetryIsNotHeldAndIsAnsweredAfterItsFanOut()
    {
        await _rig.Pipeline.SubmitAsync([Telemetry("agent-a", "k1")], CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        var create = _rig.Pipeline.SubmitAsync([new CreateSession { Id = "api-session" }], CancellationToken.None);
        await TestTimeouts.Eventually(() => _rig.Pipeline.LastCommittedSeq == 2, "the API write to commit while the fan-out is behind");
        await TestTimeouts.Eventually(() => _fanout.Asks == 1, "the API write's answer to wait for its fan-out");
        create.IsCompleted.ShouldBeFalse();

        _fanout.Release();
        (await create.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken))[0].Error.ShouldBeNull();
    }

    public async ValueTask DisposeAsync()
    {
        _fanout.Release();
        await _rig.DisposeAsync();
    }

    /// <summary>Always room; fans out nothing until the test releases it, and counts who waited for it.</summary>
    private sealed class Fanout : IWriteThrottle
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _asks;

        public int Asks => Volatile.Read(ref _asks);

        public void Release() => _released.TrySetResult();

        public ValueTask WaitForRoomAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public Task WhenFannedOutAsync(long seq)
        {
            Interlocked.Increment(ref _asks);
            return _released.Task;
        }
    }
}
