using Switchboard.Live.Fanout;
using Switchboard.Outbound;
using Switchboard.Testing;

namespace Switchboard.Server.Tests;

/// <summary>When the live loop's fan-out pauses: only when most deliveries go to queues that are behind while still draining.</summary>
public sealed class FanoutPacerTests
{
    private sealed class Consumer : ISendQueueConsumer
    {
        public void OnFramesAvailable()
        {
        }

        public void OnOverflow()
        {
        }

        public void OnReset(string reason)
        {
        }
    }

    private readonly ManualTimeProvider _clock = new();

    private SendQueue Queue() => new(new Consumer(), 1600, 1 << 30, _clock);

    private static OutboundFrame Frame(long seq) => FrameEncoder.Broadcast("sessions", "session_updated", "{}"u8.ToArray(), seq);

    /// <summary>Fills a queue past its backlog mark (a sixteenth of its 1,600-frame cap).</summary>
    private static EnqueueResult Fill(SendQueue queue, int frames)
    {
        var result = EnqueueResult.Queued;
        for (var i = 1; i <= frames; i++)
        {
            result = queue.Offer(Frame(i), wakeLater: null);
        }

        return result;
    }

    [Fact]
    public void AQueuePastItsBacklogMarkThatStillDrainsReportsBacklogged()
    {
        var queue = Queue();
        Fill(queue, 100).ShouldBe(EnqueueResult.Queued, "100 frames is under the mark of 100");
        queue.Offer(Frame(101), null).ShouldBe(EnqueueResult.Backlogged);
        queue.IsBackloggedAndDraining().ShouldBeTrue();
        queue.Drain(new OutboundFrame[64]).ShouldBe(64);
        queue.IsBackloggedAndDraining().ShouldBeFalse("37 frames left is under the mark");
    }

    [Fact]
    public void AQueueThatStoppedDrainingNoLongerCountsAsBacklogged()
    {
        var queue = Queue();
        Fill(queue, 200).ShouldBe(EnqueueResult.Backlogged);
        _clock.Advance(TimeSpan.FromMilliseconds(SendQueue.StallMilliseconds - 1));
        queue.IsBackloggedAndDraining().ShouldBeTrue("within the stall window it still counts as draining");
        _clock.Advance(TimeSpan.FromMilliseconds(2));
        queue.Offer(Frame(201), null).ShouldBe(EnqueueResult.Queued, "nothing drained for the stall window: the consumer stopped reading");
        queue.IsBackloggedAndDraining().ShouldBeFalse();
    }

    [Fact]
    public void TheFanOutPausesWhenMostDeliveriesGoToBackloggedQueuesAndResumesOnceHalfHaveDrained()
    {
        var pacer = new FanoutPacer(_clock);
        var queues = Enumerable.Range(0, 4).Select(_ => Queue()).ToList();
        foreach (var q in queues.Take(3))
        {
            pacer.Record(Fill(q, 200), q);
        }

        pacer.Record(Fill(queues[3], 10), queues[3]);
        pacer.EndChunk().ShouldBeTrue("three of four deliveries went to queues that are behind");
        pacer.TryResume().ShouldBeFalse();

        queues[0].Drain(new OutboundFrame[200]);
        pacer.TryResume().ShouldBeFalse("two of the three are still behind");
        queues[1].Drain(new OutboundFrame[200]);
        pacer.TryResume().ShouldBeTrue("two of three drained");
        pacer.IsPaused.ShouldBeFalse();
        pacer.Pauses.ShouldBe(1);
    }

    [Fact]
    public void APauseIsTimedOnTheInjectedClockAndEndsWhenTheStuckQueuesStopCounting()
    {
        var pacer = new FanoutPacer(_clock);
        var queues = Enumerable.Range(0, 2).Select(_ => Queue()).ToList();
        foreach (var q in queues)
        {
            pacer.Record(Fill(q, 200), q);
        }

        pacer.EndChunk().ShouldBeTrue();
        _clock.Advance(TimeSpan.FromMilliseconds(400));
        pacer.TryResume().ShouldBeFalse("both queues are behind and were drained recently");

        // Nobody drains for the stall window: these consumers stopped reading, and stuck connections never hold the fan-out.
        _clock.Advance(TimeSpan.FromMilliseconds(SendQueue.StallMilliseconds));
        pacer.TryResume().ShouldBeTrue();
        pacer.PausedMilliseconds.ShouldBe(400 + SendQueue.StallMilliseconds);
    }

    [Fact]
    public void AMinorityOfBackloggedQueuesNeverPausesTheFanOut()
    {
        var pacer = new FanoutPacer(_clock);
        var slow = Queue();
        pacer.Record(Fill(slow, 200), slow);
        foreach (var q in Enumerable.Range(0, 3).Select(_ => Queue()))
        {
            pacer.Record(Fill(q, 1), q);
        }

        pacer.EndChunk().ShouldBeFalse("one slow connection of four is its own problem: it meets its cap");
        pacer.Pauses.ShouldBe(0);
    }

    [Fact]
    public async Task AResetDropsWhatWasPendingAndTellsTheConsumerAfterwards()
    {
        var reset = new TaskCompletionSource<string>();
        var queue = new SendQueue(new ResetConsumer(reset), 100, 1 << 20);
        Fill(queue, 10);
        queue.Reset("rebuilt");
        queue.Count.ShouldBe(0);
        (await reset.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken)).ShouldBe("rebuilt");
    }

    private sealed class ResetConsumer(TaskCompletionSource<string> reset) : ISendQueueConsumer
    {
        public void OnFramesAvailable()
        {
        }

        public void OnOverflow()
        {
        }

        public void OnReset(string reason) => reset.TrySetResult(reason);
    }
}
