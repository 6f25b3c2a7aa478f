using Switchboard.Core.Writes;

namespace Switchboard.Core.Tests;

/// <summary>
/// Telemetry about one session from several requests in a commit becomes one write (so one event), and only where
/// merging cannot reorder it past another write to that session.
/// </summary>
public sealed class TelemetryCoalescingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 7, 0, 0, TimeSpan.Zero);

    private static ApplyTelemetry Telemetry(string session, params string[] keys) => new(session)
    {
        Observations = [.. keys.Select((k, i) => new TelemetryObservation(k, T0.AddSeconds(i), TelemetrySignal.Activity, InputTokens: 10))],
    };

    private static (IReadOnlyList<SessionWrite> Merged, int[] Slots) Coalesce(params SessionWrite[] writes)
    {
        var slots = new int[writes.Length];
        return (TelemetryCoalescing.Coalesce(writes, slots), slots);
    }

    [Fact]
    public void EachSessionsTelemetryFromSeveralRequestsBecomesOneWriteAtItsFirstPlace()
    {
        var (merged, slots) = Coalesce(Telemetry("a", "k1"), Telemetry("b", "k2"), Telemetry("a", "k3", "k4"), Telemetry("b", "k5"));

        merged.Count.ShouldBe(2);
        slots.ShouldBe([0, 1, 0, 1], "each write is answered with the result of the write that carries it");
        var a = merged[0].ShouldBeOfType<ApplyTelemetry>();
        a.SessionId.ShouldBe("a");
        a.Observations.Select(o => o.Key).ShouldBe(["k1", "k3", "k4"], "every observation, in order: the store drops repeated keys");
        ((ApplyTelemetry)merged[1]).Observations.Select(o => o.Key).ShouldBe(["k2", "k5"]);
    }

    [Fact]
    public void AnotherWriteToTheSessionInBetweenKeepsTheTelemetryAfterItSeparate()
    {
        var update = new UpdateSession("a") { State = Switchboard.Core.Sessions.SessionState.Idle };
        var (merged, slots) = Coalesce(Telemetry("a", "k1"), update, Telemetry("a", "k2"), Telemetry("a", "k3"), Telemetry("c", "k4"));

        merged.Count.ShouldBe(4);
        slots.ShouldBe([0, 1, 2, 2, 3]);
        merged[1].ShouldBeSameAs(update);
        ((ApplyTelemetry)merged[2]).Observations.Select(o => o.Key).ShouldBe(["k2", "k3"], "merged only after the update");
    }

    [Fact]
    public void TelemetrySentWithKeysOfDifferentScopesIsNotMerged()
    {
        KeyValuePair<string, string>[] red = [new("team", "red")];
        var (merged, slots) = Coalesce(Telemetry("a", "k1") with { Scope = red }, Telemetry("a", "k2") with { Scope = [new("team", "red")] },
            Telemetry("a", "k3") with { Scope = [new("team", "blue")] }, Telemetry("a", "k4"));

        merged.Count.ShouldBe(3);
        slots.ShouldBe([0, 0, 1, 2], "each write is checked against its own key's scope; an equal scope merges");
        merged[0].Scope.ShouldBeSameAs(red);
        ((ApplyTelemetry)merged[0]).Observations.Select(o => o.Key).ShouldBe(["k1", "k2"]);
        merged[1].Scope.ShouldNotBeNull().Single().Value.ShouldBe("blue");
        merged[2].Scope.ShouldBeNull();
    }

    [Fact]
    public void NothingToMergeGivesTheSameListBack()
    {
        SessionWrite[] writes = [Telemetry("a", "k1"), new CreateSession { Id = "x" }, Telemetry("b", "k2")];
        var (merged, slots) = Coalesce(writes);
        merged.ShouldBeSameAs(writes);
        slots.ShouldBe([0, 1, 2]);
    }

    [Fact]
    public void LabelsOfTheLaterRequestWinAndTheFirstNameStays()
    {
        var first = Telemetry("a", "k1") with { Name = null, Labels = new Dictionary<string, string> { ["model"] = "m1", ["service.name"] = "svc" } };
        var later = Telemetry("a", "k2") with { Name = "planner", Labels = new Dictionary<string, string> { ["model"] = "m2" } };
        var last = Telemetry("a", "k3") with { Name = "other" };

        var merged = (ApplyTelemetry)Coalesce(first, later, last).Merged.Single();

        merged.Name.ShouldBe("planner");
        merged.Labels.ShouldBe(new Dictionary<string, string> { ["model"] = "m2", ["service.name"] = "svc" }, ignoreOrder: true);
    }

    [Fact]
    public void SpanLinksAreUnitedAndAParentSpanBothWaitForGetsTheWidestWindow()
    {
        var first = Telemetry("a", "k1") with { Links = new SpanLinks(["s1"], ["p"], ["q"]) };
        var later = Telemetry("a", "k2") with { Links = new SpanLinks(["s1", "s2"], ["p", "r"], ["q", "z"]) };

        var links = ((ApplyTelemetry)Coalesce(first, later).Merged.Single()).Links;

        links.Spans.ShouldBe(["s1", "s2"]);
        links.Parents.ShouldBe(["p", "r"]);
        links.ParentSessions.ShouldBe(["q", "z"], "the first request's parent stays the first");
    }
}
