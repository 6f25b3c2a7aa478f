using Switchboard.Server.Live.Fanout;
using Switchboard.Server.Outbound;

namespace Switchboard.Server.Tests;

public sealed class SendQueueTests
{
    private sealed class Consumer : ISendQueueConsumer
    {
        public int Signals { get; private set; }

        private int _overflows;

        public int Overflows => Volatile.Read(ref _overflows);

        /// <summary>Set by the test once the enqueue that overflowed has returned.</summary>
        public ManualResetEventSlim EnqueueReturned { get; } = new();

        /// <summary>Whether the overflow callback ran only after the enqueue returned (never on the enqueuer's stack).</summary>
        public bool OverflowRanAfterEnqueue { get; private set; }

        public void OnFramesAvailable() => Signals++;

        public void OnOverflow()
        {
            OverflowRanAfterEnqueue = EnqueueReturned.Wait(TimeSpan.FromSeconds(5));
            Interlocked.Increment(ref _overflows);
        }

        public void OnReset(string reason) => Resets++;

        public int Resets { get; private set; }
    }

    private static OutboundFrame Event(long seq) => FrameEncoder.Broadcast("sessions", "session_updated", "{\"seq\":1}"u8.ToArray(), seq);

    private static OutboundFrame Usage(long seq, string key) =>
        FrameEncoder.Broadcast("sessions", "session_updated", System.Text.Encoding.UTF8.GetBytes($"{{\"seq\":{seq}}}"), seq, key);

    private static OutboundFrame Summary(string topic, int n) => FrameEncoder.Broadcast(topic, "summary", System.Text.Encoding.UTF8.GetBytes($"{{\"n\":{n}}}"), 0);

    private static List<OutboundFrame> DrainAll(SendQueue q)
    {
        var all = new List<OutboundFrame>();
        var batch = new OutboundFrame[4];
        int n;
        while ((n = q.Drain(batch)) > 0)
        {
            all.AddRange(batch.Take(n));
        }

        return all;
    }

    [Fact]
    public void ADeferredWakeUpListsTheQueueOnceAndSignalsOnlyWhenWoken()
    {
        var consumer = new Consumer();
        var q = new SendQueue(consumer, 100, 1 << 20);
        var wake = new List<SendQueue>();
        for (var i = 1; i <= 5; i++)
        {
            q.Enqueue(Event(i), wake).ShouldBeTrue();
        }

        wake.ShouldBe([q], "listed once, however many frames were queued");
        consumer.Signals.ShouldBe(0, "nobody is woken before the broadcaster is done");
        q.Enqueue(Event(6)).ShouldBeTrue();
        consumer.Signals.ShouldBe(0, "an immediate enqueue rides on the pending wake-up");

        q.Wake();
        consumer.Signals.ShouldBe(1);
        DrainAll(q).Select(f => f.Seq).ShouldBe(Enumerable.Range(1, 6).Select(i => (long)i));
        q.Enqueue(Event(7), wake).ShouldBeTrue();
        wake.Count.ShouldBe(2, "after a drain found the queue empty, the next frame needs a wake-up again");
    }

    [Fact]
    public void FramesComeOutInOrderAndTheConsumerIsSignalledOncePerDrainCycle()
    {
        var consumer = new Consumer();
        var q = new SendQueue(consumer, 100, 1 << 20);
        for (var i = 1; i <= 10; i++)
        {
            q.Enqueue(Event(i)).ShouldBeTrue();
        }

        consumer.Signals.ShouldBe(1);
        DrainAll(q).Select(f => f.Seq).ShouldBe(Enumerable.Range(1, 10).Select(i => (long)i));
        q.Enqueue(Event(11));
        consumer.Signals.ShouldBe(2);
    }

    [Fact]
    public void APendingSummaryIsReplacedByTheNewerOneForTheSameTopicButEventsAreKept()
    {
        var q = new SendQueue(new Consumer(), 100, 1 << 20);
        q.Enqueue(Event(1));
        q.Enqueue(Summary("sessions", 1));
        q.Enqueue(Event(2));
        q.Enqueue(Summary("summary", 1));
        q.Enqueue(Summary("sessions", 2));
        q.Enqueue(Summary("summary", 2));

        var texts = DrainAll(q).Select(f => System.Text.Encoding.UTF8.GetString(f.Text.Span)).ToList();
        texts.ShouldBe(
        [
            """[null,null,"sessions","session_updated",{"seq":1}]""",
            """[null,null,"sessions","session_updated",{"seq":1}]""",
            """[null,null,"sessions","summary",{"n":2}]""",
            """[null,null,"summary","summary",{"n":2}]""",
        ]);
    }

    [Fact]
    public void BehindAPendingUsageUpdateIsReplacedByTheNewerOneWithTheSameKeyAndEverythingElseIsKept()
    {
        var q = new SendQueue(new Consumer(), 16, 1 << 20);
        var conflated = Switchboard.Server.Outbound.OutboundCounters.Conflations;
        for (var i = -3; i <= 0; i++)
        {
            q.Enqueue(Event(100 + i)); // a quarter of the cap: behind
        }

        q.Enqueue(Usage(1, "sessions|a|1"));
        q.Enqueue(Usage(2, "sessions|a|3"));  // other fields: kept
        q.Enqueue(Usage(3, "sessions|b|1"));  // other session: kept
        q.Enqueue(Event(4));                  // a lifecycle or other change: never dropped
        q.Enqueue(Usage(5, "sessions|a|1"));  // supersedes 1
        q.Enqueue(Usage(6, "sessions|b|1"));  // supersedes 3 (found in the map, not the single slot)
        q.Enqueue(Usage(7, "sessions|a|1"));  // supersedes 5

        DrainAll(q).Select(f => f.Seq).ShouldBe([97L, 98, 99, 100, 2, 4, 6, 7]);
        (Switchboard.Server.Outbound.OutboundCounters.Conflations - conflated).ShouldBeGreaterThanOrEqualTo(3);
    }

    [Fact]
    public void AClientThatStaysBehindWhileUpdatesSupersedeEachOtherIsNeitherCutOffNorLosesTrackOfWhatWaits()
    {
        var consumer = new Consumer();
        var q = new SendQueue(consumer, 16, 1 << 20);
        for (var i = 1; i <= 4; i++)
        {
            q.Enqueue(Event(i));
        }

        q.Enqueue(Summary("sessions", 1));
        for (var i = 5; i < 1005; i++)
        {
            q.Enqueue(Usage(i, "sessions|a|1")).ShouldBeTrue(); // each supersedes the last: the holes are compacted away
            q.Enqueue(Usage(10_000 + i, "sessions|b|1")).ShouldBeTrue();
        }

        q.Count.ShouldBe(7, "4 events, a summary, the newest usage of a and of b");
        q.Slots.ShouldBeLessThanOrEqualTo(256, "2,000 superseded frames left no trail of slots");
        q.Enqueue(Summary("sessions", 2));
        q.Enqueue(Usage(2000, "sessions|a|1"));
        consumer.Overflows.ShouldBe(0);

        var drained = DrainAll(q);
        drained.Select(f => f.Seq).ShouldBe([1L, 2, 3, 4, 11_004, 0, 2000], "the trackers survived the compactions");
        System.Text.Encoding.UTF8.GetString(drained[5].Text.Span).ShouldContain("\"n\":2");
    }

    [Fact]
    public void AClientKeepingUpGetsEveryUsageUpdate()
    {
        var q = new SendQueue(new Consumer(), 16, 1 << 20);
        q.Enqueue(Usage(1, "sessions|a|1"));
        q.Enqueue(Usage(2, "sessions|a|1"));
        q.Enqueue(Usage(3, "sessions|a|1"));
        DrainAll(q).Select(f => f.Seq).ShouldBe([1L, 2, 3], "three frames waiting is not behind");
    }

    [Fact]
    public void AUsageUpdateIsOnlyConflatedWhileTheOlderOneIsStillPending()
    {
        var q = new SendQueue(new Consumer(), 16, 1 << 20);
        for (var i = 1; i <= 4; i++)
        {
            q.Enqueue(Event(i));
        }

        q.Enqueue(Usage(5, "sessions|a|1"));
        DrainAll(q).Select(f => f.Seq).ShouldBe([1L, 2, 3, 4, 5]);
        for (var i = 6; i <= 9; i++)
        {
            q.Enqueue(Event(i));
        }

        q.Enqueue(Usage(10, "sessions|a|1"));
        DrainAll(q).Select(f => f.Seq).ShouldBe([6L, 7, 8, 9, 10], "5 was written already, so 10 replaces nothing");
    }

    [Fact]
    public void ASummaryAlreadyDrainedIsNotTouched()
    {
        var q = new SendQueue(new Consumer(), 100, 1 << 20);
        q.Enqueue(Summary("summary", 1));
        DrainAll(q).Count.ShouldBe(1);
        q.Enqueue(Summary("summary", 2));
        DrainAll(q).Count.ShouldBe(1);
    }

    [Fact]
    public void PassingTheFrameCapOverflowsOnceAndRefusesFurtherFrames()
    {
        var consumer = new Consumer();
        var q = new SendQueue(consumer, 5, 1 << 20);
        for (var i = 1; i <= 5; i++)
        {
            q.Enqueue(Event(i)).ShouldBeTrue();
        }

        q.Enqueue(Event(6)).ShouldBeFalse();
        consumer.EnqueueReturned.Set();
        q.Enqueue(Event(7)).ShouldBeFalse();
        SpinWait.SpinUntil(() => consumer.Overflows > 0, TimeSpan.FromSeconds(10)).ShouldBeTrue();
        consumer.OverflowRanAfterEnqueue.ShouldBeTrue("the consumer is told on the thread pool, never on the enqueuer's stack (which may be the live loop)");
        Thread.Sleep(50);
        consumer.Overflows.ShouldBe(1);
    }

    [Fact]
    public void PassingTheByteCapOverflows()
    {
        var consumer = new Consumer();
        var frame = Event(1);
        var q = new SendQueue(consumer, 1000, frame.Size * 3);
        for (var i = 0; i < 3; i++)
        {
            q.Enqueue(Event(i + 1)).ShouldBeTrue();
        }

        q.Enqueue(Event(4)).ShouldBeFalse();
        consumer.EnqueueReturned.Set();
        SpinWait.SpinUntil(() => consumer.Overflows > 0, TimeSpan.FromSeconds(10)).ShouldBeTrue();
        q.PeakBytes.ShouldBe(frame.Size * 3);
    }

    [Fact]
    public async Task WaitForSpaceCompletesOnceADrainBringsTheQueueToHalf()
    {
        var q = new SendQueue(new Consumer(), 8, 1 << 20);
        for (var i = 1; i <= 6; i++)
        {
            q.Enqueue(Event(i));
        }

        var wait = q.WaitForSpaceAsync(CancellationToken.None);
        wait.IsCompleted.ShouldBeFalse();
        q.Drain(new OutboundFrame[1]);
        wait.IsCompleted.ShouldBeFalse();
        q.Drain(new OutboundFrame[1]);
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void ACompletedQueueAcceptsNothing()
    {
        var q = new SendQueue(new Consumer(), 10, 1 << 20);
        q.Enqueue(Event(1));
        q.Complete();
        q.Enqueue(Event(2)).ShouldBeFalse();
        q.Drain(new OutboundFrame[4]).ShouldBe(0);
    }
}
