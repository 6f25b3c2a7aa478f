using Shouldly;
using Switchboard.Core.Alerts;
using Switchboard.Core.Sessions;
using Switchboard.Server.Alerts;
using Switchboard.Testing;

namespace Switchboard.Server.Tests.Alerts;

public sealed class AlertDeadlinesTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A pass reads the clock, evaluates, then arms the timer for the next moment a rule could hold. When the clock moved
    /// while the pass ran (a busy machine, or a test's clock advanced meanwhile), the timer must still be due at that
    /// moment: counted from the pass's stale reading it came late by the time the pass took, and with a test's manual
    /// clock never (a waiting alert was then not raised at all in a CI run).
    /// </summary>
    [Fact]
    public async Task ATimerArmedAfterTheClockMovedDuringThePassIsDueAtItsMomentNotLater()
    {
        var time = new ManualTimeProvider(Start);
        var ticks = 0;
        await using var deadlines = new AlertDeadlines(
            time.CreateTimer(_ => Interlocked.Increment(ref ticks), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan), time);
        var sessions = new ObservedSessions();
        sessions.Reset([new Session { Id = "asker", State = SessionState.Waiting, UpdatedAt = Start }]);
        var rule = new AlertRule { Id = "wait", Name = "wait", Condition = AlertCondition.Waiting, Seconds = 60 };

        time.Advance(TimeSpan.FromSeconds(61)); // the clock moves on while a pass that read it at 59 s runs
        deadlines.Arm(Start.AddSeconds(59), full: true, DateTimeOffset.MaxValue, [rule], sessions);
        deadlines.ArmedFor.ShouldBe(Start.AddSeconds(60));

        time.Advance(TimeSpan.Zero); // fires whatever is due by now: the 60 s moment has passed
        ticks.ShouldBe(1);
    }
}
