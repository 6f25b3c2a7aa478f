using Microsoft.Extensions.Logging;
using Switchboard.Server.Options;

namespace Switchboard.Server.Live;

/// <summary>
/// The node's admission control: committed events handed to the live loop and not yet fanned out are bounded in number
/// (<see cref="SocketOptions.MaxPendingEvents"/>) and in age (<see cref="SocketOptions.MaxFanoutLag"/>: writers wait
/// until the oldest is back under half of it), and writers wait while the fan-out is paused because the subscribers'
/// connections are behind (<see cref="Switchboard.Server.Live.Fanout.FanoutPacer"/>): what they would commit meanwhile could only wait, and
/// waiting before the commit costs no memory and ends in a clean 503 if it lasts.
/// <para>
/// The age limit reacts once an event has waited too long. So that it is rarely reached, writers also wait while the
/// events already waiting would take the fan-out longer than a fifth of <see cref="SocketOptions.MaxFanoutLag"/> at its
/// recent pace (<see cref="Measured"/>: its time per event, which grows with the subscribers an event goes to): under
/// overload what an event waits before it is even queued stays a small part of the limit, instead of the limit itself.
/// Once there is room, the writer takes only what still fits that budget (<see cref="Room"/>): otherwise every writer
/// that queued while the gate was shut would commit at once, and the burst would wait in the loop's backlog.
/// </para>
/// <para>
/// Committed writes can also wait for their fan-out before they are answered (<see cref="WhenFannedOutAsync"/>, see
/// <see cref="SocketOptions.FanoutAnswerWait"/>): the loop reports its position after every pass (<see cref="FannedOut"/>).
/// </para>
/// <para>
/// Writers wait in <see cref="WaitForRoomAsync"/>; the loop reports what it handed over, took and how long that took,
/// how old its oldest waiting event is and whether its fan-out is paused. Ages are read on the injected
/// <see cref="TimeProvider"/>.
/// </para>
/// </summary>
internal sealed class AdmissionGate(SocketOptions options, TimeProvider time, ILogger logger)
{
    private readonly object _roomLock = new();
    private TaskCompletionSource? _room;
    private long _pending;
    private volatile bool _lagging;
    private volatile bool _paused;
    private long _costTicks; // the fan-out's recent time per event (TimeSpan ticks, a moving average), written by the loop
    private readonly long _budgetTicks = options.MaxFanoutLag.Ticks / 5;
    private readonly PriorityQueue<TaskCompletionSource, long> _fanoutWaiters = new();
    private long _fannedOut;

    /// <summary>Committed events not yet fanned out.</summary>
    public long Pending => Volatile.Read(ref _pending);

    /// <summary>True while the oldest waiting event is too old (until it is back under half the limit).</summary>
    public bool IsLagging => _lagging;

    /// <summary>How long the events waiting now would take to fan out at the recent pace.</summary>
    public TimeSpan ExpectedWork => TimeSpan.FromTicks(Volatile.Read(ref _pending) * Volatile.Read(ref _costTicks));

    private bool HasRoom
    {
        get
        {
            var pending = Volatile.Read(ref _pending);
            return pending < options.MaxPendingEvents && !_lagging && !_paused && pending * Volatile.Read(ref _costTicks) <= _budgetTicks;
        }
    }

    /// <summary>How many more events fit the budget at the recent pace (at least 1; unbounded before the first measure).</summary>
    public int Room
    {
        get
        {
            var cost = Volatile.Read(ref _costTicks);
            if (cost <= 0)
            {
                return int.MaxValue;
            }

            var left = _budgetTicks - Volatile.Read(ref _pending) * cost;
            return left <= cost ? 1 : (int)Math.Min(int.MaxValue, left / cost);
        }
    }

    /// <summary>The feed handed <paramref name="count"/> events to the loop (or, negative, took them back).</summary>
    public void Handed(int count) => Interlocked.Add(ref _pending, count);

    /// <summary>The loop fanned out <paramref name="count"/> events.</summary>
    public void Taken(int count) => Interlocked.Add(ref _pending, -count);

    /// <summary>On the loop: fanning out <paramref name="events"/> events took <paramref name="took"/> (a moving average of the last few chunks).</summary>
    public void Measured(int events, TimeSpan took)
    {
        if (events <= 0)
        {
            return;
        }

        var perEvent = took.Ticks / events;
        var cost = Volatile.Read(ref _costTicks);
        Volatile.Write(ref _costTicks, cost == 0 ? perEvent : cost + (perEvent - cost) / 4);
    }

    /// <summary>Completes once the loop has fanned out the log up to <paramref name="seq"/>.</summary>
    public Task WhenFannedOutAsync(long seq)
    {
        if (Volatile.Read(ref _fannedOut) >= seq)
        {
            return Task.CompletedTask;
        }

        lock (_roomLock)
        {
            if (_fannedOut >= seq)
            {
                return Task.CompletedTask;
            }

            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _fanoutWaiters.Enqueue(waiter, seq);
            return waiter.Task;
        }
    }

    /// <summary>On the loop after each pass: the log is fanned out up to <paramref name="head"/>.</summary>
    public void FannedOut(long head)
    {
        if (head <= Volatile.Read(ref _fannedOut))
        {
            return;
        }

        List<TaskCompletionSource>? done = null;
        lock (_roomLock)
        {
            Volatile.Write(ref _fannedOut, head);
            while (_fanoutWaiters.TryPeek(out var waiter, out var seq) && seq <= head)
            {
                _fanoutWaiters.Dequeue();
                (done ??= []).Add(waiter);
            }
        }

        if (done is not null)
        {
            foreach (var waiter in done)
            {
                waiter.TrySetResult();
            }
        }
    }

    /// <summary>Completes once a writer may commit.</summary>
    public ValueTask WaitForRoomAsync(CancellationToken cancellationToken)
    {
        if (HasRoom)
        {
            return ValueTask.CompletedTask;
        }

        lock (_roomLock)
        {
            if (HasRoom)
            {
                return ValueTask.CompletedTask;
            }

            _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return new ValueTask(_room.Task.WaitAsync(cancellationToken));
        }
    }

    /// <summary>
    /// On the loop after each pass: <paramref name="oldestHandedAt"/> is the <see cref="TimeProvider.GetTimestamp"/> at
    /// which the oldest waiting event was handed over, or null when none waits; <paramref name="fanoutPaused"/> whether
    /// the pacer holds the fan-out. Wakes the writers when there is room.
    /// </summary>
    public void Evaluate(long? oldestHandedAt, bool fanoutPaused = false)
    {
        _paused = fanoutPaused;
        var lag = oldestHandedAt is { } at ? time.GetElapsedTime(at) : TimeSpan.Zero;
        if (_lagging)
        {
            if (lag <= options.MaxFanoutLag / 2)
            {
                _lagging = false;
                LiveLog.WritesResumed(logger, Pending);
            }
        }
        else if (lag > options.MaxFanoutLag)
        {
            _lagging = true;
            LiveLog.WritesThrottled(logger, (long)lag.TotalMilliseconds, Pending);
        }

        if (!HasRoom)
        {
            return;
        }

        TaskCompletionSource? room;
        lock (_roomLock)
        {
            room = _room;
            _room = null;
        }

        room?.TrySetResult();
    }
}
