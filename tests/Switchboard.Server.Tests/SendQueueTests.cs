using Switchboard.Fanout;

namespace Switchboard.Server.Tests;

public sealed class SendQueueTests
{
    private sealed class Consumer : ISendQueueConsumer
    {
        public int Signals { get; private set; }

        public int Overflows { get; private set; }

        public void OnFramesAvailable() => Signals++;

        public void OnOverflow() => Overflows++;
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
    public void APendingUsageUpdateIsReplacedByTheNewerOneWithTheSameKeyAndEverythingElseIsKept()
    {
        var q = new SendQueue(new Consumer(), 100, 1 << 20);
        var conflated = Metrics.FanoutCounters.Conflations;
        q.Enqueue(Usage(1, "sessions|a|1"));
        q.Enqueue(Usage(2, "sessions|a|3"));  // other fields: kept
        q.Enqueue(Usage(3, "sessions|b|1"));  // other session: kept
        q.Enqueue(Event(4));                  // a lifecycle or other change: never dropped
        q.Enqueue(Usage(5, "sessions|a|1"));  // supersedes 1
        q.Enqueue(Usage(6, "sessions|b|1"));  // supersedes 3 (found in the map, not the single slot)
        q.Enqueue(Usage(7, "sessions|a|1"));  // supersedes 5

        DrainAll(q).Select(f => f.Seq).ShouldBe([2L, 4, 6, 7]);
        (Metrics.FanoutCounters.Conflations - conflated).ShouldBeGreaterThanOrEqualTo(3);
    }

    [Fact]
    public void AUsageUpdateIsOnlyConflatedWhileTheOlderOneIsStillPending()
    {
        var q = new SendQueue(new Consumer(), 100, 1 << 20);
        q.Enqueue(Usage(1, "sessions|a|1"));
        DrainAll(q).Select(f => f.Seq).ShouldBe([1L]);
        q.Enqueue(Usage(2, "sessions|a|1"));
        q.Enqueue(Usage(3, "sessions|b|1"));
        DrainAll(q).Select(f => f.Seq).ShouldBe([2L, 3], "nothing was pending when 2 arrived; 3 is another session");
        q.Enqueue(Event(4));
        q.Enqueue(Usage(5, "sessions|a|1"));
        DrainAll(q).Select(f => f.Seq).ShouldBe([4L, 5], "2 was written already, so 5 replaces nothing");
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
        q.Enqueue(Event(7)).ShouldBeFalse();
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
        consumer.Overflows.ShouldBe(1);
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
