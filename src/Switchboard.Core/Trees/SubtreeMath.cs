using Switchboard.Core.Sessions;

namespace Switchboard.Core.Trees;

/// <summary>What one change of a session adds to the subtree totals of itself and each of its ancestors.</summary>
internal static class SubtreeMath
{
    /// <summary>A session's own totals: one session, active or not, its tokens and cost.</summary>
    public static SubtreeTotals Own(Session s) => new(1, s.IsActive ? 1 : 0, s.InputTokens, s.OutputTokens, s.CostUsd);

    /// <summary>What going from <paramref name="before"/> (null: the session is new) to <paramref name="after"/> adds.</summary>
    public static SubtreeTotals Delta(Session? before, Session after)
    {
        if (before is null)
        {
            return Own(after);
        }

        return new SubtreeTotals(
            0,
            (after.IsActive ? 1 : 0) - (before.IsActive ? 1 : 0),
            after.InputTokens - before.InputTokens,
            after.OutputTokens - before.OutputTokens,
            after.CostUsd - before.CostUsd);
    }

    /// <summary>
    /// <paramref name="totals"/> plus <paramref name="delta"/>; false when a token counter (or their sum) would leave
    /// 64 bits, or the cost the decimal range.
    /// </summary>
    public static bool TryAdd(SubtreeTotals totals, SubtreeTotals delta, out SubtreeTotals sum)
    {
        try
        {
            sum = new SubtreeTotals(
                checked(totals.Sessions + delta.Sessions),
                checked(totals.Active + delta.Active),
                checked(totals.InputTokens + delta.InputTokens),
                checked(totals.OutputTokens + delta.OutputTokens),
                totals.CostUsd + delta.CostUsd);
            _ = checked(sum.InputTokens + sum.OutputTokens);
            return true;
        }
        catch (OverflowException)
        {
            sum = default;
            return false;
        }
    }
}
