namespace Switchboard.Server.Waiters;

/// <summary>
/// Requests parked on a key until news of it is committed: the command long-polls and held hooks on a session, the live
/// reads of a durable stream. Bounded (<c>max</c>) and shared by scope (<see cref="WaiterShares"/>); woken by key by its
/// owner's feed, all at once on a resync, and for good when the node stops (new waiters are refused from then on). It
/// owns its waiters under its lock and signals them outside it; a signal's continuation runs asynchronously, so nothing
/// a waiter does runs on the caller of <see cref="Wake"/>. A full set or a scope over its share is reported once
/// (<see cref="WaiterLimits"/>) until the count drops by half or the scope holds none.
/// </summary>
/// <typeparam name="TKey">What a waiter waits on.</typeparam>
/// <typeparam name="TNews">What a wake-up says of its key; with <c>newer</c>, news no newer than the last wakes nobody.</typeparam>
internal sealed class WaiterSet<TKey, TNews>
    where TKey : notnull
    where TNews : struct
{
    private readonly TimeProvider _time;
    private readonly WaiterLimits _limits;
    private readonly Func<TNews, TNews, bool>? _newer;
    private readonly Lock _gate = new();
    private readonly Dictionary<TKey, Watched> _byKey; // under _gate
    private readonly WaiterShares _shares; // under _gate
    private readonly HashSet<string> _overShare = new(StringComparer.Ordinal); // under _gate: shares reported, until they hold none
    private bool _refusing; // under _gate: stopping, or Full reported until the count drops
    private bool _stopped; // under _gate

    /// <param name="newer">Whether news is newer than the last a key's waiters were woken by; null: all news is.</param>
    public WaiterSet(WaiterLimits limits, TimeProvider time, Func<TNews, TNews, bool>? newer = null, IEqualityComparer<TKey>? comparer = null)
    {
        _limits = limits;
        _time = time;
        _newer = newer;
        _byKey = new Dictionary<TKey, Watched>(comparer);
        _shares = new WaiterShares(limits.Max, limits.Fair);
    }

    /// <summary>Waiters held now, waiting or between their reads of the store (what the bound counts).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _shares.Total;
            }
        }
    }

    /// <summary>Waiters in a wait whose timeout is armed.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _byKey.Values.Sum(w => w.Waiters.Count(x => x.IsWaiting));
            }
        }
    }

    /// <summary>True once the node began to stop: waits end at once, and no new one is taken.</summary>
    public bool IsStopping
    {
        get
        {
            lock (_gate)
            {
                return _stopped;
            }
        }
    }

    /// <summary>A waiter on <paramref name="key"/> for <paramref name="share"/>, or null with why not.</summary>
    public Waiter<TKey>? TryWatch(TKey key, string share, out WaiterRefusal refusal)
    {
        var waiter = new Waiter<TKey>(Remove, key, share, _time);
        lock (_gate)
        {
            refusal = _stopped ? WaiterRefusal.Full : _shares.TryTake(share);
            if (refusal != WaiterRefusal.None)
            {
                if (!_stopped && refusal == WaiterRefusal.Full && !_refusing)
                {
                    _refusing = true;
                    _limits.Full();
                }
                else if (refusal == WaiterRefusal.OverShare && _overShare.Add(share))
                {
                    _limits.OverShare(share, _shares.HeldBy(share));
                }

                return null;
            }

            if (!_byKey.TryGetValue(key, out var watched))
            {
                watched = new Watched();
                _byKey[key] = watched;
            }

            watched.Waiters.Add(waiter);
        }

        return waiter;
    }

    /// <summary>Wakes the waiters of <paramref name="key"/>, unless <paramref name="news"/> is no newer than what last woke them.</summary>
    public void Wake(TKey key, TNews news) => Signal(Take([(key, news)]));

    /// <summary>As <see cref="Wake"/> for each key, signalling every waiter once the lock is let go.</summary>
    public void Wake(IEnumerable<(TKey Key, TNews News)> news) => Signal(Take(news));

    /// <summary>Wakes every waiter and forgets the news seen (a resync: anything may have gone by); <paramref name="stop"/> also refuses new ones from now on.</summary>
    public void WakeAll(bool stop)
    {
        Waiter<TKey>[] waiting;
        lock (_gate)
        {
            _stopped |= stop;
            waiting = [.. _byKey.Values.SelectMany(w => w.Waiters)];
            foreach (var watched in _byKey.Values)
            {
                watched.Last = null;
            }
        }

        Signal(waiting);
    }

    private List<Waiter<TKey>>? Take(IEnumerable<(TKey Key, TNews News)> news)
    {
        List<Waiter<TKey>>? woken = null;
        lock (_gate)
        {
            foreach (var (key, item) in news)
            {
                if (_byKey.TryGetValue(key, out var watched) && Moves(watched, item))
                {
                    (woken ??= []).AddRange(watched.Waiters);
                }
            }
        }

        return woken;
    }

    private bool Moves(Watched watched, TNews news)
    {
        if (_newer is null)
        {
            return true;
        }

        if (watched.Last is { } last && !_newer(news, last))
        {
            return false;
        }

        watched.Last = news;
        return true;
    }

    private static void Signal(IEnumerable<Waiter<TKey>>? waiters)
    {
        foreach (var waiter in waiters ?? [])
        {
            waiter.Signal();
        }
    }

    private void Remove(Waiter<TKey> waiter)
    {
        lock (_gate)
        {
            if (_byKey.TryGetValue(waiter.Key, out var watched) && watched.Waiters.Remove(waiter))
            {
                if (_shares.Return(waiter.Share))
                {
                    _overShare.Remove(waiter.Share);
                }

                if (watched.Waiters.Count == 0)
                {
                    _byKey.Remove(waiter.Key);
                }

                if (_shares.Total < _limits.Max / 2)
                {
                    _refusing = false;
                }
            }
        }
    }

    /// <summary>The waiters of one key and the news that last woke them.</summary>
    private sealed class Watched
    {
        public List<Waiter<TKey>> Waiters { get; } = [];

        public TNews? Last { get; set; }
    }
}
