using Switchboard.Core.Events;
using Switchboard.Server.Live;

namespace Switchboard.Server.Tests;

/// <summary>
/// The label filter runs once per event and filtered subscriber on the fan-out's hot path, so matching must allocate
/// nothing: no boxed enumerator, no closure, no copy. Measured in bytes on this thread, not in time.
/// </summary>
public sealed class LabelFilterTests
{
    private static readonly LabelFilter Filter = LabelFilter.From(Labels(("team", "infra"), ("env", "prod")))!;

    [Fact]
    public void MatchingAndMembershipAllocateNothing()
    {
        // The label maps as stores and the write path hand them over: string dictionaries behind the read-only interface.
        var matching = Labels(("team", "infra"), ("env", "prod"), ("model", "m1"));
        var missingOne = Labels(("team", "infra"));
        var otherValue = Labels(("team", "infra"), ("env", "dev"));
        var left = new EventRecord(7, EventTypes.SessionUpdated, "s1", DateTimeOffset.UnixEpoch, ReadOnlyMemory<byte>.Empty)
        {
            Labels = otherValue,
            PriorLabels = matching,
        };
        var fleet = new EventRecord(8, EventTypes.FleetUpdated, null, DateTimeOffset.UnixEpoch, ReadOnlyMemory<byte>.Empty);
        var unrecorded = left with { Labels = null, PriorLabels = null }; // logged before labels were recorded

        var (warmMatches, _) = Run(1_000, matching, missingOne, otherValue, left, fleet, unrecorded); // JIT and tiering outside the measurement
        var before = GC.GetAllocatedBytesForCurrentThread();
        var (matches, includes) = Run(100_000, matching, missingOne, otherValue, left, fleet, unrecorded);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.ShouldBe(0, "LabelFilter.Matches and Includes must not allocate per call");
        warmMatches.ShouldBe(1_000);
        matches.ShouldBe(100_000); // only the full match matches
        includes.ShouldBe(300_000); // a session leaving the filter, the fleet flag, and the fallback to 'after'
    }

    [Fact]
    public void ASessionMatchesOnlyWithEveryPair()
    {
        Filter.Matches(Labels(("team", "infra"), ("env", "prod"))).ShouldBeTrue();
        Filter.Matches(Labels(("team", "infra"), ("env", "prod"), ("extra", "x"))).ShouldBeTrue();
        Filter.Matches(Labels(("team", "infra"))).ShouldBeFalse();
        Filter.Matches(Labels(("team", "Infra"), ("env", "prod"))).ShouldBeFalse(); // values compare ordinally
        Filter.Matches(null).ShouldBeFalse();
    }

    private static (int Matches, int Includes) Run(int rounds, IReadOnlyDictionary<string, string> matching,
        IReadOnlyDictionary<string, string> missingOne, IReadOnlyDictionary<string, string> otherValue, EventRecord left, EventRecord fleet, EventRecord unrecorded)
    {
        var matches = 0;
        var includes = 0;
        for (var i = 0; i < rounds; i++)
        {
            matches += (Filter.Matches(matching) ? 1 : 0) + (Filter.Matches(missingOne) ? 1 : 0) + (Filter.Matches(otherValue) ? 1 : 0);
            includes += (Filter.Includes(left, null, null) ? 1 : 0) + (Filter.Includes(fleet, null, null) ? 1 : 0);
            includes += Filter.Includes(unrecorded, otherValue, matching) ? 1 : 0;
        }

        return (matches, includes);
    }

    private static IReadOnlyDictionary<string, string> Labels(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
}
