using Switchboard.Server.Outbound;

namespace Switchboard.Server.Transports.LongPoll;

/// <summary>
/// The GET side of a long-poll session: drains its <see cref="SendQueue"/>, or waits for the queue's wake-up.
/// <para>
/// The waiter is registered <em>before</em> the drain that may find the queue empty. That drain clears the queue's
/// signal, so the next frame calls <see cref="Wake"/> exactly once, and that call must find the waiter: registered
/// after the drain, a frame offered in between would wake nobody, and every later frame would see the signal still
/// set and wake nobody either (the poll slept out its window while its queue filled up to the cap).
/// </para>
/// </summary>
internal sealed class LongPollWaiter(SendQueue queue)
{
    private readonly object _lock = new();
    private TaskCompletionSource? _waiter;
    private bool _closed;

    /// <summary>
    /// Test seam: runs after a poll's drain found the queue empty and before the poll waits, the window where a
    /// frame's wake-up was once lost.
    /// </summary>
    internal Action? AfterEmptyDrain { get; set; }

    /// <summary>Waits up to <paramref name="window"/> for frames, then takes everything queued (possibly nothing).</summary>
    public async Task<List<OutboundFrame>> PollAsync(TimeSpan window, CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_lock)
        {
            // A newer poll supersedes an older one, which then answers with what it has (nothing).
            _waiter?.TrySetResult();
            _waiter = waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_closed)
            {
                waiter.TrySetResult();
            }
        }

        try
        {
            var frames = DrainAll();
            if (frames.Count > 0)
            {
                return frames;
            }

            AfterEmptyDrain?.Invoke();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(window);
            try
            {
                await waiter.Task.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
        }
        finally
        {
            lock (_lock)
            {
                if (_waiter == waiter)
                {
                    _waiter = null;
                }
            }
        }

        return cancellationToken.IsCancellationRequested ? [] : DrainAll();
    }

    /// <summary>The queue has frames and nobody is draining it (<see cref="ISendQueueConsumer.OnFramesAvailable"/>).</summary>
    public void Wake()
    {
        lock (_lock)
        {
            _waiter?.TrySetResult();
        }
    }

    /// <summary>The session ended: the waiting poll (and any later one) answers at once.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            _waiter?.TrySetResult();
        }
    }

    private List<OutboundFrame> DrainAll()
    {
        var all = new List<OutboundFrame>();
        var batch = new OutboundFrame[64];
        int n;
        while ((n = queue.Drain(batch)) > 0)
        {
            for (var i = 0; i < n; i++)
            {
                if (batch[i].Kind != FrameKind.Close)
                {
                    all.Add(batch[i]);
                }
            }
        }

        return all;
    }
}
