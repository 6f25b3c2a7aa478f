namespace Switchboard.Server.Streams;

/// <summary>
/// One live read's wait for its stream to move. <see cref="Rearm"/> before each read of the store, then
/// <see cref="WaitAsync"/>: an advance after the rearm completes the wait, even one that came before the wait began.
/// Disposing it unregisters it from <see cref="StreamWatch"/>.
/// </summary>
internal sealed class StreamWaiter(StreamWatch watch, long streamId, TimeProvider time) : IDisposable
{
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    public long StreamId { get; } = streamId;

    /// <summary>Starts a new wait: advances from now on complete it.</summary>
    public void Rearm() => Volatile.Write(ref _signal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>True when the stream moved since <see cref="Rearm"/> (or the node is stopping); false when <paramref name="timeout"/> passed first.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return Volatile.Read(ref _signal).Task.IsCompleted;
        }

        try
        {
            await Volatile.Read(ref _signal).Task.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// As <see cref="WaitAsync(TimeSpan, CancellationToken)"/>, also ending when <paramref name="other"/> completes (a topic
    /// read waits for the event log to move, and for the watch only to learn that the node stops).
    /// </summary>
    public async Task<bool> WaitAsync(Task other, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return other.IsCompleted || Volatile.Read(ref _signal).Task.IsCompleted;
        }

        try
        {
            await Task.WhenAny(Volatile.Read(ref _signal).Task, other).WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Called by the watch: completes the current wait.</summary>
    internal void Signal() => Volatile.Read(ref _signal).TrySetResult();

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            watch.Remove(this);
        }
    }
}
