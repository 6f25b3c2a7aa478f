namespace Switchboard.Core.Sessions;

/// <summary>
/// Totals over a session and all its descendants: how many sessions, how many of them active, their tokens and cost.
/// Also the shape of what one event adds to each ancestor (<c>subtree_delta</c>), where <see cref="Active"/> may be −1.
/// </summary>
/// <param name="Sessions">Sessions in the subtree, the session itself included.</param>
/// <param name="Active">Sessions in the subtree that are not terminated.</param>
/// <param name="InputTokens">Input tokens over the subtree.</param>
/// <param name="OutputTokens">Output tokens over the subtree.</param>
/// <param name="CostUsd">Cost over the subtree, in US dollars (exact).</param>
public readonly record struct SubtreeTotals(long Sessions, long Active, long InputTokens, long OutputTokens, decimal CostUsd)
{
    /// <summary>Input plus output tokens.</summary>
    public long TotalTokens => InputTokens + OutputTokens;

    /// <summary>True when every part is zero (an event that adds nothing to its ancestors).</summary>
    public bool IsZero => Sessions == 0 && Active == 0 && InputTokens == 0 && OutputTokens == 0 && CostUsd == 0;
}
