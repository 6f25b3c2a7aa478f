using Switchboard.Core.Writes;

namespace Switchboard.Server.Otlp;

/// <summary>What the receivers observed, merged per session until the loop takes it; and the timer's one queued tick.</summary>
internal sealed partial class QuietMonitor
{
    /// <summary>
    /// What a request's writes left each session at. Never blocks: merged with what was observed since the loop last
    /// looked (per session the newest version, heard from at the latest time), and the loop is woken when it had nothing.
    /// </summary>
    /// <param name="resumes">The results are of hook events that say the agent goes on: an end its hooks said before is called off.</param>
    public void Observed(IReadOnlyList<WriteResult> results, DateTimeOffset at, bool resumes = false)
    {
        bool wake;
        lock (_seen)
        {
            wake = _seen.Count == 0;
            foreach (var r in results)
            {
                if (r.Error is null && r.Session is { } s && (!_seen.TryGetValue(s.Id, out var prior) || prior.Version <= s.Version))
                {
                    _seen[s.Id] = new Track(prior is not null && prior.LastSeen > at ? prior.LastSeen : at, s.Version, s.State, s.AcceptsCommands, resumes ? Ending.None : prior?.End);
                }
            }

            wake &= _seen.Count > 0;
        }

        if (wake)
        {
            _inbox.Writer.TryWrite(Seen.Instance);
        }
    }

    /// <summary>
    /// <paramref name="session"/>'s hooks said it ended: terminate it with <paramref name="reason"/> at <paramref name="at"/>,
    /// so the telemetry an agent exports as it exits (after its <c>SessionEnd</c>) still counts. Never blocks.
    /// </summary>
    public void Ends(Switchboard.Core.Sessions.Session session, DateTimeOffset seen, DateTimeOffset at, string reason)
    {
        bool wake;
        lock (_seen)
        {
            wake = _seen.Count == 0;
            var prior = _seen.GetValueOrDefault(session.Id);
            _seen[session.Id] = prior is not null && prior.Version > session.Version
                ? prior with { End = new Ending(at, reason) }
                : new Track(prior is not null && prior.LastSeen > seen ? prior.LastSeen : seen, session.Version, session.State, session.AcceptsCommands, new Ending(at, reason));
        }

        if (wake)
        {
            _inbox.Writer.TryWrite(Seen.Instance);
        }
    }

    /// <summary>Sessions observed and not yet taken by the loop (at most one entry each).</summary>
    internal int PendingObservations
    {
        get
        {
            lock (_seen)
            {
                return _seen.Count;
            }
        }
    }

    /// <summary>Messages waiting in the loop's inbox.</summary>
    internal int InboxDepth => _inbox.Reader.Count;

    /// <summary>The timer fired: one tick waits in the inbox at a time, however long a pass takes.</summary>
    private void TickOnce()
    {
        if (Interlocked.Exchange(ref _tickQueued, 1) == 0)
        {
            _inbox.Writer.TryWrite(Tick.Instance);
        }
    }

    private void TakeSeen()
    {
        List<KeyValuePair<string, Track>> seen;
        lock (_seen)
        {
            if (_seen.Count == 0)
            {
                return;
            }

            seen = [.. _seen];
            _seen.Clear();
        }

        foreach (var (id, track) in seen)
        {
            Remember(id, track.LastSeen, track.Version, track.State, track.Hooked, track.End);
        }
    }
}
