using System.Collections.Concurrent;
using Switchboard.Server.Background;
using Switchboard.Testing;

namespace Switchboard.Server.Tests;

/// <summary>
/// The supervised periodic job behind lease expiry and retention, on a manual clock: when it runs, that a failure is
/// reported and the job carries on, that runs never overlap, and that stopping is quiet.
/// </summary>
public sealed class PeriodicJobTests
{
    private static readonly TimeSpan FirstDue = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(30);

    private readonly ManualTimeProvider _time = new();
    private readonly ConcurrentQueue<DateTimeOffset> _runs = new();
    private readonly ConcurrentQueue<Exception> _failures = new();

    [Fact]
    public async Task RunsAtTheFirstDueTimeThenEveryPeriodOfTheInjectedClock()
    {
        var start = _time.GetUtcNow();
        using var job = Job(_ => Task.FromResult(1));
        job.Start(FirstDue, Period);

        _time.Advance(FirstDue - TimeSpan.FromMilliseconds(1));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await TestTimeouts.Eventually(() => _runs.Count == 1, "the first run");
        _time.Advance(Period);
        await TestTimeouts.Eventually(() => _runs.Count == 2, "the second run");

        _runs.ShouldBe([start + FirstDue, start + FirstDue + Period]); // nothing early, nothing extra
        _failures.ShouldBeEmpty();
    }

    [Fact]
    public async Task AFailedRunIsReportedAndTheNextTickRunsAgain()
    {
        var calls = 0;
        using var job = Job(_ => ++calls == 1 ? throw new InvalidOperationException("store down") : Task.FromResult(7));
        job.Start(FirstDue, Period);

        _time.Advance(FirstDue);
        await TestTimeouts.Eventually(() => _failures.Count == 1, "the failure reaches the owner");
        _failures.Single().Message.ShouldBe("store down");

        _time.Advance(Period);
        await TestTimeouts.Eventually(() => _runs.Count == 2, "the next tick runs again");
        _failures.Count.ShouldBe(1);
        job.Completion.IsCompleted.ShouldBeFalse("the loop is still supervising");
    }

    [Fact]
    public async Task RunsNeverOverlapAndTicksDuringARunFoldIntoOne()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var job = Job(async _ =>
        {
            if (_runs.Count == 1)
            {
                await release.Task;
            }

            return 1;
        });
        job.Start(FirstDue, Period);

        _time.Advance(FirstDue);
        await TestTimeouts.Eventually(() => _runs.Count == 1, "the first run starts and blocks");
        (await job.RunOnceAsync().Within()).ShouldBe(-1, "a direct run while one is going is skipped");
        var blockedAt = _time.GetUtcNow();
        _time.Advance(Period * 3); // three ticks while the run is blocked
        var foldedAt = _time.GetUtcNow();
        release.SetResult();

        await TestTimeouts.Eventually(() => _runs.Count == 2, "one run for the three folded ticks");
        _time.Advance(Period);
        await TestTimeouts.Eventually(() => _runs.Count == 3, "the next period's run");

        _runs.ShouldBe([blockedAt, foldedAt, foldedAt + Period]); // a second folded run would have started at foldedAt too
    }

    [Fact]
    public async Task StoppingCancelsTheRunInFlightQuietlyAndEndsTheLoop()
    {
        using var job = Job(async ct =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return 1;
        });
        job.Start(FirstDue, Period);
        _time.Advance(FirstDue);
        await TestTimeouts.Eventually(() => _runs.Count == 1, "the run starts");

        job.Dispose();
        await job.Completion.Within();
        _time.Advance(Period * 2);

        _runs.Count.ShouldBe(1);
        _failures.ShouldBeEmpty("stopping is not a failure");
    }

    /// <summary>A job that records when each run started; skipped runs return -1.</summary>
    private PeriodicJob<int> Job(Func<CancellationToken, Task<int>> work) =>
        new(_time, ct =>
        {
            _runs.Enqueue(_time.GetUtcNow());
            return work(ct);
        }, skipped: -1, _failures.Enqueue);
}
