using Switchboard.Server.Options;

namespace Switchboard.Server.Live;

/// <summary>
/// Decides when <c>summary</c> goes out: on join (see <see cref="LiveHub"/>), within the coalescing window after a
/// change, at the periodic interval while sessions are active, and never while idle except the summary that reports the
/// drop to zero. It keeps no timer and takes no lock: the live loop asks it after each pass and at the due time it names.
/// </summary>
internal sealed class SummaryScheduler(SocketOptions options)
{
    private readonly TimeSpan _window = options.SummaryCoalesceWindow;
    private readonly TimeSpan _interval = options.SummaryInterval;
    private DateTimeOffset _lastSent = DateTimeOffset.MinValue;
    private FleetTotals? _lastValues;
    private bool _dirty;

    /// <summary>Summaries sent since start.</summary>
    public long Sent { get; private set; }

    /// <summary>Something was applied; the summary may have changed.</summary>
    public void MarkChanged() => _dirty = true;

    /// <summary>
    /// The summary to broadcast now, or null; <paramref name="due"/> is when to ask again (null: only after a change).
    /// </summary>
    public FleetSummary? Poll(SessionProjection projection, DateTimeOffset now, out TimeSpan? due)
    {
        FleetSummary? send = null;
        if (_dirty && now - _lastSent >= _window)
        {
            send = Publish(projection, now, periodic: false);
        }
        else if (!_dirty && projection.ActiveCount > 0 && now - _lastSent >= _interval)
        {
            send = Publish(projection, now, periodic: true);
        }

        due = _dirty ? Positive(_lastSent + _window - now)
            : projection.ActiveCount > 0 ? Positive(_lastSent + _interval - now)
            : null;
        return send;
    }

    private FleetSummary? Publish(SessionProjection projection, DateTimeOffset now, bool periodic)
    {
        var summary = projection.BuildFleetSummary(now);
        _dirty = false;
        if (!periodic && summary.Values == _lastValues)
        {
            return null; // nothing a summary shows has changed
        }

        _lastValues = summary.Values;
        _lastSent = now;
        Sent++;
        return summary;
    }

    private static TimeSpan Positive(TimeSpan t) => t < TimeSpan.Zero ? TimeSpan.Zero : t;
}
