using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Testing;

namespace Switchboard.Server.Tests;

/// <summary>Admission control on a manual clock: writers wait while the fan-out is too far behind in age or in number.</summary>
public sealed class AdmissionGateTests
{
    private readonly ManualTimeProvider _clock = new();

    private AdmissionGate Gate(int maxPending = 100) =>
        new(new SocketOptions { MaxFanoutLag = TimeSpan.FromMilliseconds(250), MaxPendingEvents = maxPending }, _clock, NullLogger.Instance);

    [Fact]
    public void WritersWaitOnceTheOldestEventIsTooOldAndGoOnOnceItIsBackUnderHalf()
    {
        var gate = Gate();
        var handedAt = _clock.GetTimestamp();
        gate.Handed(1);
        gate.Evaluate(handedAt);
        gate.WaitForRoomAsync(CancellationToken.None).IsCompleted.ShouldBeTrue("the event is fresh");

        _clock.Advance(TimeSpan.FromMilliseconds(251));
        gate.Evaluate(handedAt);
        gate.IsLagging.ShouldBeTrue();
        var waiting = gate.WaitForRoomAsync(CancellationToken.None).AsTask();
        waiting.IsCompleted.ShouldBeFalse();

        // The old event went out; the next one waiting is 200 ms old: still over half the limit.
        var next = _clock.GetTimestamp();
        _clock.Advance(TimeSpan.FromMilliseconds(200));
        gate.Evaluate(next);
        waiting.IsCompleted.ShouldBeFalse();

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        gate.Evaluate(_clock.GetTimestamp() - TimeSpan.FromMilliseconds(125).Ticks);
        gate.IsLagging.ShouldBeFalse();
        waiting.IsCompletedSuccessfully.ShouldBeTrue();
    }

    [Fact]
    public void WritersWaitWhileTooManyEventsWaitWhateverTheirAge()
    {
        var gate = Gate(maxPending: 2);
        gate.Handed(2);
        gate.Evaluate(_clock.GetTimestamp());
        var waiting = gate.WaitForRoomAsync(CancellationToken.None).AsTask();
        waiting.IsCompleted.ShouldBeFalse();

        gate.Taken(1);
        gate.Evaluate(_clock.GetTimestamp());
        waiting.IsCompletedSuccessfully.ShouldBeTrue();
        gate.Pending.ShouldBe(1);
    }

    [Fact]
    public void WritersWaitWhileTheFanOutIsPausedForConnectionsBehindAndGoOnWhenItResumes()
    {
        var gate = Gate();
        gate.Handed(1);
        gate.Evaluate(_clock.GetTimestamp(), fanoutPaused: true);
        var waiting = gate.WaitForRoomAsync(CancellationToken.None).AsTask();
        waiting.IsCompleted.ShouldBeFalse("the subscribers' connections are behind: what a writer commits now could only wait");
        gate.IsLagging.ShouldBeFalse("a young backlog: the wait is for the pause, not for the age limit");

        _clock.Advance(TimeSpan.FromMilliseconds(2));
        gate.Evaluate(_clock.GetTimestamp(), fanoutPaused: false);
        waiting.IsCompletedSuccessfully.ShouldBeTrue();
    }

    [Fact]
    public void WritersWaitWhileWhatWaitsWouldTakeTheFanOutLongerThanAFifthOfTheAgeLimit()
    {
        // 250 ms limit: the budget is 50 ms of fan-out work. The loop measured 1 ms per event (1,000 subscribers, say).
        var gate = Gate();
        gate.Measured(10, TimeSpan.FromMilliseconds(10));
        gate.Handed(50);
        gate.Evaluate(_clock.GetTimestamp());
        gate.ExpectedWork.ShouldBe(TimeSpan.FromMilliseconds(50));
        gate.WaitForRoomAsync(CancellationToken.None).IsCompleted.ShouldBeTrue("50 events are 50 ms of work: within the budget");

        gate.Handed(1);
        var waiting = gate.WaitForRoomAsync(CancellationToken.None).AsTask();
        waiting.IsCompleted.ShouldBeFalse("51 ms of work waits: a writer would only add to it");
        gate.IsLagging.ShouldBeFalse("nothing is old yet: the wait comes before the age limit");

        gate.Taken(1);
        gate.Evaluate(_clock.GetTimestamp());
        waiting.IsCompletedSuccessfully.ShouldBeTrue();
    }

    [Fact]
    public void TheFanOutsPaceIsAMovingAverageSoOneSlowChunkDoesNotStopTheWriters()
    {
        var gate = Gate();
        gate.Measured(100, TimeSpan.FromMilliseconds(10)); // 0.1 ms per event
        gate.Measured(1, TimeSpan.FromMilliseconds(4));     // one chunk of one event that took 4 ms (a pause of the process)
        gate.Handed(40);
        gate.ExpectedWork.ShouldBe(TimeSpan.FromTicks(40 * (1_000 + (40_000 - 1_000) / 4)), "a quarter of the way from 0.1 ms towards 4 ms per event");
        gate.WaitForRoomAsync(CancellationToken.None).IsCompleted.ShouldBeTrue("40 events at about 1.1 ms each is within 50 ms");
    }

    [Fact]
    public void RoomIsWhatStillFitsTheBudgetSoOpeningTheGateDoesNotLetEveryWaitingWriterIn()
    {
        var gate = Gate();
        gate.Room.ShouldBe(int.MaxValue, "nothing measured yet: no basis for a limit");

        gate.Measured(10, TimeSpan.FromMilliseconds(10)); // 1 ms per event: the 50 ms budget holds 50 events
        gate.Room.ShouldBe(50);
        gate.Handed(45);
        gate.Room.ShouldBe(5, "45 ms of work waits: 5 more events fit");
        gate.Handed(5);
        gate.Room.ShouldBe(1, "a full budget still lets one write through once there is room, so writes never stall");
        gate.Taken(30);
        gate.Room.ShouldBe(30);
    }

    [Fact]
    public async Task AWriterWaitingForItsFanOutIsReleasedOnceTheLoopHasFannedOutItsSeqAndNotBefore()
    {
        var gate = Gate();
        gate.FannedOut(10);
        gate.WhenFannedOutAsync(10).IsCompletedSuccessfully.ShouldBeTrue("already fanned out");

        var twelve = gate.WhenFannedOutAsync(12);
        var fifteen = gate.WhenFannedOutAsync(15);
        gate.FannedOut(11);
        twelve.IsCompleted.ShouldBeFalse();

        gate.FannedOut(13);
        await twelve.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        fifteen.IsCompleted.ShouldBeFalse("13 is before 15");

        gate.FannedOut(12); // a position never goes back
        gate.FannedOut(15);
        await fifteen.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
    }
}
