using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Live;
using Switchboard.Options;
using Switchboard.Testing;

namespace Switchboard.Server.Tests;

/// <summary>Admission control on a manual clock: writers wait while the fan-out is too far behind in age or in number.</summary>
public sealed class AdmissionGateTests
{
    private readonly ManualTimeProvider _clock = new();

    private AdmissionGate Gate(int maxPending = 100) =>
        new(new StreamOptions { MaxFanoutLag = TimeSpan.FromMilliseconds(250), MaxPendingEvents = maxPending }, _clock, NullLogger.Instance);

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
}
