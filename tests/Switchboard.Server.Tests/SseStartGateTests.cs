using Switchboard.Server.Transports.Sse;

namespace Switchboard.Server.Tests;

/// <summary>An SSE stream's first frames, signalled while its join is still answering, are never left undrained.</summary>
public sealed class SseStartGateTests
{
    [Fact]
    public void FramesSignalledBeforeOpeningAreDrainedByOpen()
    {
        var gate = new SseStartGate();
        gate.FramesAvailable().ShouldBeFalse("the join has not answered");
        gate.IsOpen.ShouldBeFalse();
        gate.Open().ShouldBeTrue("the waiting frames are drained now");
        gate.IsOpen.ShouldBeTrue();
        gate.FramesAvailable().ShouldBeTrue("once open, every signal drains at once");
    }

    [Fact]
    public void OpeningWithNothingSignalledDrainsNothing() => new SseStartGate().Open().ShouldBeFalse();

    [Fact]
    public void AFrameSignalRacingTheOpenIsDrainedExactlyOnce()
    {
        // Both sides run at once, many times: exactly one of them must start the drain (none = a deaf stream).
        const int rounds = 20_000;
        var gates = Enumerable.Range(0, rounds).Select(_ => new SseStartGate()).ToArray();
        var bySignal = new bool[rounds];
        using var start = new Barrier(2);
        var signaller = new Thread(() =>
        {
            for (var round = 0; round < rounds; round++)
            {
                start.SignalAndWait();
                bySignal[round] = gates[round].FramesAvailable();
            }
        });
        signaller.Start();
        var byOpen = new bool[rounds];
        for (var round = 0; round < rounds; round++)
        {
            start.SignalAndWait();
            byOpen[round] = gates[round].Open();
        }

        signaller.Join();
        for (var round = 0; round < rounds; round++)
        {
            (bySignal[round] ^ byOpen[round]).ShouldBeTrue($"round {round}: drained by the signal {bySignal[round]}, by the open {byOpen[round]}");
        }
    }
}
