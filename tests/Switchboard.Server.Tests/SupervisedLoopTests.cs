using System.Collections.Concurrent;
using Switchboard.Core.Hosting;
using Switchboard.Testing;

namespace Switchboard.Server.Tests;

/// <summary>
/// The one supervised background loop type, on a manual clock: a body that fails is restarted after a backoff that
/// grows, each failure reported once; the restarts are counted; it gives up when told to; stopping waits for the body
/// and is never a failure; and its health, as <c>/readyz</c> reads it from the registry, follows all of that.
/// </summary>
public sealed class SupervisedLoopTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    private readonly ManualTimeProvider _time = new();
    private readonly ConcurrentQueue<LoopFailure> _failures = new();
    private readonly BackgroundLoops _loops;
    private int _runs;

    public SupervisedLoopTests() => _loops = new BackgroundLoops(_failures.Enqueue);

    [Fact]
    public async Task AFailingBodyRestartsAfterABackoffThatDoublesOnTheInjectedClockAndEachFailureIsReportedOnce()
    {
        var policy = new LoopPolicy { MinDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(30), Critical = true };
        await using var loop = Loop(policy, async (run, ct) =>
        {
            if (run <= 2)
            {
                throw new InvalidOperationException($"failure {run}");
            }

            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
        });
        loop.Start();

        var first = await NextFailureAsync(1);
        first.Error.Message.ShouldBe("failure 1");
        first.Failures.ShouldBe(1);
        first.RestartIn!.Value.ShouldBeInRange(TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(1.2), "1 s with ±20% jitter");
        loop.Health.ShouldBe(new LoopHealth(LoopStatus.Restarting, "failure 1", 1));
        _loops.NotReadyReason.ShouldBe("background loop test is restarting after 1 failure(s) in a row: failure 1");

        await TestTimeouts.Eventually(() => _time.ArmedTimers == 1, "the backoff to wait on the injected clock");
        _time.Advance(first.RestartIn.Value - Tick);
        Volatile.Read(ref _runs).ShouldBe(1, "nothing runs before the backoff is over");
        loop.Restarts.ShouldBe(0);
        _time.Advance(Tick);

        var second = await NextFailureAsync(2);
        second.Failures.ShouldBe(2);
        second.RestartIn!.Value.ShouldBeInRange(TimeSpan.FromSeconds(1.6), TimeSpan.FromSeconds(2.4), "doubled for the second failure in a row");
        loop.Restarts.ShouldBe(1);

        await TestTimeouts.Eventually(() => _time.ArmedTimers == 1, "the second backoff");
        _time.Advance(second.RestartIn.Value);
        await TestTimeouts.Eventually(() => Volatile.Read(ref _runs) == 3, "the third run");
        await TestTimeouts.Eventually(() => loop.Health == LoopHealth.Running, "running again");
        loop.Restarts.ShouldBe(2);
        _loops.NotReadyReason.ShouldBeNull();
        _loops.Snapshot().ShouldHaveSingleItem().ShouldBeSameAs(loop);

        await loop.StopAsync().Within();
        loop.Completion.IsCompleted.ShouldBeTrue("stopping waits for the body to end");
        loop.Health.ShouldBe(LoopHealth.Stopped);
        _failures.Count.ShouldBe(2, "the cancellation that ended the body is no failure");
        _loops.Snapshot().ShouldBeEmpty();
    }

    [Fact]
    public async Task ALoopThatReportsItsHealthIsRestartingUntilItSaysItWorksAndThenItsBackoffStartsAfresh()
    {
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var policy = new LoopPolicy { MinDelay = TimeSpan.FromSeconds(1), Jitter = 0, ReportsHealthy = true, Critical = true };
        SupervisedLoop? self = null;
        await using var loop = self = Loop(policy, async (run, ct) =>
        {
            if (run == 1)
            {
                throw new InvalidOperationException("connection refused");
            }

            await connected.Task.WaitAsync(ct);
            self!.ReportHealthy();
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
        });
        loop.Start();

        await NextFailureAsync(1);
        await TestTimeouts.Eventually(() => _time.ArmedTimers == 1, "the backoff");
        _time.Advance(TimeSpan.FromSeconds(1));
        await TestTimeouts.Eventually(() => Volatile.Read(ref _runs) == 2, "the second run");
        loop.Health.Status.ShouldBe(LoopStatus.Restarting, "running again is not working again");
        loop.Failures.ShouldBe(1);
        _loops.NotReadyReason.ShouldNotBeNull();

        connected.SetResult();
        await TestTimeouts.Eventually(() => loop.Health == LoopHealth.Running, "healthy once it says so");
        loop.Failures.ShouldBe(0);
        _loops.NotReadyReason.ShouldBeNull();
    }

    [Fact]
    public async Task ALoopGivesUpAfterItsMaximumOfFailuresInARowAndReadinessSaysSo()
    {
        var policy = new LoopPolicy { MinDelay = TimeSpan.FromSeconds(1), Jitter = 0, MaxFailures = 2, Critical = true };
        await using var loop = Loop(policy, (run, _) => throw new InvalidOperationException($"bug {run}"));
        loop.Start();

        await NextFailureAsync(1);
        await TestTimeouts.Eventually(() => _time.ArmedTimers == 1, "the backoff");
        _time.Advance(TimeSpan.FromSeconds(1));
        await loop.Completion.Within();

        var last = _failures.Last();
        last.RestartIn.ShouldBeNull("it gave up: no restart to wait for");
        last.Failures.ShouldBe(2);
        _failures.Count.ShouldBe(2);
        loop.Health.ShouldBe(new LoopHealth(LoopStatus.GaveUp, "bug 2", 2));
        loop.Health.Word.ShouldBe("gave_up");
        loop.Restarts.ShouldBe(1);
        _loops.NotReadyReason.ShouldBe("background loop test gave up after 2 failure(s) in a row: bug 2");
    }

    [Fact]
    public async Task StoppingDuringTheBackoffEndsTheLoopAtOnceWithoutAnotherRun()
    {
        await using var loop = Loop(LoopPolicy.Default, (_, _) => throw new InvalidOperationException("down"));
        loop.Start();
        await NextFailureAsync(1);

        await loop.StopAsync().Within(); // no time passes on the manual clock
        loop.Health.ShouldBe(LoopHealth.Stopped);
        Volatile.Read(ref _runs).ShouldBe(1);
        loop.Restarts.ShouldBe(0);
        _failures.Count.ShouldBe(1);
    }

    [Fact]
    public async Task ALoopThatIsNotCriticalIsListedButNeverMakesTheNodeUnready()
    {
        await using var loop = Loop(LoopPolicy.Default, (_, _) => throw new InvalidOperationException("receiver down"));
        loop.Start();
        await NextFailureAsync(1);

        loop.Health.Status.ShouldBe(LoopStatus.Restarting);
        _loops.Snapshot().ShouldHaveSingleItem().ShouldBeSameAs(loop);
        _loops.NotReadyReason.ShouldBeNull();
    }

    [Fact]
    public async Task AFailureTheOwnerReportsItselfIsNotReportedAgainByTheRegistry()
    {
        var own = new ConcurrentQueue<LoopFailure>();
        await using var loop = new SupervisedLoop("owned", _ => throw new InvalidOperationException("x"), _time, LoopPolicy.Default, _loops, own.Enqueue);
        loop.Start();

        await TestTimeouts.Eventually(() => !own.IsEmpty, "the owner's report");
        own.Single().Loop.ShouldBe("owned");
        _failures.ShouldBeEmpty();
    }

    /// <summary>A loop named <c>test</c> whose body gets the number of its run (1 for the first).</summary>
    private SupervisedLoop Loop(LoopPolicy policy, Func<int, CancellationToken, Task> body) =>
        new("test", ct => body(Interlocked.Increment(ref _runs), ct), _time, policy, _loops);

    private async Task<LoopFailure> NextFailureAsync(int count)
    {
        await TestTimeouts.Eventually(() => _failures.Count >= count, $"failure {count} to be reported");
        return _failures.ElementAt(count - 1);
    }
}
