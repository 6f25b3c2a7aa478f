using Switchboard.Core.Sessions;
using Switchboard.Core.Writes;

namespace Switchboard.Core.Tests;

/// <summary>Telemetry usage counts one source per session: the first that brought it usage, recorded on the session by the server.</summary>
public sealed class TelemetryUsageSourceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    private static WriteContext At(DateTimeOffset now) => new(now, 0, FleetPaused: false);

    private static TelemetryObservation Event(long input, int second) =>
        new($"l:{second}", T0.AddSeconds(second), TelemetrySignal.Activity, InputTokens: input, Usage: UsageSource.Events);

    private static TelemetryObservation Metric(long input, int second) =>
        new($"m:{second}", T0.AddSeconds(second), TelemetrySignal.Activity, InputTokens: input, Usage: UsageSource.Metrics);

    private static Session Apply(Session? current, params TelemetryObservation[] observations) =>
        SessionTransitions.Apply(new ApplyTelemetry("otel:s:a") { Observations = observations }, current, At(T0.AddMinutes(1))).Session!;

    [Fact]
    public void EventsFirstWinAndLaterMetricsAddNoUsage()
    {
        var s = Apply(null, Event(100, 1));
        s.UsageFrom.ShouldBe("events");
        s = Apply(s, Metric(100, 2));
        s.InputTokens.ShouldBe(100, "the same usage again, as metrics: left out");
        s.State.ShouldBe(SessionState.Working, "still activity");
        Apply(s, Event(50, 3)).InputTokens.ShouldBe(150);
    }

    [Fact]
    public void MetricsFirstWinAndLaterEventsAddNoUsage()
    {
        var s = Apply(null, new TelemetryObservation("l:0", T0, TelemetrySignal.Activity)); // a prompt: no usage yet, no source
        s.UsageFrom.ShouldBeNull();
        s = Apply(s, Metric(300, 1), Metric(20, 2));
        s.UsageFrom.ShouldBe("metrics");
        s.InputTokens.ShouldBe(320);
        Apply(s, Event(300, 3)).InputTokens.ShouldBe(320);
    }

    [Fact]
    public void WithinOneWriteTheEarliestObservationWithUsageDecides()
    {
        var s = Apply(null, Metric(7, 5), Event(3, 2));
        s.UsageFrom.ShouldBe("events");
        s.InputTokens.ShouldBe(3);
    }

    [Fact]
    public void NoLabelChangeMakesBothSourcesCount()
    {
        var s = Apply(null, Event(100, 1));
        s.Labels.ContainsKey("usage_from").ShouldBeFalse("the source is not a label a client can edit");
        s = SessionTransitions.Apply(new UpdateSession(s.Id) { Labels = new Dictionary<string, string> { ["team"] = "red" } }, s, At(T0.AddMinutes(1))).Session!;
        Apply(s, Metric(100, 2)).InputTokens.ShouldBe(100, "after a PATCH of the labels the metrics still add nothing");
    }

    [Fact]
    public void ASessionAtItsLabelLimitStillRecordsItsSource()
    {
        var full = Enumerable.Range(0, SessionLimits.MaxLabels).ToDictionary(i => $"k{i}", i => "v");
        var s = SessionTransitions.Apply(new ApplyTelemetry("otel:s:a") { Labels = full, Observations = [Event(10, 1)] }, null, At(T0)).Session!;
        s.UsageFrom.ShouldBe("events");
        Apply(s, Metric(10, 2)).InputTokens.ShouldBe(10);
    }

    [Fact]
    public void AUsageFromLabelDecidesNothing()
    {
        var s = Apply(null, new TelemetryObservation("l:0", T0, TelemetrySignal.Activity)) with
        {
            Labels = new Dictionary<string, string> { ["usage_from"] = "metrics" },
        };
        var counted = Apply(s, Event(100, 1));
        (counted.InputTokens, counted.UsageFrom).ShouldBe((100L, "events"), "any writer may set a label: it is no source");
        Apply(counted, Metric(100, 2)).InputTokens.ShouldBe(100);
    }
}
