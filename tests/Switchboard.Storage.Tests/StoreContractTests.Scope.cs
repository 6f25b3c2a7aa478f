using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;

namespace Switchboard.Storage.Tests;

/// <summary>
/// The writes of a key scoped by labels, decided before anything else of the transaction (issue 55): a write refused for
/// its scope leaves nothing anywhere (no dedupe key, no metric stream state, no span owner or wait, no continuation,
/// no sub-agent), and a continuation made inside the scope keeps the ended session's labels.
/// </summary>
public abstract partial class StoreContractTests
{
    private static readonly KeyValuePair<string, string>[] RedScope = [new("team", "red")];
    private static readonly KeyValuePair<string, string>[] BlueScope = [new("team", "blue")];

    private static Dictionary<string, string> Team(string team) => new(StringComparer.Ordinal) { ["team"] = team };

    /// <summary>Telemetry as a receiver sends it: with a scope, its labels too (as <c>ScopedWrites</c> gives them).</summary>
    private ApplyTelemetry Telemetry(string id, KeyValuePair<string, string>[]? scope, params TelemetryObservation[] observations) => new(id)
    {
        Observations = observations,
        Labels = scope is null ? Session.EmptyLabels : scope.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
        Scope = scope,
    };

    private TelemetryObservation Event(string key, long input) =>
        new(key, Time.GetUtcNow(), TelemetrySignal.Activity, InputTokens: input, Usage: UsageSource.Events);

    private TelemetryObservation Cumulative(string stream, decimal total) =>
        new($"m:{stream}:{total}", Time.GetUtcNow(), TelemetrySignal.Activity, Cumulative: new CumulativePoint(stream, 1, 10, total, UsageSlot.Input));

    [Fact]
    public async Task ATelemetryWriteRefusedForItsScopeLeavesNoKeyStreamSpanOrWaitForTheOwnerToTripOn()
    {
        var store = await OpenAsync();
        await WriteOne(store, Telemetry("otel:s:b", null, Event("l:b:0", 10)) with { Labels = Team("blue") });

        var red = Telemetry("otel:s:b", RedScope, Event("l:b:1", 5), Cumulative("m:b", 50)) with { Links = new SpanLinks(["span-b"], ["span-p"], []) };
        (await WriteOne(store, red)).Error!.Code.ShouldBe("session_not_found");

        (await InTransaction(store, async tx => await tx.ReadMetricStreamsAsync(["m:b"]), commit: false)).ShouldBeEmpty();
        (await InTransaction(store, async tx => await tx.ReadSpanOwnersAsync(["span-b"], Time.GetUtcNow() - TelemetryDedupe.Window), commit: false)).ShouldBeEmpty();
        (await InTransaction(store, async tx => await tx.TakeWaitsAsync(["span-p"]), commit: false)).ShouldBeEmpty();
        var owners = await WriteOne(store, Telemetry("otel:s:b", BlueScope, Event("l:b:1", 100)));
        owners.Session!.InputTokens.ShouldBe(110, "blue's record counts: red's refused one claimed no key");
    }

    [Fact]
    public async Task AScopedWriteForAnEndedSessionOutsideItsScopeMakesNoContinuation()
    {
        var store = await OpenAsync();
        await WriteOne(store, Telemetry("otel:s:e", BlueScope, Event("l:e:0", 10)));
        await WriteOne(store, new TerminateSession("otel:s:e"));
        var head = (await store.ReadEventsAsync(new EventQuery(), CancellationToken.None))[^1].Seq;

        var results = await store.WriteAsync(
        [
            Telemetry("otel:s:e", RedScope, Event("l:e:1", 500)),
            new ApplyHook("otel:s:e") { Signal = HookSignal.Working, Labels = Team("red"), Scope = RedScope },
        ], CancellationToken.None);

        results.Select(r => r.Error?.Code).ShouldBe(["session_not_found", "session_not_found"]);
        (await store.GetSessionAsync("otel:s2:e", CancellationToken.None)).ShouldBeNull();
        (await store.ReadEventsAsync(new EventQuery { AfterSeq = head }, CancellationToken.None)).ShouldBeEmpty();
        (await WriteOne(store, Telemetry("otel:s:e", BlueScope, Event("l:e:1", 7)))).Session!.Id.ShouldBe("otel:s2:e", "blue's own agent goes on");
    }

    [Fact]
    public async Task AScopedSubAgentOfAnAgentOutsideItsScopeIsNotWritten()
    {
        var store = await OpenAsync();
        await WriteOne(store, new ApplyHook("otel:s:p") { Signal = HookSignal.Started, Labels = Team("blue"), Scope = BlueScope });

        var results = await store.WriteAsync(
        [
            new ApplyHook("otel:s:p") { Labels = Team("red"), Scope = RedScope },
            new ApplyHook("otel:s:p:a:a1") { ParentId = "otel:s:p", Signal = HookSignal.Working, Labels = Team("red"), Scope = RedScope },
        ], CancellationToken.None);

        results.ShouldAllBe(r => r.Error != null);
        results[1].Error!.Code.ShouldBe("parent_not_found");
        (await store.GetSessionAsync("otel:s:p:a:a1", CancellationToken.None)).ShouldBeNull();
        (await Read(store, "otel:s:p")).Version.ShouldBe(1);
    }

    [Fact]
    public async Task AContinuationMadeInsideTheScopeKeepsTheEndedSessionsLabels()
    {
        var store = await OpenAsync();
        var labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["team"] = "blue", ["organization"] = "acme", ["usage_from"] = "metrics" };
        await WriteOne(store, Telemetry("otel:s:k", null, Event("l:k:0", 10)) with { Labels = labels });
        await WriteOne(store, new TerminateSession("otel:s:k"));

        var resumed = Telemetry("otel:s:k", BlueScope, Event("l:k:1", 20)) with
        {
            Labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["team"] = "blue", ["organization"] = "other", ["user"] = "u1" },
        };
        var continued = (await WriteOne(store, resumed)).Session!;

        continued.Id.ShouldBe("otel:s2:k");
        continued.Continues.ShouldBe("otel:s:k");
        continued.Labels.ShouldBe(new Dictionary<string, string> { ["team"] = "blue", ["organization"] = "acme", ["usage_from"] = "metrics", ["user"] = "u1" },
            ignoreOrder: true, "every key that saw the ended session sees its continuation; a label named usage_from is just a label");
        (continued.UsageFrom, continued.InputTokens).ShouldBe(("events", 20L));
    }

    [Fact]
    public async Task AScopedWriteAfterAnotherKeysWriteToItsSessionInTheSameCommitWaitsForTheNextOne()
    {
        var store = await OpenAsync();
        var results = await store.WriteAsync(
        [
            Telemetry("otel:s:n", null, Event("l:n:1", 10)) with { Labels = Team("blue") },
            Telemetry("otel:s:n", RedScope, Event("l:n:2", 5)),
        ], CancellationToken.None);

        results[0].Session!.InputTokens.ShouldBe(10);
        (results[1].Error, results[1].Incomplete).ShouldBe((null, true), "decided in the next commit, once the session's row is there to read first");
        (await WriteOne(store, Telemetry("otel:s:n", RedScope, Event("l:n:2", 5)))).Error!.Code.ShouldBe("session_not_found");
        (await WriteOne(store, Telemetry("otel:s:n", BlueScope, Event("l:n:2", 100)))).Session!.InputTokens.ShouldBe(110);

        // Red's own session, moved to blue by another key between two of red's writes in one commit: the second waits too.
        var moved = await store.WriteAsync(
        [
            Telemetry("otel:s:m", RedScope, Event("l:m:1", 1)),
            new UpdateSession("otel:s:m") { Labels = Team("blue") },
            Telemetry("otel:s:m", RedScope, Event("l:m:2", 1)),
        ], CancellationToken.None);
        moved.Select(r => (r.Error, r.Incomplete)).ShouldBe([(null, false), (null, false), (null, true)]);
        (await WriteOne(store, Telemetry("otel:s:m", BlueScope, Event("l:m:2", 100)))).Session!.InputTokens.ShouldBe(101);
    }
}
