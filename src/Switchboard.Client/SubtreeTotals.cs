namespace Switchboard.Client;

/// <summary>
/// Totals over a session and all its descendants (<see cref="Session.Subtree"/>), and the shape of what one event of a
/// child adds to each of its ancestors (<see cref="SwitchboardEvent.SubtreeDelta"/>, where <see cref="Active"/> may be −1).
/// </summary>
/// <param name="Sessions">Sessions in the subtree, the session itself included.</param>
/// <param name="Active">Those not terminated.</param>
/// <param name="InputTokens">Input tokens over the subtree.</param>
/// <param name="OutputTokens">Output tokens over the subtree.</param>
/// <param name="CostUsd">Cost over the subtree in US dollars (exact).</param>
public readonly record struct SubtreeTotals(long Sessions, long Active, long InputTokens, long OutputTokens, decimal CostUsd)
{
    /// <summary>Input plus output tokens.</summary>
    public long TotalTokens => InputTokens + OutputTokens;

    /// <summary>These totals plus <paramref name="delta"/> (an event's <c>subtree_delta</c>).</summary>
    public SubtreeTotals Add(SubtreeTotals delta) =>
        new(Sessions + delta.Sessions, Active + delta.Active, InputTokens + delta.InputTokens, OutputTokens + delta.OutputTokens, CostUsd + delta.CostUsd);
}
