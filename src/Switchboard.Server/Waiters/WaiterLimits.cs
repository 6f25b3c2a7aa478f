namespace Switchboard.Server.Waiters;

/// <summary>
/// How many waiters a <see cref="WaiterSet{TKey, TNews}"/> holds and how it says it is full: <see cref="Max"/> in all,
/// shared by scope while <see cref="Fair"/> says so (<see cref="WaiterShares"/>); <see cref="Full"/> and
/// <see cref="OverShare"/> log with the owning feature's event ids, once until the count drops (they run under the set's
/// lock, so they only log).
/// </summary>
internal sealed record WaiterLimits(int Max, Func<bool> Fair, Action Full, Action<string, int> OverShare)
{
    /// <summary>Only the total counts: every waiter is of the one scope.</summary>
    public WaiterLimits(int max, Action full)
        : this(max, static () => false, full, static (_, _) => { })
    {
    }
}
