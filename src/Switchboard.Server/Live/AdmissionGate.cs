using Microsoft.Extensions.Logging;
using Switchboard.Options;

namespace Switchboard.Live;

/// <summary>
/// The node's admission control: committed events handed to the live loop and not yet fanned out are bounded in number
/// (<see cref="StreamOptions.MaxPendingEvents"/>) and in age (<see cref="StreamOptions.MaxFanoutLag"/>: writers wait
/// until the oldest is back under half of it). Writers wait in <see cref="WaitForRoomAsync"/>; the loop reports what it
/// handed over, took and how old its oldest waiting event is. Ages are read on the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed class AdmissionGate(StreamOptions options, TimeProvider time, ILogger logger)
{
    private readonly object _roomLock = new();
    private TaskCompletionSource? _room;
    private long _pending;
    private volatile bool _lagging;

    /// <summary>Committed events not yet fanned out.</summary>
    public long Pending => Volatile.Read(ref _pending);

    /// <summary>True while the oldest waiting event is too old (until it is back under half the limit).</summary>
    public bool IsLagging => _lagging;

    private bool HasRoom => Volatile.Read(ref _pending) < options.MaxPendingEvents && !_lagging;

    /// <summary>The feed handed <paramref name="count"/> events to the loop (or, negative, took them back).</summary>
    public void Handed(int count) => Interlocked.Add(ref _pending, count);

    /// <summary>The loop fanned out <paramref name="count"/> events.</summary>
    public void Taken(int count) => Interlocked.Add(ref _pending, -count);

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
    /// which the oldest waiting event was handed over, or null when none waits. Wakes the writers when there is room.
    /// </summary>
    public void Evaluate(long? oldestHandedAt)
    {
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
