using Switchboard.Core.Sessions;
using Switchboard.Core.Trees;

namespace Switchboard.Core.Tests;

public sealed class TreePathTests
{
    [Fact]
    public void APathNamesItsRootAndAncestorsAndASubtreeIsOneRangeOfPaths()
    {
        TreePath.Root("r a b").ShouldBe("r");
        TreePath.Root("r").ShouldBe("r");
        TreePath.Ancestors("r a b").ShouldBe(["r", "a"]);
        TreePath.Ancestors("r").ShouldBeEmpty();
        TreePath.Of("c", new Session { Id = "b", TreePath = "r a b" }).ShouldBe("r a b c");
        TreePath.Of("r", null).ShouldBe("r");

        TreePath.IsWithin("r a b", "a").ShouldBeTrue();
        TreePath.IsWithin("r a b", "b").ShouldBeTrue();
        TreePath.IsWithin("r ab b", "a").ShouldBeFalse("whole ids only");
        TreePath.IsWithin("r a-b", "a").ShouldBeFalse();
        TreePath.IsWithin(null, "a").ShouldBeFalse();

        // Every character an id may hold sorts above the separator and the range end, so [path, path + "!") is the subtree.
        var paths = new[] { "r a", "r a x", "r a.", "r a-", "r a:", "r aZ", "r a0", "r b", "r a x y", "r" };
        var subtree = paths.Where(p => string.CompareOrdinal(p, "r a") >= 0 && string.CompareOrdinal(p, TreePath.SubtreeEnd("r a")) < 0).Order(StringComparer.Ordinal);
        subtree.ShouldBe(["r a", "r a x", "r a x y"]);
        TreePath.IsBelow("r a x", "r a").ShouldBeTrue();
        TreePath.IsBelow("r a", "r a").ShouldBeFalse();
        TreePath.IsBelow("r ab", "r a").ShouldBeFalse();
    }

    [Fact]
    public void ADeltaIsWhatAChangeAddsAndAnOverflowIsReported()
    {
        var before = new Session { Id = "a", State = SessionState.Working, InputTokens = 5, CostUsd = 1 };
        var after = before with { State = SessionState.Terminated, InputTokens = 8, OutputTokens = 2, CostUsd = 1.5m };
        SubtreeMath.Delta(before, after).ShouldBe(new SubtreeTotals(0, -1, 3, 2, 0.5m));
        SubtreeMath.Delta(null, before).ShouldBe(new SubtreeTotals(1, 1, 5, 0, 1));
        SubtreeMath.TryAdd(new SubtreeTotals(1, 1, long.MaxValue - 1, 0, 0), new SubtreeTotals(0, 0, 1, 0, 0), out _).ShouldBeTrue();
        SubtreeMath.TryAdd(new SubtreeTotals(1, 1, long.MaxValue - 1, 1, 0), new SubtreeTotals(0, 0, 1, 0, 0), out _).ShouldBeFalse("input + output must fit too");
    }
}
