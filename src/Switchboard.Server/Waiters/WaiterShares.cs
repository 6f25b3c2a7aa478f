using Switchboard.Server.Live;

namespace Switchboard.Server.Waiters;

/// <summary>Why <see cref="WaiterShares.TryTake"/> refused a waiter.</summary>
internal enum WaiterRefusal
{
    /// <summary>Taken.</summary>
    None,
    /// <summary>Every waiter of the node is held.</summary>
    Full,
    /// <summary>The scope already holds as many waiters as are left free for the others.</summary>
    OverShare,
}

/// <summary>
/// A waiter set's waiters (<c>Commands:MaxWaiters</c> for commands), shared by the scopes that hold them (docs/commands.md, "Long-poll"):
/// a scope may take one more only while it holds fewer than are left free. A scope alone so holds at most half; every
/// other scope always finds waiters free, however long the first holds its own. A scope is an API key's labels scope;
/// keys without one are one scope. While <c>fair</c> says no (auth off, or no configured key has a labels scope: every
/// request is of the one scope there can be) only the total counts. Not thread-safe: its owner calls it under its lock.
/// </summary>
internal sealed class WaiterShares(int max, Func<bool> fair)
{
    public WaiterShares(int max, bool fair)
        : this(max, () => fair)
    {
    }

    private readonly Dictionary<string, int> _held = new(StringComparer.Ordinal);

    /// <summary>Waiters held now, by every scope.</summary>
    public int Total { get; private set; }

    /// <summary>Waiters <paramref name="scope"/> holds now.</summary>
    public int HeldBy(string scope) => _held.GetValueOrDefault(scope);

    /// <summary>Takes a waiter for <paramref name="scope"/>, or says why not.</summary>
    public WaiterRefusal TryTake(string scope)
    {
        if (Total >= max)
        {
            return WaiterRefusal.Full;
        }

        var held = _held.GetValueOrDefault(scope);
        if (held >= max - Total && fair())
        {
            return WaiterRefusal.OverShare;
        }

        _held[scope] = held + 1;
        Total++;
        return WaiterRefusal.None;
    }

    /// <summary>Gives back a waiter <paramref name="scope"/> took; true when the scope holds none any more.</summary>
    public bool Return(string scope)
    {
        var held = _held.GetValueOrDefault(scope);
        if (held == 0)
        {
            return true;
        }

        Total--;
        if (held == 1)
        {
            _held.Remove(scope);
            return true;
        }

        _held[scope] = held - 1;
        return false;
    }

    /// <summary>The share a request takes from: its key's labels scope, the same text however the pairs are ordered; "" without one.</summary>
    public static string ScopeOf(LabelFilter? scope) =>
        scope is null ? "" : string.Join(',', scope.Pairs.Select(p => p.Key + "=" + p.Value).Order(StringComparer.Ordinal));

    /// <summary>A scope as the log names it.</summary>
    public static string Describe(string scope) => scope.Length == 0 ? "(no labels scope)" : scope;
}
