namespace Switchboard.Server.Live;

/// <summary>
/// What the live loop publishes for the rest of the server: its position in the log, a generation that moves whenever
/// it applied events or rebuilt its state, its health, its counters and when it last made progress. Written on the loop
/// only; read by anyone, without a lock.
/// </summary>
internal sealed class LivePublished(TimeProvider time)
{
    private long _headSeq;
    private string _epoch = "";
    private long _generation;
    private long _lastProgress = time.GetTimestamp();
    private TaskCompletionSource? _advanced;
    private volatile LiveHealth _health = LiveHealth.Starting;
    private volatile LiveStats _stats = new(0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>The log position the loop has applied and fanned out.</summary>
    public long HeadSeq => Volatile.Read(ref _headSeq);

    /// <summary>The log's epoch; fixed for the life of the database.</summary>
    public string Epoch => Volatile.Read(ref _epoch);

    /// <summary>Changes each time the loop applied new events or rebuilt its state.</summary>
    public long Generation => Volatile.Read(ref _generation);

    /// <summary>When the loop last made progress (dispatched, or had nothing to dispatch), as a <see cref="TimeProvider.GetTimestamp"/>.</summary>
    public long LastProgress => Volatile.Read(ref _lastProgress);

    public LiveHealth Health
    {
        get => _health;
        set => _health = value;
    }

    public LiveStats Stats
    {
        get => _stats;
        set => _stats = value;
    }

    /// <summary>
    /// Raised on the loop after each event is fanned out, with the number of subscribers it went to and the time since the
    /// store handed it over. For metrics only: the one handler records into <c>System.Diagnostics.Metrics</c> instruments,
    /// whose exporter records lock-free (a <c>/metrics</c> scrape never holds anything the loop waits for).
    /// </summary>
    public event Action<int, TimeSpan>? EventDispatched;

    /// <summary>Completes once <see cref="Generation"/> is no longer <paramref name="seen"/> (at once if it already moved).</summary>
    public Task WhenAdvancedAsync(long seen)
    {
        var signal = Volatile.Read(ref _advanced);
        if (signal is null)
        {
            var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            signal = Interlocked.CompareExchange(ref _advanced, fresh, null) ?? fresh;
        }

        // Read after the signal: the loop moves the generation before it completes and drops the signal.
        return Generation != seen ? Task.CompletedTask : signal.Task;
    }

    /// <summary>On the loop: publishes the projection's position, and moves the generation when it changed.</summary>
    public void Position(SessionProjection projection)
    {
        var moved = Volatile.Read(ref _headSeq) != projection.HeadSeq;
        Volatile.Write(ref _headSeq, projection.HeadSeq);
        Volatile.Write(ref _epoch, projection.Epoch);
        if (moved)
        {
            Advance();
        }
    }

    /// <summary>On the loop: moves <see cref="Generation"/>, then wakes whoever waits for it (their continuations run off the loop).</summary>
    public void Advance()
    {
        Interlocked.Increment(ref _generation);
        Interlocked.Exchange(ref _advanced, null)?.TrySetResult();
    }

    /// <summary>On the loop: progress was made now.</summary>
    public void Progressed() => Volatile.Write(ref _lastProgress, time.GetTimestamp());

    /// <summary>On the loop: one event went to <paramref name="subscribers"/>, <paramref name="lag"/> after the store handed it over.</summary>
    public void Dispatched(int subscribers, TimeSpan lag) => EventDispatched?.Invoke(subscribers, lag);
}
