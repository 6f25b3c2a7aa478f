using System.Text.Json;
using Switchboard.Core.Events;
using Switchboard.Core.Sessions;
using Switchboard.Core.UsageRollups;
using Switchboard.Server.Live.Usage;
using Switchboard.Server.Outbound;

namespace Switchboard.Server.Live;

/// <summary>
/// The <c>usage</c> topic: each applied event's rollup increments go to the subscriptions whose series they touch, and
/// are pushed at most once a second (so each bucket at most once a second), as one <c>usage</c> message per subscription
/// with the seqs it covers. Nothing is computed while no one follows the topic. Owned by the <see cref="UsageHandler"/>;
/// the fan-out reports each applied event to it.
/// </summary>
internal sealed class UsageFanout(IReadOnlyList<string> groupBy)
{
    /// <summary>The shortest time between two pushes.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Increments a joining subscription may hold per frame its queue may hold: one per event it follows, so seconds of
    /// a busy fleet while its series is read (a few bytes each).
    /// </summary>
    private const int HeldPerQueueFrame = 16;

    private readonly UsageTracker _tracker = new(groupBy);
    private readonly List<Subscription> _dirty = [];
    private DateTimeOffset _pushedAt = DateTimeOffset.MinValue;

    /// <summary>Updates pushed since start.</summary>
    public long Pushed { get; private set; }

    /// <summary>Before an event is applied: start counting when the first subscriber arrived, stop after the last left.</summary>
    public void BeforeApply(TopicRegistry topics, SessionProjection projection)
    {
        if (topics.Usage.Count == 0)
        {
            if (_tracker.IsTracking)
            {
                Reset();
            }
        }
        else if (!_tracker.IsTracking)
        {
            _tracker.Start(projection.ActiveSessions);
        }
    }

    /// <summary>After an event is applied: its increments, to every subscription that follows the rows.</summary>
    public void AfterApply(EventRecord e, Session? before, Session? after, long activeAfter, List<Subscription> subscribers)
    {
        if (!_tracker.IsTracking)
        {
            return;
        }

        var rows = _tracker.Rollup(e, before, after, activeAfter);
        if (rows.Count == 0)
        {
            return;
        }

        foreach (var sub in subscribers)
        {
            var watch = sub.Usage!;
            if (watch.Overflowed)
            {
                continue;
            }

            foreach (var (key, delta) in rows)
            {
                if (watch.Wants(key) && watch.Add(e.Seq, key, delta, sub.Queue.MaxFrames * HeldPerQueueFrame))
                {
                    _dirty.Add(sub);
                }
            }

            if (watch.Overflowed)
            {
                // The store read of its join took so long that this many events came meanwhile: cut it off; it rejoins.
                sub.Queue.Overflow();
            }
        }
    }

    /// <summary>A subscription's join was answered at <paramref name="asOfSeq"/>; what it holds after that is pushed next.</summary>
    public void GoLive(Subscription sub, long asOfSeq)
    {
        if (sub.Usage!.GoLive(asOfSeq))
        {
            _dirty.Add(sub);
        }
    }

    /// <summary>
    /// Pushes what is pending when a second has passed since the last push; otherwise returns how long until one may go
    /// (null when nothing is pending).
    /// </summary>
    public TimeSpan? Push(DateTimeOffset now, long headSeq, string epoch, List<SendQueue> wake)
    {
        if (_dirty.Count == 0)
        {
            return null;
        }

        var wait = _pushedAt + Interval - now;
        if (wait > TimeSpan.Zero)
        {
            return wait > Interval ? Interval : wait; // a clock that went back waits at most one interval
        }

        _pushedAt = now;
        foreach (var sub in _dirty)
        {
            if (sub.IsRemoved || sub.IsPending)
            {
                continue;
            }

            var watch = sub.Usage!;
            var rows = watch.Take(headSeq, out var fromSeq, out var seq);
            sub.Deliver(FrameEncoder.Push(sub.JoinRef, null, TopicRoute.UsageTopic, TopicRoute.UsageTopic,
                w => WriteUpdate(w, watch.Query, fromSeq, seq, epoch, rows)), wake);
            Pushed++;
        }

        _dirty.Clear();
        return null;
    }

    /// <summary>Every subscription is gone (the loop recovered): forget the counts and what was pending.</summary>
    public void Reset()
    {
        _tracker.Stop();
        _dirty.Clear();
    }

    private static void WriteUpdate(Utf8JsonWriter w, UsageQuery query, long fromSeq, long seq, string epoch, List<UsageRow> rows)
    {
        w.WriteStartObject();
        w.WriteNumber("from_seq", fromSeq);
        w.WriteNumber("seq", seq);
        w.WriteString("epoch", epoch);
        w.WriteString("bucket", query.Bucket.ToWire());
        w.WriteString("group_by", query.GroupKey is null ? "all" : "label:" + query.GroupKey);
        UsageJson.WriteSeries(w, query.GroupKey, rows);
        w.WriteEndObject();
    }
}
