using Switchboard.Server.Otlp.Mapping;

namespace Switchboard.Server.Tests.Otlp;

/// <summary>
/// The links of a request cost time linear in its spans (issue 44): a GenAI span's parents are followed up through the
/// request's ignored spans, and every ignored span is walked through at most once, however many GenAI spans hang below it.
/// </summary>
public sealed class SpanTreeTests
{
    private const ulong Outside = 0xABCDEF;
    private static readonly UInt128 Trace = 42;

    /// <summary>A chain of <paramref name="length"/> ignored spans (1 under <see cref="Outside"/>, 2 under 1, …).</summary>
    private static SpanTree Chain(int length)
    {
        var tree = new SpanTree();
        for (var i = 1; i <= length; i++)
        {
            tree.Add(Trace, (ulong)i, i == 1 ? Outside : (ulong)(i - 1), session: null);
        }

        return tree;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AGenAiSpanUnderEachLinkOfALongChainOfIgnoredSpansCostsTwoStepsEach(bool deepestFirst)
    {
        const int Length = 2000;
        var tree = Chain(Length);
        var order = Enumerable.Range(1, Length).Select(i => (ulong)i);
        foreach (var parent in deepestFirst ? order.Reverse() : order)
        {
            tree.ParentOf(Trace, parent).ShouldBe((null, Outside), $"the span under {parent} waits for the span outside the request");
        }

        // A walk per GenAI span would take Length²/2 = 2,000,000 steps.
        tree.Steps.ShouldBeLessThanOrEqualTo(3L * Length);
    }

    [Fact]
    public void TheWalkEndsAtTheNearestGenAiSpanOrARootAndALoopOfParentsEndsIt()
    {
        var tree = new SpanTree();
        tree.Add(Trace, 1, 0, "otel:c:planner");
        tree.Add(Trace, 2, 1, null);
        tree.Add(Trace, 3, 2, null);
        tree.Add(Trace, 10, 0, null); // an ignored root
        tree.Add(Trace, 20, 21, null); // 20 and 21 are each other's parent
        tree.Add(Trace, 21, 20, null);
        tree.ParentOf(Trace, 3).ShouldBe(("otel:c:planner", 0UL));
        tree.ParentOf(Trace, 2).ShouldBe(("otel:c:planner", 0UL));
        tree.ParentOf(Trace, 1).ShouldBe(("otel:c:planner", 0UL));
        tree.ParentOf(Trace, 10).ShouldBe((null, 0UL));
        tree.ParentOf(Trace, 20).ShouldBe((null, 0UL));
        tree.ParentOf(Trace, 21).ShouldBe((null, 0UL));
        tree.ParentOf(Trace, 0).ShouldBe((null, 0UL), "a root span has no parent");
        tree.ParentOf(Trace + 1, 3).ShouldBe((null, 3UL), "span ids belong to their trace");
    }
}
