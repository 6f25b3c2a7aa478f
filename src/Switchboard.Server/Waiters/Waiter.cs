namespace Switchboard.Server.Waiters;

/// <summary>
/// One request's wait for news of its key. <see cref="Rearm"/> before each read of the store, then
/// <see cref="WaitAsync(TimeSpan, CancellationToken)"/>: news after the rearm completes the wait, even news that came
/// before the wait began. Disposing it gives its place in the <see cref="WaiterSet{TKey, TNews}"/> back.
/// </summary>
internal sealed class Waiter<TKey>(Action<Waiter<TKey>> release, TKey key, string share, TimeProvider time) : IDisposable
    where TKey : notnull
{
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;
    private int _waiting;

    public TKey Key { get; } = key;

    /// <summary>The share of the set's waiters it holds (<see cref="WaiterShares.ScopeOf"/>).</summary>
    public string Share { get; } = share;

    /// <summary>True while a wait is armed on the injected clock (a test on a manual clock must not move it sooner).</summary>
    public bool IsWaiting => Volatile.Read(ref _waiting) == 1;

    /// <summary>Starts a new wait: news from now on completes it.</summary>
    public void Rearm() => Volatile.Write(ref _signal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>True when news came since <see cref="Rearm"/> (or the node is stopping); false when <paramref name="timeout"/> passed first.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitForAsync(Volatile.Read(ref _signal).Task, timeout, cancellationToken);

    /// <summary>
    /// As <see cref="WaitAsync(TimeSpan, CancellationToken)"/>, also ending when <paramref name="other"/> completes (a topic
    /// read waits for the event log to move, and for its set only to learn that the node stops).
    /// </summary>
    public Task<bool> WaitAsync(Task other, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitForAsync(Task.WhenAny(Volatile.Read(ref _signal).Task, other), timeout, cancellationToken);

    private async Task<bool> WaitForAsync(Task signal, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            return signal.IsCompleted;
        }

        // The timer is armed before IsWaiting says so: a test that sees it may move the clock.
        var wait = signal.WaitAsync(timeout, time, cancellationToken);
        Volatile.Write(ref _waiting, 1);
        try
        {
            await wait.ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            Volatile.Write(ref _waiting, 0);
        }
    }

    /// <summary>Called by the set, outside its lock: completes the current wait.</summary>
    internal void Signal() => Volatile.Read(ref _signal).TrySetResult();

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            release(this);
        }
    }
}
