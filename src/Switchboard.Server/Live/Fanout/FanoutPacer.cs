using Switchboard.Server.Outbound;

namespace Switchboard.Server.Live.Fanout;

/// <summary>
/// Decides when the live loop's fan-out must wait for the connections to drain. After each chunk of events it looks at
/// where the deliveries went: when most went to queues that are backlogged but still draining, the node is producing
/// faster than it can write, so the fan-out pauses (and, through the inbox, the writers) until at least half of those
/// queues have drained below their backlog mark. A few slow or stuck connections never pause it: a stuck queue stops
/// counting once it has not drained for <see cref="SendQueue.StallMilliseconds"/>, and a minority meets its own cap.
/// Owned by the live loop.
/// </summary>
internal sealed class FanoutPacer(TimeProvider time)
{
    private readonly HashSet<SendQueue> _backlogged = new(ReferenceEqualityComparer.Instance);
    private int _deliveries;
    private int _backloggedDeliveries;
    private long _pausedSince;

    public bool IsPaused { get; private set; }

    /// <summary>How many times the fan-out paused, and for how long in all (milliseconds), since start.</summary>
    public long Pauses { get; private set; }

    public long PausedMilliseconds { get; private set; }

    /// <summary>Counts one delivery of an event frame.</summary>
    public void Record(EnqueueResult result, SendQueue queue)
    {
        _deliveries++;
        if (result == EnqueueResult.Backlogged)
        {
            _backloggedDeliveries++;
            _backlogged.Add(queue);
        }
    }

    /// <summary>Ends a chunk of events; returns true when the fan-out must now pause.</summary>
    public bool EndChunk()
    {
        if (_backloggedDeliveries * 2 > _deliveries)
        {
            IsPaused = true;
            Pauses++;
            _pausedSince = time.GetTimestamp();
        }
        else
        {
            _backlogged.Clear();
        }

        _deliveries = 0;
        _backloggedDeliveries = 0;
        return IsPaused;
    }

    /// <summary>While paused: resumes once at most half of the backlogged queues still are. Returns true when running.</summary>
    public bool TryResume()
    {
        if (!IsPaused)
        {
            return true;
        }

        var still = 0;
        foreach (var queue in _backlogged)
        {
            if (queue.IsBackloggedAndDraining())
            {
                still++;
            }
        }

        if (still * 2 > _backlogged.Count)
        {
            return false;
        }

        Resume();
        return true;
    }

    /// <summary>Forgets every queue (the subscriptions were all reset).</summary>
    public void Resume()
    {
        if (IsPaused)
        {
            PausedMilliseconds += (long)time.GetElapsedTime(_pausedSince).TotalMilliseconds;
        }

        IsPaused = false;
        _backlogged.Clear();
    }
}
