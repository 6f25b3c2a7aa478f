using Microsoft.Extensions.Logging;
using Switchboard.Core.Diagnostics;
using Switchboard.Server.Http;
using Switchboard.Server.Options;
using Switchboard.Testing;

namespace Switchboard.Server.Tests.Http;

/// <summary>The node's one budget of request-body bytes: never passed, whatever the concurrency, and refusals warned of sparingly.</summary>
public sealed class RequestBodyBudgetTests
{
    private readonly ManualTimeProvider _clock = new();
    private readonly SwitchboardServer.LogBuffer _logs = new();

    private RequestBodyBudget Budget(long limit)
    {
        var loggers = LoggerFactory.Create(b => b.AddProvider(_logs));
        return new(new SwitchboardOptions { Http = { MaxInFlightBodyBytes = limit } }, _clock, loggers.CreateLogger<RequestBodyBudget>());
    }

    [Fact]
    public void AReservationThatWouldPassTheLimitIsRefusedWholeAndOneThatFitsIsTaken()
    {
        var budget = Budget(10_000);
        budget.TryReserve(6000).ShouldBeTrue();
        budget.TryReserve(4001).ShouldBeFalse();
        budget.InFlight.ShouldBe(6000, "a refusal reserves nothing");
        budget.TryReserve(4000).ShouldBeTrue();
        budget.InFlight.ShouldBe(10_000);

        budget.Release(6000);
        budget.TryReserve(1).ShouldBeTrue();
        budget.InFlight.ShouldBe(4001);
    }

    [Fact]
    public async Task ReadersOnEveryCoreNeverTakeMoreThanTheLimitTogetherAndGiveItAllBack()
    {
        var budget = Budget(40 * 1024); // two of the larger reservations at once would pass it
        long highest = 0;
        var refused = 0;
        var count = Environment.ProcessorCount * 4;
        using var start = new Barrier(count); // every reader is running before any reserves: a busy thread pool cannot run them one after another
        var workers = Enumerable.Range(0, count).Select(w => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < 20_000; i++)
            {
                var bytes = 4096 << (i + w) % 4;
                if (!budget.TryReserve(bytes))
                {
                    Interlocked.Increment(ref refused);
                    continue;
                }

                // Hold the bytes a moment while the other core reserves. Not Thread.Yield: on a loaded machine every yield
                // gives the core to another process for a whole time slice, and 160,000 of them outlasted the timeout.
                Thread.SpinWait(20);
                var now = budget.InFlight;
                long seen;
                while ((seen = Volatile.Read(ref highest)) < now && Interlocked.CompareExchange(ref highest, now, seen) != seen)
                {
                }

                budget.Release(bytes);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        await Task.WhenAll(workers).Within(TestTimeouts.Long);

        highest.ShouldBeLessThanOrEqualTo(40 * 1024);
        refused.ShouldBeGreaterThan(0, "the readers did contend for the budget");
        budget.InFlight.ShouldBe(0);
    }

    [Fact]
    public void RefusalsAreWarnedOfOncePerTenSecondsWithHowManyThereWere()
    {
        var budget = Budget(1000);
        for (var i = 0; i < 5; i++)
        {
            budget.TryReserve(1001).ShouldBeFalse();
        }

        _clock.Advance(TimeSpan.FromSeconds(10));
        budget.TryReserve(2000).ShouldBeFalse();

        var warnings = _logs.Entries.Where(e => e.EventId == LogEventIds.Http + 60).ToList();
        warnings.Count.ShouldBe(2);
        warnings.ShouldAllBe(w => w.Level == LogLevel.Warning);
        warnings[0].Message.ShouldStartWith("1 requests were refused");
        warnings[1].Message.ShouldStartWith("5 requests were refused", customMessage: "the four refusals since the first warning, and this one");
        warnings[1].Message.ShouldContain("Switchboard:Http:MaxInFlightBodyBytes");
    }
}
