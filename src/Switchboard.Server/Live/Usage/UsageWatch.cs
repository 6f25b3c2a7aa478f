using Switchboard.Core.UsageRollups;

namespace Switchboard.Server.Live.Usage;

/// <summary>
/// One <c>usage</c> subscription's side of the live loop: which rollup rows it follows and the increments not pushed yet.
/// While its join is answered it holds each event's increments with their seq; going live at the reply's
/// <c>as_of_seq</c> keeps only those after it, so the reply and the updates together count every event once.
/// Owned by the live loop.
/// </summary>
internal sealed class UsageWatch
{
    private readonly HashSet<string>? _values;
    private List<(long Seq, UsageKey Key, UsageCounters Delta)>? _held = [];
    private Dictionary<UsageKey, UsageCounters> _pending = [];
    private long _skipThrough;

    public UsageWatch(UsageQuery query)
    {
        Query = query;
        _values = query.GroupValues is { } values ? new HashSet<string>(values, StringComparer.Ordinal) : null;
    }

    public UsageQuery Query { get; }

    /// <summary>The log position the client's rows count up to: the reply's <c>as_of_seq</c>, then each update's <c>seq</c>.</summary>
    public long SentSeq { get; private set; }

    public bool IsDirty => _pending.Count > 0;

    /// <summary>Set when more increments arrived while the join was answered than <see cref="Add"/> may hold.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>Whether a rollup row belongs to this subscription's series.</summary>
    public bool Wants(UsageKey key) =>
        key.Bucket == Query.Bucket && key.GroupKey == (Query.GroupKey ?? "") && key.Start >= Query.Since
        && (_values is null || _values.Contains(key.GroupValue));

    /// <summary>
    /// Adds one event's increment to a row; true when the subscription has something to push that it had not before.
    /// While the join is answered at most <paramref name="maxHeld"/> increments are held; past that the watch is
    /// <see cref="Overflowed"/> and holds nothing more (its connection is cut off and rejoins).
    /// </summary>
    public bool Add(long seq, UsageKey key, UsageCounters delta, int maxHeld)
    {
        if (Overflowed)
        {
            return false; // it can no longer continue from its reply: it only waits to be closed
        }

        if (_held is not null)
        {
            if (_held.Count >= maxHeld)
            {
                Overflowed = true;
                _held = null;
                return false;
            }

            _held.Add((seq, key, delta));
            return false;
        }

        if (seq <= _skipThrough)
        {
            return false; // already counted in the rows the reply was read with
        }

        var wasDirty = IsDirty;
        Merge(key, delta);
        return !wasDirty;
    }

    /// <summary>The reply counted the events up to <paramref name="asOfSeq"/>: keep only what came after; true when that is something.</summary>
    public bool GoLive(long asOfSeq)
    {
        if (Overflowed)
        {
            return false;
        }

        SentSeq = asOfSeq;
        _skipThrough = asOfSeq;
        foreach (var (seq, key, delta) in _held ?? [])
        {
            if (seq > asOfSeq)
            {
                Merge(key, delta);
            }
        }

        _held = null;
        return IsDirty;
    }

    /// <summary>Takes the increments to push, which count the events in (<paramref name="fromSeq"/>, <paramref name="throughSeq"/>].</summary>
    public List<UsageRow> Take(long headSeq, out long fromSeq, out long throughSeq)
    {
        fromSeq = SentSeq;
        // The loop has applied every event up to its head, and the store had counted up to as_of_seq; an update never goes back.
        throughSeq = Math.Max(headSeq, SentSeq);
        SentSeq = throughSeq;
        var rows = _pending.Select(kv => new UsageRow(kv.Key, kv.Value)).ToList();
        _pending = [];
        return rows;
    }

    private void Merge(UsageKey key, UsageCounters delta)
    {
        if (!_pending.TryGetValue(key, out var row))
        {
            _pending[key] = row = new UsageCounters();
        }

        row.Add(delta);
    }
}
