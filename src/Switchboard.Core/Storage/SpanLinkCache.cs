namespace Switchboard.Storage;

/// <summary>
/// What a store already knows about the span links' tables (<see cref="TelemetryLinks"/>), so the links of a busy
/// exporter cost a lookup in memory, not statements: an agent's spans name the same parent span request after request.
/// A transaction collects what it learned in its own <see cref="Changes"/>, which become known only once it committed.
/// Owned by one store; safe for its concurrent transactions.
/// </summary>
internal sealed class SpanLinkCache
{
    /// <summary>How many facts each set holds before it starts over (a cache: forgetting only costs a statement).</summary>
    public const int Capacity = 100_000;

    private readonly Lock _gate = new();
    private readonly HashSet<(string Parent, string Child)> _waits = [];
    private HashSet<string>? _waited;

    /// <summary>
    /// True when <paramref name="child"/> is known to wait for <paramref name="parent"/> already, or to have found it: the
    /// wait needs no statement.
    /// </summary>
    public bool Known(string parent, string child)
    {
        lock (_gate)
        {
            return _waits.Contains((parent, child));
        }
    }

    /// <summary>False only when no session can be waiting for <paramref name="span"/> (see <see cref="TrackWaited"/>).</summary>
    public bool MayBeWaitedFor(string span)
    {
        lock (_gate)
        {
            return _waited is null || _waited.Contains(span);
        }
    }

    /// <summary>
    /// Starts tracking every span some session waits for, from the store's table: only for a store whose every write
    /// goes through this cache (SQLite's single writer), never for one shared by several nodes.
    /// </summary>
    public void TrackWaited(IEnumerable<string> spans)
    {
        lock (_gate)
        {
            _waited = new HashSet<string>(spans, StringComparer.Ordinal);
        }
    }

    /// <summary>Makes a committed transaction's <paramref name="changes"/> known.</summary>
    public void Commit(Changes changes)
    {
        lock (_gate)
        {
            if (_waits.Count + changes.Waits.Count > Capacity)
            {
                _waits.Clear();
            }

            _waits.UnionWith(changes.Waits);
            if (_waited is not null)
            {
                _waited.ExceptWith(changes.Taken);
                _waited.UnionWith(changes.Waited);
                if (_waited.Count > Capacity)
                {
                    _waited = null; // too many to keep: ask the table every time from now on
                }
            }
        }
    }

    /// <summary>Forgets everything (the store's tables changed under it): every link is looked up again.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _waits.Clear();
            _waited = null;
        }
    }

    /// <summary>What one transaction learned.</summary>
    public sealed class Changes
    {
        internal readonly List<(string Parent, string Child)> Waits = [];
        internal readonly List<string> Waited = [];
        internal readonly List<string> Taken = [];

        /// <summary><paramref name="child"/> waits for <paramref name="parent"/>: newly <paramref name="recorded"/>, or found it.</summary>
        public void Wait(string parent, string child, bool recorded)
        {
            Waits.Add((parent, child));
            if (recorded)
            {
                Waited.Add(parent);
            }
        }

        /// <summary>The waits for <paramref name="span"/> were taken.</summary>
        public void Took(string span) => Taken.Add(span);
    }
}
