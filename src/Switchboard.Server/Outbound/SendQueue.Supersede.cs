
namespace Switchboard.Server.Outbound;

/// <summary>
/// Superseding, for a client that has fallen behind: a pending summary is replaced by a newer one for the same topic
/// (always), and a pending usage-only update by a newer one with the same key (topic, session, fields) once a quarter
/// of the cap waits. The older frame's slot becomes a hole that draining skips; when holes dominate the ring is
/// compacted. Everything here runs under the queue's lock.
/// </summary>
internal sealed partial class SendQueue
{
    private PendingFrame _summary0;
    private PendingFrame _summary1;
    // The latest pending usage update per key: one slot for the usual single session, a map only for a lagging client.
    private PendingFrame _usage;
    private Dictionary<string, long>? _moreUsage;

    /// <summary>A quarter of the cap waiting: far more than a burst or a resume's catch-up leaves for a client keeping up.</summary>
    private bool IsBehind() => Waiting >= _maxFrames / 4 || _bytes >= _maxBytes / 4;

    /// <summary>Before <paramref name="frame"/> is appended: drops the pending frame it supersedes, if any.</summary>
    private void DropSupersededBy(OutboundFrame frame)
    {
        if (frame.Kind == FrameKind.Replaceable)
        {
            ReplacePendingSummary(frame.ConflationKey);
        }
        else if (frame.ConflationKey is { } usageKey && IsBehind())
        {
            ReplacePendingUsage(usageKey);
        }
    }

    /// <summary>Nothing is pending any more: the usage trackers point at written frames only.</summary>
    private void ForgetUsage()
    {
        _usage = default;
        _moreUsage?.Clear();
    }

    /// <summary>Remembers where a frame that a newer one may supersede waits.</summary>
    private void Track(OutboundFrame frame, long position)
    {
        if (frame.Kind == FrameKind.Replaceable)
        {
            // Two slots cover the usual case (the sessions and summary topics); a third topic just isn't conflated.
            if (_summary0.Key is null || _summary0.Key == frame.ConflationKey)
            {
                _summary0 = new PendingFrame(frame.ConflationKey, position);
            }
            else
            {
                _summary1 = new PendingFrame(frame.ConflationKey, position);
            }
        }
        else if (frame.ConflationKey is { } usageKey && IsBehind())
        {
            RememberUsage(usageKey, position);
        }
    }

    private void RememberUsage(string key, long position)
    {
        var oldest = _tail - _count;
        if (_usage.Key is null || _usage.Key == key || _usage.Position < oldest)
        {
            _usage = new PendingFrame(key, position);
            return;
        }

        _moreUsage ??= new Dictionary<string, long>(StringComparer.Ordinal);
        if (_moreUsage.Count > 2 * _count + 16)
        {
            // Drop entries for frames already written, so the map stays bounded by what is pending.
            foreach (var (k, p) in _moreUsage)
            {
                if (p < oldest)
                {
                    _moreUsage.Remove(k);
                }
            }
        }

        _moreUsage[key] = position;
    }

    private void ReplacePendingUsage(string key)
    {
        long position;
        if (_usage.Key == key)
        {
            position = _usage.Position;
            _usage = default;
        }
        else if (_moreUsage is null || !_moreUsage.Remove(key, out position))
        {
            return;
        }

        DropPending(position, key);
    }

    private void ReplacePendingSummary(string? key)
    {
        ref var slot = ref _summary0.Key == key ? ref _summary0 : ref _summary1;
        if (slot.Key != key || key is null)
        {
            return;
        }

        var position = slot.Position;
        slot = default;
        DropPending(position, key);
    }

    /// <summary>Removes the frame at absolute <paramref name="position"/> if it is still pending and carries <paramref name="key"/>.</summary>
    private void DropPending(long position, string key)
    {
        var oldest = _tail - _count;
        if (position < oldest)
        {
            return; // already written
        }

        var index = (_head + (int)(position - oldest)) & (_ring.Length - 1);
        if (_ring[index] is { } stale && stale.ConflationKey == key)
        {
            _bytes -= stale.Size;
            _ring[index] = null;
            _holes++;
            OutboundCounters.Conflated();
            if (_holes > 64 && _holes * 2 > _count)
            {
                Compact();
            }
        }
    }

    /// <summary>
    /// Closes the holes superseded frames left, so a client that stays behind while updates keep superseding each other
    /// holds a ring no bigger than what it really waits for. Positions are renumbered, so the trackers are rebuilt.
    /// </summary>
    private void Compact()
    {
        var live = 0;
        var ring = new OutboundFrame?[_ring.Length];
        var queuedAt = new long[_ring.Length];
        for (var i = 0; i < _count; i++)
        {
            var from = (_head + i) & (_ring.Length - 1);
            if (_ring[from] is { } frame)
            {
                queuedAt[live] = _queuedAt[from];
                ring[live++] = frame;
            }
        }

        _ring = ring;
        _queuedAt = queuedAt;
        _head = 0;
        _count = live;
        _holes = 0;
        _summary0 = _summary1 = _usage = default;
        _moreUsage?.Clear();
        var oldest = _tail - _count;
        for (var i = 0; i < live; i++)
        {
            Track(ring[i]!, oldest + i);
        }
    }

    private record struct PendingFrame(string? Key, long Position);
}
