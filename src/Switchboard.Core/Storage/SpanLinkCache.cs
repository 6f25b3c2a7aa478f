namespace Switchboard.Core.Storage;

/// <summary>
/// The waits a store's <see cref="UnitOfWork"/> already knows are recorded (or closed), so a busy exporter whose agent's
/// spans name the same missing parent span request after request costs a lookup in memory, not statements. A wait is a
/// fact, so knowing it on one node is true for all. A transaction collects what it learned in its own
/// <see cref="Changes"/>, which become known only once it committed. Safe for concurrent transactions.
/// </summary>
internal sealed class SpanLinkCache
{
    /// <summary>How many facts it holds before it starts over (a cache: forgetting only costs a statement).</summary>
    public const int Capacity = 100_000;

    private readonly Lock _gate = new();
    private readonly HashSet<(string Parent, string Child)> _waits = [];

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

    /// <summary>Makes a committed transaction's <paramref name="changes"/> known.</summary>
    public void Commit(Changes changes)
    {
        if (changes.Waits.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            if (_waits.Count + changes.Waits.Count > Capacity)
            {
                _waits.Clear();
            }

            _waits.UnionWith(changes.Waits);
        }
    }

    /// <summary>Forgets everything (the store's tables changed under it): every link is looked up again.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _waits.Clear();
        }
    }

    /// <summary>What one transaction learned: the waits it recorded or found closed.</summary>
    public sealed class Changes
    {
        internal readonly List<(string Parent, string Child)> Waits = [];
    }
}
