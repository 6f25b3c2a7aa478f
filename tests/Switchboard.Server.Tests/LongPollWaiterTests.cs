using Switchboard.Server.Outbound;
using Switchboard.Server.Transports.LongPoll;

namespace Switchboard.Server.Tests;

/// <summary>A long-poll GET never sleeps while its queue holds frames (issue 30: a client went deaf for 8.2 s).</summary>
public sealed class LongPollWaiterTests
{
    /// <summary>Far longer than any test runs: a poll that returns did so because it was woken, not because its window ended.</summary>
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    /// <summary>How long a woken poll may take to answer on a loaded machine before the test calls it lost.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private sealed class Client : ISendQueueConsumer
    {
        public Client(int maxFrames = 100_000)
        {
            Queue = new SendQueue(this, maxFrames, 1L << 30);
            Waiter = new LongPollWaiter(Queue);
        }

        public SendQueue Queue { get; }

        public LongPollWaiter Waiter { get; }

        public void OnFramesAvailable() => Waiter.Wake();

        public void OnOverflow() => throw new InvalidOperationException("the queue overflowed");

        public void OnReset(string reason) => throw new InvalidOperationException("the queue was reset");
    }

    private static OutboundFrame Event(long seq) =>
        FrameEncoder.Broadcast("sessions", "session_updated", System.Text.Encoding.UTF8.GetBytes($"{{\"seq\":{seq}}}"), seq);

    [Fact]
    public async Task AFrameOfferedBetweenTheLastEmptyDrainAndTheWaitWakesThePoll()
    {
        var client = new Client();
        var offered = 0;
        client.Waiter.AfterEmptyDrain = () =>
        {
            // Exactly the lost window: the drain has just cleared the queue's signal, the poll is not waiting yet.
            if (Interlocked.Exchange(ref offered, 1) == 0)
            {
                client.Queue.Enqueue(Event(1)).ShouldBeTrue();
            }
        };

        var poll = client.Waiter.PollAsync(Window, CancellationToken.None);
        var frames = await poll.WaitAsync(Patience);

        offered.ShouldBe(1, "the seam ran");
        frames.Select(f => f.Seq).ShouldBe([1L]);

        // The signal is not stuck: the next frame wakes the next poll too.
        client.Waiter.AfterEmptyDrain = null;
        var next = client.Waiter.PollAsync(Window, CancellationToken.None);
        client.Queue.Enqueue(Event(2)).ShouldBeTrue();
        (await next.WaitAsync(Patience)).Select(f => f.Seq).ShouldBe([2L]);
    }

    [Fact]
    public async Task ANewerPollAnswersTheOlderOneAndStillGetsTheNextFrame()
    {
        var client = new Client();
        var older = client.Waiter.PollAsync(Window, CancellationToken.None);
        var newer = client.Waiter.PollAsync(Window, CancellationToken.None);
        (await older.WaitAsync(Patience)).ShouldBeEmpty("superseded by the newer poll");

        client.Queue.Enqueue(Event(1)).ShouldBeTrue();
        (await newer.WaitAsync(Patience)).Select(f => f.Seq).ShouldBe([1L]);
    }

    [Fact]
    public async Task ClosingAnswersTheWaitingPollAndEveryLaterOne()
    {
        var client = new Client();
        var waiting = client.Waiter.PollAsync(Window, CancellationToken.None);
        client.Waiter.Close();
        (await waiting.WaitAsync(Patience)).ShouldBeEmpty();
        (await client.Waiter.PollAsync(Window, CancellationToken.None).WaitAsync(Patience)).ShouldBeEmpty();
    }

    [Fact]
    public async Task ManyClientsPollingInTightLoopsWhileWritesRunNeverWaitWithFramesQueued()
    {
        const int clients = 16;
        const int framesPerClient = 3_000;
        var all = Enumerable.Range(0, clients).Select(_ => new Client()).ToArray();
        var received = new int[clients];

        var pollers = all.Select((client, i) => Task.Run(async () =>
        {
            long last = 0;
            while (received[i] < framesPerClient)
            {
                // Each poll's window is far beyond the test: only a wake-up ends a poll that found nothing.
                foreach (var frame in await client.Waiter.PollAsync(Window, CancellationToken.None))
                {
                    frame.Seq.ShouldBe(last + 1, $"client {i} got its frames in order, none lost");
                    last = frame.Seq;
                    Volatile.Write(ref received[i], received[i] + 1);
                }
            }
        })).ToArray();

        // Two writers, each offering every other frame to every client in turn, so offers race the polls' drains.
        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(() =>
        {
            for (var seq = 1; seq <= framesPerClient; seq++)
            {
                for (var i = w; i < clients; i += 2)
                {
                    all[i].Queue.Enqueue(Event(seq)).ShouldBeTrue();
                }

                if (seq % 64 == 0)
                {
                    Thread.Yield();
                }
            }
        })).ToArray();

        await Task.WhenAll(writers).WaitAsync(Patience);
        var done = Task.WhenAll(pollers);
        if (await Task.WhenAny(done, Task.Delay(Patience)) != done)
        {
            var deaf = Enumerable.Range(0, clients)
                .Where(i => Volatile.Read(ref received[i]) < framesPerClient)
                .Select(i => $"client {i}: received {Volatile.Read(ref received[i])}, queue holds {all[i].Queue.Count}");
            throw new ShouldAssertException("polls waited while their queues held frames: " + string.Join("; ", deaf));
        }

        await done;
        all.ShouldAllBe(c => c.Queue.Count == 0);
    }
}
