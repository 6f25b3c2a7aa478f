using System.Text.Json;
using Switchboard.Core.Events;
using Switchboard.Core.Hosting;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;

namespace Switchboard.Storage.Tests;

/// <summary>
/// Agent trees from spans: a session made from telemetry finds its parent through the span that started it, whichever
/// arrives first, and is placed under it once, with its subtree, its totals and an event per moved session.
/// </summary>
public abstract partial class StoreContractTests
{
    private static int _spanObservations;

    /// <summary>When the spans of these tests end (Unix seconds): a minute before the store's clock.</summary>
    private long Ended => Time.GetUtcNow().ToUnixTimeSeconds() - 60;

    /// <summary>
    /// Telemetry for <paramref name="id"/>: one span observation with usage, keyed as a span's (the first span it
    /// <paramref name="starts"/>, else a fresh one), and its links (each parent waited for by a span that started when
    /// the spans ended).
    /// </summary>
    private ApplyTelemetry Spans(string id, long input = 0, string[]? starts = null, string[]? waitsFor = null, string[]? parents = null,
        int maxDepth = SwitchboardDefaults.MaxTreeDepth) =>
        new(id)
        {
            Observations = [new TelemetryObservation($"t:{Ended:x16}{starts?[0] ?? $"own-{Interlocked.Increment(ref _spanObservations)}"}",
                DateTimeOffset.UnixEpoch, TelemetrySignal.Activity, InputTokens: input, Usage: input > 0 ? UsageSource.Events : UsageSource.None)],
            Links = new SpanLinks(starts ?? [], waitsFor ?? [], parents ?? []),
            MaxTreeDepth = maxDepth,
        };

    [Fact]
    public async Task ASubAgentWhoseSpansComeFirstIsPlacedUnderItsParentWhenTheParentSpanArrives()
    {
        var store = await OpenAsync();
        (await WriteOne(store, Spans("child", input: 7, waitsFor: ["span-p"]))).Succeeded.ShouldBeTrue();
        await WriteOne(store, new CreateSession { Id = "grandchild", ParentId = "child", InputTokens = 3 });
        (await Read(store, "child")).ParentId.ShouldBeNull("its parent's span has not arrived yet");

        (await WriteOne(store, Spans("parent", input: 100, starts: ["span-p"]))).Succeeded.ShouldBeTrue();

        var child = await Read(store, "child");
        (child.ParentId, child.RootId, child.Depth, child.Version).ShouldBe(("parent", "parent", 1, 2L));
        var grandchild = await Read(store, "grandchild");
        (grandchild.ParentId, grandchild.RootId, grandchild.Depth).ShouldBe(("child", "parent", 2));
        (await Read(store, "parent")).Subtree.ShouldBe(new SubtreeTotals(3, 3, 110, 0, 0), "the parent counts the subtree it took in");
        var tree = await Trees(store).ReadSubtreeAsync("parent", null, 10, CancellationToken.None);
        tree!.Sessions.Select(s => s.Id).ShouldBe(["parent", "child", "grandchild"]);

        var events = await store.ReadEventsAsync(new EventQuery(), CancellationToken.None);
        var moved = events.Where(e => e.Type == EventTypes.SessionUpdated).ToList();
        moved.Select(e => (e.SessionId, e.TreePath)).ShouldBe([("child", "parent child"), ("grandchild", "parent child grandchild")]);
        using (var top = JsonDocument.Parse(moved[0].Data))
        {
            top.RootElement.GetProperty("reason").GetString().ShouldBe(SessionTransitions.AdoptedReason);
            var changes = top.RootElement.GetProperty("changes");
            (changes.GetProperty("parent_id").GetString(), changes.GetProperty("root_id").GetString(), changes.GetProperty("depth").GetInt32())
                .ShouldBe(("parent", "parent", 1));
            top.RootElement.GetProperty("ancestors").EnumerateArray().Select(a => a.GetString()).ShouldBe(["parent"]);
            top.RootElement.GetProperty("subtree_delta").GetProperty("input_tokens").GetInt64().ShouldBe(10, "the moved subtree's totals, for live views");
        }

        // Another node, or a restart, sees the same.
        await CloseAsync(store);
        store = await OpenAsync();
        (await Read(store, "grandchild")).RootId.ShouldBe("parent");
        (await Read(store, "parent")).Subtree.InputTokens.ShouldBe(110);
    }

    [Fact]
    public async Task ASubAgentWhoseParentSpanCameFirstStartsUnderItWithOneEvent()
    {
        var store = await OpenAsync();
        await WriteOne(store, Spans("parent", starts: ["span-p"]));
        var head = (await store.ReadEventsAsync(new EventQuery(), CancellationToken.None))[^1].Seq;

        (await WriteOne(store, Spans("child", input: 5, waitsFor: ["span-p"]))).Succeeded.ShouldBeTrue();

        (await Read(store, "child")).ParentId.ShouldBe("parent");
        var events = await store.ReadEventsAsync(new EventQuery { AfterSeq = head }, CancellationToken.None);
        events.Select(e => (e.Type, e.SessionId)).ShouldBe([(EventTypes.SessionCreated, "child")], "created in its place: no move");
        (await Read(store, "parent")).Subtree.ShouldBe(new SubtreeTotals(2, 2, 5, 0, 0));
    }

    [Fact]
    public async Task AParentFromTheSameRequestIsCreatedFirstAndTheChildStartsUnderIt()
    {
        var store = await OpenAsync();
        var results = await store.WriteAsync([Spans("child", input: 2, parents: ["parent"]), Spans("parent", starts: ["span-p"])], CancellationToken.None);
        results.Count.ShouldBe(2, "one result per write sent, none for what the store adds");

        // The request's writes come parents first (TelemetryBatch.ToWrites); sent the other way, the child is moved.
        (await Read(store, "child")).ParentId.ShouldBe("parent");
        var events = await store.ReadEventsAsync(new EventQuery(), CancellationToken.None);
        events.Select(e => (e.Type, e.SessionId)).ShouldBe([(EventTypes.SessionCreated, "child"), (EventTypes.SessionCreated, "parent"), (EventTypes.SessionUpdated, "child")]);
    }

    [Fact]
    public async Task ALinkThatWouldMakeACycleOrTooDeepATreeIsNotKeptAndAPlacedSessionNeverMovesAgain()
    {
        var store = await OpenAsync();
        await WriteOne(store, Spans("a", starts: ["span-a"]));
        await WriteOne(store, Spans("b", waitsFor: ["span-a"], starts: ["span-b"]));
        (await Read(store, "b")).ParentId.ShouldBe("a");

        await WriteOne(store, Spans("a", waitsFor: ["span-b"]));
        (await Read(store, "a")).ParentId.ShouldBeNull("a under its own child would be a cycle");

        await WriteOne(store, Spans("other", starts: ["span-o"]));
        await WriteOne(store, Spans("b", waitsFor: ["span-o"]));
        (await Read(store, "b")).ParentId.ShouldBe("a", "the first parent stays");

        await WriteOne(store, Spans("deep", waitsFor: ["span-b"], maxDepth: 1));
        (await Read(store, "deep")).ParentId.ShouldBeNull("under b it would be at depth 2, past the limit of 1");
        (await Read(store, "a")).Subtree.Sessions.ShouldBe(2);
    }

    [Fact]
    public async Task AnExporterRetryRecordsTheSameLinksAndAddsNothing()
    {
        var store = await OpenAsync();
        var child = Spans("child", input: 4, waitsFor: ["span-p"]);
        var parent = Spans("parent", starts: ["span-p"]);
        await WriteOne(store, child);
        await WriteOne(store, parent);
        var head = (await store.ReadEventsAsync(new EventQuery(), CancellationToken.None))[^1].Seq;

        await WriteOne(store, child);
        await WriteOne(store, parent);

        (await store.ReadEventsAsync(new EventQuery { AfterSeq = head }, CancellationToken.None)).ShouldBeEmpty();
        (await Read(store, "parent")).Subtree.ShouldBe(new SubtreeTotals(2, 2, 4, 0, 0));
    }

    [Fact]
    public async Task ASpanOwnerLinksLateSubAgentsForTheTelemetryWindowAndNoLongerOnEveryStore()
    {
        var store = await OpenAsync();
        await WriteOne(store, Spans("old-parent", starts: ["span-old"]));
        Time.Advance(TimeSpan.FromHours(12));
        await WriteOne(store, Spans("young-parent", starts: ["span-young"]));
        Time.Advance(TelemetryDedupe.Window - TimeSpan.FromHours(12) + TimeSpan.FromMinutes(1));

        await WriteOne(store, Spans("late-for-old", waitsFor: ["span-old"]));
        await WriteOne(store, Spans("late-for-young", waitsFor: ["span-young"]));
        (await Read(store, "late-for-old")).ParentId.ShouldBeNull("its parent's span was recorded longer than the window ago");
        (await Read(store, "late-for-young")).ParentId.ShouldBe("young-parent", "its parent's span is within the window");

        // Whatever the store keeps in memory is read again on opening: the same window after a restart.
        await CloseAsync(store);
        store = await OpenAsync();
        await WriteOne(store, Spans("again-for-old", waitsFor: ["span-old"]));
        await WriteOne(store, Spans("again-for-young", waitsFor: ["span-young"]));
        (await Read(store, "again-for-old")).ParentId.ShouldBeNull();
        (await Read(store, "again-for-young")).ParentId.ShouldBe("young-parent");
    }
}
