namespace Switchboard.Server.Commands;

/// <summary>
/// One long-poll's wait for the command events of its session. <see cref="Rearm"/> before each read of the store, then
/// <see cref="WaitAsync"/>: an event applied after the rearm completes the wait, even one that came before the wait began.
/// Disposing it unregisters it from <see cref="CommandWatch"/>.
/// </summary>
internal sealed class CommandWaiter(CommandWatch watch, string sessionId, string scope, TimeProvider time) : IDisposable
{
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;
    private int _waiting;

    public string SessionId { get; } = sessionId;

    /// <summary>The share of the node's waiters it holds (<see cref="WaiterShares.ScopeOf"/>).</summary>
    public string Scope { get; } = scope;

    /// <summary>True while <see cref="WaitAsync"/> waits, its timeout armed on the injected clock.</summary>
    public bool IsWaiting => Volatile.Read(ref _waiting) == 1;

    /// <summary>Starts a new wait: events from now on complete it.</summary>
    public void Rearm()
    {
        var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _signal, fresh);
    }

    /// <summary>True when a command event of the session was applied since <see cref="Rearm"/>; false when <paramref name="timeout"/> passed first.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var wait = Volatile.Read(ref _signal).Task.WaitAsync(timeout, time, cancellationToken);
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

    /// <summary>Called by the watch (never on the live loop): completes the current wait.</summary>
    internal void Signal() => Volatile.Read(ref _signal).TrySetResult();

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            watch.Remove(this);
        }
    }
}
