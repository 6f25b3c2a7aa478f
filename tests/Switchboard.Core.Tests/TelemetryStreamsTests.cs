using Switchboard.Core.Storage;
using Switchboard.Core.Writes;

namespace Switchboard.Core.Tests;

/// <summary>Cumulative metric points become the usage they add: the difference to their stream's previous point, with resets.</summary>
public sealed class TelemetryStreamsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    private static TelemetryObservation Point(string stream, ulong start, ulong end, decimal total, UsageSlot slot = UsageSlot.Input) =>
        new($"m:{end}:{stream}", T0.AddTicks((long)end), TelemetrySignal.Activity, Cumulative: new CumulativePoint(stream, start, end, total, slot));

    private static (List<TelemetryObservation> Kept, IReadOnlyDictionary<string, StreamState> After) Resolve(
        IReadOnlyDictionary<string, StreamState> before, params TelemetryObservation[] points)
    {
        var (writes, after) = MetricSeries.Resolve([new ApplyTelemetry("s") { Observations = points }], before);
        return ([.. ((ApplyTelemetry)writes[0]).Observations], after);
    }

    private static readonly Dictionary<string, StreamState> Nothing = [];

    [Fact]
    public void AStreamsFirstPointAddsItsTotalAndEachLaterOneTheDifference()
    {
        var (kept, after) = Resolve(Nothing, Point("a", 1, 10, 100), Point("a", 1, 20, 250), Point("a", 1, 30, 260));
        kept.Select(o => o.InputTokens).ShouldBe([100L, 150L, 10L]);
        kept.ShouldAllBe(o => o.Usage == UsageSource.Metrics && o.Cumulative == null);
        after["a"].ShouldBe(new StreamState(1, 30, 260));

        // The next batch is measured against the state the last one left.
        Resolve(after, Point("a", 1, 40, 300)).Kept.Single().InputTokens.ShouldBe(40);
    }

    [Fact]
    public void ANewStartOrATotalBelowTheLastCountsFromZero()
    {
        var before = new Dictionary<string, StreamState> { ["a"] = new(1, 10, 500) };
        Resolve(before, Point("a", 2, 20, 70)).Kept.Single().InputTokens.ShouldBe(70, "the exporter restarted: a new start time");
        Resolve(before, Point("a", 1, 20, 30)).Kept.Single().InputTokens.ShouldBe(30, "the total went down: a reset");
    }

    [Fact]
    public void APointNoLaterThanTheLastOrThatDidNotGrowAddsNothingAndIsDropped()
    {
        var before = new Dictionary<string, StreamState> { ["a"] = new(1, 10, 500) };
        var (stale, staleAfter) = Resolve(before, Point("a", 1, 10, 500));
        stale.ShouldBeEmpty("a retry of the last point");
        staleAfter.ShouldBeEmpty("nothing to store");
        Resolve(before, Point("a", 1, 5, 400)).Kept.ShouldBeEmpty("out of order");
        var (same, sameAfter) = Resolve(before, Point("a", 1, 20, 500));
        same.ShouldBeEmpty("a quiet agent's exporter repeats its totals: no usage and no activity");
        sameAfter["a"].End.ShouldBe(20UL);
    }

    [Fact]
    public void PointsAreMeasuredInTheOrderTheyWereTakenPerStreamAndFeedTheirSlot()
    {
        var (kept, _) = Resolve(Nothing,
            Point("cost", 1, 20, 0.5m, UsageSlot.Cost), Point("out", 1, 10, 40, UsageSlot.Output), Point("cost", 1, 10, 0.2m, UsageSlot.Cost),
            new TelemetryObservation("l:1", T0, TelemetrySignal.Activity));
        kept.Where(o => o.CostUsd > 0).Select(o => o.CostUsd).ShouldBe([0.2m, 0.3m]);
        kept.Single(o => o.OutputTokens > 0).OutputTokens.ShouldBe(40);
        kept.Count(o => o.Key == "l:1").ShouldBe(1, "other observations stay");
        MetricSeries.Ids([new ApplyTelemetry("s") { Observations = [Point("x", 1, 1, 1), Point("x", 1, 2, 2), Point("y", 1, 1, 1)] }])
            .ShouldBe(["x", "y"], ignoreOrder: true);
    }

    [Fact]
    public void AStreamWithNoStateOfItsOwnIsMeasuredAgainstTheStateOfItsPreviousId()
    {
        // A node upgraded mid-stream: the stream's id now includes its resource and scope, and its last point is stored
        // under the id it had before. The totals counted then are not counted again.
        var before = new Dictionary<string, StreamState> { ["old"] = new(1, 10, 500) };
        var upgraded = Point("new", 1, 20, 530) with { Cumulative = new CumulativePoint("new", 1, 20, 530, UsageSlot.Input) { Previous = "old" } };
        var (kept, after) = Resolve(before, upgraded);
        kept.Single().InputTokens.ShouldBe(30);
        after.Keys.ShouldBe(["new"], "the state is stored under the new id only");
        MetricSeries.Ids([new ApplyTelemetry("s") { Observations = [upgraded] }]).ShouldBe(["new", "old"], ignoreOrder: true);

        // Once the stream has a state of its own, the previous one no longer counts.
        var later = upgraded with { Cumulative = upgraded.Cumulative! with { End = 30, Total = 540 } };
        var both = new Dictionary<string, StreamState>(before) { ["new"] = after["new"] };
        Resolve(both, later).Kept.Single().InputTokens.ShouldBe(10);
    }
}
