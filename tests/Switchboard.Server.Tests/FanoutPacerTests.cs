using Switchboard.Server.Live.Fanout;
using Switchboard.Server.Outbound;
using Switchboard.Testing;

namespace Switchboard.Server.Tests;

/// <summary>
/// When the live loop's fan-out pauses: only when most deliveries go to queues that are behind while still draining. A
/// queue is behind when its oldest frame has waited past the backlog mark (<see cref="SendQueue.BacklogMilliseconds"/>),
/// however many frames that is: on the manual clock.
/// </summary>
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

    /// <summary>Queues <paramref name="frames"/> frames now; returns what the last one reported.</summary>
    private static EnqueueResult Fill(SendQueue queue, int frames)
    {
        var result = EnqueueResult.Queued;
        for (var i = 1; i <= frames; i++)
        {
            result = queue.Offer(Frame(i), wakeLater: null);
        }

        return result;
    }

    /// <summary>Queues frames that have then waited past the backlog mark (the consumer drained just before).</summary>
    private EnqueueResult FillBehind(SendQueue queue, int frames)
    {
        Fill(queue, frames);
        _clock.Advance(TimeSpan.FromMilliseconds(SendQueue.BacklogMilliseconds + 1));
        return queue.Offer(Frame(frames + 1), wakeLater: null);
    }

    [Fact]
    public void AQueueWhoseOldestFrameWaitedPastTheMarkWhileItStillDrainsReportsBacklogged()
    {
        var queue = Queue();
        Fill(queue, 1000).ShouldBe(EnqueueResult.Queued, "a thousand fresh frames are no backlog: a fast reader takes them in one write");
        _clock.Advance(TimeSpan.FromMilliseconds(SendQueue.BacklogMilliseconds));
        queue.Offer(Frame(1001), null).ShouldBe(EnqueueResult.Queued, "at the mark, not past it");
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        queue.Offer(Frame(1002), null).ShouldBe(EnqueueResult.Backlogged);
        queue.IsBackloggedAndDraining().ShouldBeTrue();

        queue.Drain(new OutboundFrame[1000]).ShouldBe(1000);
        queue.IsBackloggedAndDraining().ShouldBeFalse("the two frames left were queued a moment ago");
    }

    [Fact]
    public void TwoFramesThatWaitedLongAreABacklog()
    {
        var slow = Queue();
        Fill(slow, 2);
        _clock.Advance(TimeSpan.FromMilliseconds(SendQueue.BacklogMilliseconds * 10));
        slow.Offer(Frame(3), null).ShouldBe(EnqueueResult.Backlogged, "its oldest frame has waited ten times the mark: a slow reader, however few frames");
        slow.IsBackloggedAndDraining().ShouldBeTrue();
    }

    [Fact]
    public void AQueueThatStoppedDrainingNoLongerCountsAsBacklogged()
    {
        var queue = Queue();
        FillBehind(queue, 200).ShouldBe(EnqueueResult.Backlogged);
        _clock.Advance(TimeSpan.FromMilliseconds(SendQueue.StallMilliseconds - SendQueue.BacklogMilliseconds - 2));
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
            Fill(q, 200);
        }

        _clock.Advance(TimeSpan.FromMilliseconds(SendQueue.BacklogMilliseconds + 1));
        foreach (var q in queues.Take(3))
        {
            pacer.Record(q.Offer(Frame(201), null), q);
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
            Fill(q, 200);
        }

        _clock.Advance(TimeSpan.FromMilliseconds(SendQueue.BacklogMilliseconds + 1));
        foreach (var q in queues)
        {
            pacer.Record(q.Offer(Frame(201), null), q);
        }

        pacer.EndChunk().ShouldBeTrue();
        _clock.Advance(TimeSpan.FromMilliseconds(400));
        pacer.TryResume().ShouldBeFalse("both queues are behind and were drained recently");

        // Nobody drains for the stall window: these consumers stopped reading, and stuck connections never hold the fan-out.
        _clock.Advance(TimeSpan.FromMilliseconds(SendQueue.StallMilliseconds - 400 - SendQueue.BacklogMilliseconds));
        pacer.TryResume().ShouldBeTrue();
        pacer.PausedMilliseconds.ShouldBe(SendQueue.StallMilliseconds - SendQueue.BacklogMilliseconds);
    }

    [Fact]
    public void AMinorityOfBackloggedQueuesNeverPausesTheFanOut()
    {
        var pacer = new FanoutPacer(_clock);
        var slow = Queue();
        pacer.Record(FillBehind(slow, 200), slow);
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
