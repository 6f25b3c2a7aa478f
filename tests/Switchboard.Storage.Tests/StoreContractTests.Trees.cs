using System.Text.Json;
using Switchboard.Core.Events;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;

namespace Switchboard.Storage.Tests;

/// <summary>
/// Trees: a session's place (parent, root, depth) and its <c>subtree</c> totals, rolled up into every ancestor in the
/// write's own transaction; the refusals that write nothing; cascading terminates; the tree reads and the subtree replay.
/// </summary>
public abstract partial class StoreContractTests
{
    private static ITreeStore Trees(ISessionStore store) => (ITreeStore)store;

    private static async Task<Session> Read(ISessionStore store, string id) =>
        (await store.GetSessionAsync(id, CancellationToken.None)).ShouldNotBeNull($"session '{id}' exists");

    /// <summary>A chain root → c1 → c2 → … → c{depth}.</summary>
    private static async Task Chain(ISessionStore store, int depth)
    {
        await WriteOne(store, new CreateSession { Id = "root" });
        for (var i = 1; i <= depth; i++)
        {
            (await WriteOne(store, new CreateSession { Id = $"c{i}", ParentId = i == 1 ? "root" : $"c{i - 1}" })).Succeeded.ShouldBeTrue();
        }
    }

    [Fact]
    public async Task AChildKnowsItsPlaceAndEveryAncestorCountsItsUsageExactly()
    {
        var store = await OpenAsync();
        await Chain(store, 3);
        await WriteOne(store, new AddUsage("c3") { InputTokens = 10, OutputTokens = 5, CostUsd = 0.1m });
        await WriteOne(store, new AddUsage("c2") { InputTokens = 1, CostUsd = 0.0000001m });
        await WriteOne(store, new AddUsage("c3") { CostUsd = 0.2m });

        var c3 = await Read(store, "c3");
        (c3.ParentId, c3.RootId, c3.Depth).ShouldBe(("c2", "root", 3));
        c3.Subtree.ShouldBe(new SubtreeTotals(1, 1, 10, 5, 0.3m));
        (await Read(store, "c2")).Subtree.ShouldBe(new SubtreeTotals(2, 2, 11, 5, 0.3000001m));
        (await Read(store, "c1")).Subtree.ShouldBe(new SubtreeTotals(3, 3, 11, 5, 0.3000001m));
        var root = await Read(store, "root");
        (root.ParentId, root.RootId, root.Depth).ShouldBe(((string?)null, "root", 0));
        root.Subtree.ShouldBe(new SubtreeTotals(4, 4, 11, 5, 0.3000001m));
        root.Version.ShouldBe(1, "an ancestor's totals change without a change of its own: no version, no event");

        var events = await store.ReadEventsAsync(new EventQuery(), CancellationToken.None);
        events.Count.ShouldBe(7, "one event per write, none per ancestor");
        using var last = JsonDocument.Parse(events[^1].Data);
        last.RootElement.GetProperty("ancestors").EnumerateArray().Select(a => a.GetString()).ShouldBe(["root", "c1", "c2"]);
        last.RootElement.GetProperty("subtree_delta").GetProperty("cost_usd").GetDecimal().ShouldBe(0.2m);
        last.RootElement.GetProperty("subtree_delta").GetProperty("sessions").GetInt64().ShouldBe(0);
        last.RootElement.GetProperty("changes").GetProperty("subtree").GetProperty("cost_usd").GetDecimal().ShouldBe(0.3m, "the session's own totals are in changes");
        events[^1].TreePath.ShouldBe("root c1 c2 c3", "the path is recorded with the event");
    }

    [Fact]
    public async Task ManyChildrenInOneBatchRollUpOnceEachAndTerminationsLowerActive()
    {
        var store = await OpenAsync();
        await WriteOne(store, new CreateSession { Id = "p" });
        var writes = new List<SessionWrite>();
        for (var i = 0; i < 50; i++)
        {
            writes.Add(new CreateSession { Id = $"k{i}", ParentId = "p", InputTokens = i, CostUsd = 0.01m });
        }

        for (var i = 0; i < 50; i += 5)
        {
            writes.Add(new TerminateSession($"k{i}"));
        }

        (await store.WriteAsync(writes, CancellationToken.None)).ShouldAllBe(r => r.Succeeded);
        (await Read(store, "p")).Subtree.ShouldBe(new SubtreeTotals(51, 41, Enumerable.Range(0, 50).Sum(), 0, 0.5m));
        await CloseAsync(store);
        (await Read(await OpenAsync(), "p")).Subtree.ShouldBe(new SubtreeTotals(51, 41, Enumerable.Range(0, 50).Sum(), 0, 0.5m), "durable");
    }

    [Fact]
    public async Task AParentAndItsChildrenCreatedInOneBatchRollUp()
    {
        var store = await OpenAsync();
        (await store.WriteAsync(
        [
            new CreateSession { Id = "p", CostUsd = 1 },
            new CreateSession { Id = "q", ParentId = "p", CostUsd = 2 },
            new CreateSession { Id = "r", ParentId = "q", CostUsd = 4 },
            new AddUsage("r") { OutputTokens = 3 },
        ], CancellationToken.None)).ShouldAllBe(r => r.Succeeded);
        (await Read(store, "p")).Subtree.ShouldBe(new SubtreeTotals(3, 3, 0, 3, 7));
        (await Read(store, "q")).Subtree.ShouldBe(new SubtreeTotals(2, 2, 0, 3, 6));
        (await Read(store, "r")).TreePath.ShouldBe("p q r");
    }

    [Fact]
    public async Task AnUnknownParentATerminatedParentAndATooDeepTreeAreRefusedNamingParentIdAndWriteNothing()
    {
        var store = await OpenAsync();
        await Chain(store, 2);
        await WriteOne(store, new CreateSession { Id = "done" });
        await WriteOne(store, new TerminateSession("done"));
        var head = (await store.LoadStateAsync(CancellationToken.None)).HeadSeq;
        var before = await Read(store, "root");

        var unknown = await WriteOne(store, new CreateSession { Id = "x", ParentId = "nope" });
        (unknown.Error!.Code, unknown.Error.Field, unknown.Error.Kind).ShouldBe(("parent_not_found", "parent_id", Switchboard.Core.Errors.ErrorKind.NotFound));
        var terminated = await WriteOne(store, new CreateSession { Id = "x", ParentId = "done" });
        (terminated.Error!.Code, terminated.Error.Field, terminated.Error.Kind).ShouldBe(("parent_terminated", "parent_id", Switchboard.Core.Errors.ErrorKind.Conflict));
        var deep = await WriteOne(store, new CreateSession { Id = "x", ParentId = "c2", MaxTreeDepth = 2 });
        (deep.Error!.Code, deep.Error.Field, deep.Error.Kind).ShouldBe(("tree_too_deep", "parent_id", Switchboard.Core.Errors.ErrorKind.Invalid));
        deep.Error.Detail.ShouldContain("Switchboard:Sessions:MaxTreeDepth");

        (await store.LoadStateAsync(CancellationToken.None)).HeadSeq.ShouldBe(head, "no event");
        (await store.GetSessionAsync("x", CancellationToken.None)).ShouldBeNull("no row");
        (await Read(store, "root")).Subtree.ShouldBe(before.Subtree, "no ancestor changed");
        (await WriteOne(store, new CreateSession { Id = "x", ParentId = "c2", MaxTreeDepth = 3 })).Succeeded.ShouldBeTrue("depth 3 is within a limit of 3");
    }

    [Fact]
    public async Task AnIncrementThatWouldOverflowAnAncestorsTotalsIsRefused()
    {
        var store = await OpenAsync();
        await WriteOne(store, new CreateSession { Id = "p" });
        await WriteOne(store, new CreateSession { Id = "a", ParentId = "p", InputTokens = long.MaxValue / 2 });
        await WriteOne(store, new CreateSession { Id = "b", ParentId = "p" });
        var refused = await WriteOne(store, new AddUsage("b") { InputTokens = long.MaxValue / 2 + 10 });
        refused.Error!.Field.ShouldBe("input_tokens");
        refused.Error.Detail.ShouldContain("'p'");
        (await Read(store, "b")).InputTokens.ShouldBe(0);
        (await Read(store, "p")).Subtree.InputTokens.ShouldBe(long.MaxValue / 2);
    }

    [Fact]
    public async Task ACascadingTerminateEndsTheActiveSubtreeDeepestFirstInOneCommitAndAPlainOneEndsOnlyTheSession()
    {
        var store = await OpenAsync();
        await Chain(store, 2);
        await WriteOne(store, new CreateSession { Id = "side", ParentId = "root" });
        await WriteOne(store, new CreateSession { Id = "ended", ParentId = "c1" });
        await WriteOne(store, new TerminateSession("ended"));
        await WriteOne(store, new CreateSession { Id = "other" });

        var plain = await WriteOne(store, new TerminateSession("side"));
        plain.Session!.State.ShouldBe(SessionState.Terminated);
        (await Read(store, "c1")).State.ShouldBe(SessionState.Initializing, "a plain terminate leaves the rest running");
        var head = (await store.LoadStateAsync(CancellationToken.None)).HeadSeq;

        var cascade = await WriteOne(store, new TerminateSession("c1") { Cascade = true, Reason = "cancelled" });
        cascade.Session!.Id.ShouldBe("c1");
        cascade.Session.State.ShouldBe(SessionState.Terminated);
        cascade.Session.Subtree.Active.ShouldBe(0);
        var events = await store.ReadEventsAsync(new EventQuery { AfterSeq = head }, CancellationToken.None);
        events.Select(e => (e.Type, e.SessionId)).ShouldBe([(EventTypes.SessionTerminated, "c2"), (EventTypes.SessionTerminated, "c1")],
            "deepest first, the already ended child untouched");
        foreach (var e in events)
        {
            using var data = JsonDocument.Parse(e.Data);
            data.RootElement.GetProperty("reason").GetString().ShouldBe("cancelled");
        }

        (await Read(store, "root")).Subtree.ShouldBe(new SubtreeTotals(5, 1, 0, 0, 0), "only root itself is still active");
        (await Read(store, "other")).State.ShouldBe(SessionState.Initializing, "another tree is untouched");
        var state = await store.LoadStateAsync(CancellationToken.None);
        state.ActiveSessions.Select(s => s.Id).ShouldBe(["root", "other"], ignoreOrder: true);

        var missing = await WriteOne(store, new TerminateSession("nope") { Cascade = true });
        missing.Error!.Code.ShouldBe("session_not_found");
        var stale = await WriteOne(store, new TerminateSession("root") { Cascade = true, ExpectedVersion = 99 });
        stale.Error!.Code.ShouldBe("version_conflict");
        (await store.LoadStateAsync(CancellationToken.None)).HeadSeq.ShouldBe(state.HeadSeq, "refused cascades write nothing");
    }

    [Fact]
    public async Task ACascadeBelowATerminatedSessionEndsItsRunningDescendants()
    {
        var store = await OpenAsync();
        await Chain(store, 2);
        await WriteOne(store, new TerminateSession("c1"));
        var result = await WriteOne(store, new TerminateSession("c1") { Cascade = true });
        result.Succeeded.ShouldBeTrue();
        (await Read(store, "c2")).State.ShouldBe(SessionState.Terminated);
        (await Read(store, "root")).Subtree.Active.ShouldBe(1);
    }

    [Fact]
    public async Task ChildrenRootsAndParentFiltersAreReadFromTheIndexesWithCursors()
    {
        var store = await OpenAsync();
        await WriteOne(store, new CreateSession { Id = "p" });
        for (var i = 0; i < 5; i++)
        {
            await WriteOne(store, new CreateSession { Id = $"k{i}", ParentId = "p" });
        }

        await WriteOne(store, new CreateSession { Id = "g", ParentId = "k0" });
        await WriteOne(store, new CreateSession { Id = "q" });

        var first = await Trees(store).ListChildrenAsync("p", null, 3, CancellationToken.None);
        first.Sessions.Select(s => s.Id).ShouldBe(["k0", "k1", "k2"], "oldest first");
        var second = await Trees(store).ListChildrenAsync("p", first.NextCursor, 3, CancellationToken.None);
        second.Sessions.Select(s => s.Id).ShouldBe(["k3", "k4"]);
        second.NextCursor.ShouldBeNull();

        (await store.ListSessionsAsync(new SessionQuery { ParentId = "p" }, CancellationToken.None)).Sessions.Select(s => s.Id)
            .ShouldBe(["k4", "k3", "k2", "k1", "k0"], "the list keeps newest first");
        (await store.ListSessionsAsync(new SessionQuery { Roots = true }, CancellationToken.None)).Sessions.Select(s => s.Id).ShouldBe(["q", "p"]);
        (await store.ListSessionsAsync(new SessionQuery { Roots = false, Limit = 3 }, CancellationToken.None)).Sessions.Select(s => s.Id)
            .ShouldBe(["g", "k4", "k3"]);
    }

    [Fact]
    public async Task ASubtreeIsReadInTreeOrderPageByPageAsOfTheLogPosition()
    {
        var store = await OpenAsync();
        await WriteOne(store, new CreateSession { Id = "r" });
        await WriteOne(store, new CreateSession { Id = "b", ParentId = "r" });
        await WriteOne(store, new CreateSession { Id = "a", ParentId = "r" });
        await WriteOne(store, new CreateSession { Id = "a1", ParentId = "a" });
        await WriteOne(store, new CreateSession { Id = "a-", ParentId = "r" }); // '-' sorts before '1' and after ' '
        await WriteOne(store, new CreateSession { Id = "b2", ParentId = "b" });
        await WriteOne(store, new CreateSession { Id = "elsewhere" });
        await WriteOne(store, new CreateSession { Id = "rr", ParentId = "elsewhere" });

        var pages = new List<string>();
        string? cursor = null;
        TreePage page;
        do
        {
            page = (await Trees(store).ReadSubtreeAsync("r", cursor, 2, CancellationToken.None))!;
            page.AsOfSeq.ShouldBe(8);
            pages.AddRange(page.Sessions.Select(s => s.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        pages.ShouldBe(["r", "a", "a1", "a-", "b", "b2"], "each parent right before its subtree");
        (await Trees(store).ReadSubtreeAsync("a", null, 10, CancellationToken.None))!.Sessions.Select(s => s.Id).ShouldBe(["a", "a1"]);
        (await Trees(store).ReadSubtreeAsync("nope", null, 10, CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task ASubtreeReplayReadsTheEventsOfEveryDescendantAndNothingElse()
    {
        var store = await OpenAsync();
        await Chain(store, 2);
        await WriteOne(store, new CreateSession { Id = "c1x", ParentId = "root" }); // a sibling whose id starts like c1's
        await WriteOne(store, new AddUsage("c2") { InputTokens = 1 });
        await WriteOne(store, new AddUsage("c1x") { InputTokens = 1 });
        await WriteOne(store, new UpdateSession("c1") { State = SessionState.Working });
        await WriteOne(store, new UpdateSession("root") { State = SessionState.Working });

        var c1 = await Read(store, "c1");
        var events = await store.ReadEventsAsync(new EventQuery { Subtree = new SubtreeFilter("c1", c1.TreePath) }, CancellationToken.None);
        events.Select(e => (e.Type, e.SessionId)).ShouldBe(
        [
            (EventTypes.SessionCreated, "c1"), (EventTypes.SessionCreated, "c2"), (EventTypes.SessionUpdated, "c2"), (EventTypes.SessionUpdated, "c1"),
        ]);
        var afterTwo = await store.ReadEventsAsync(new EventQuery { AfterSeq = events[1].Seq, Subtree = new SubtreeFilter("c1", c1.TreePath) }, CancellationToken.None);
        afterTwo.Count.ShouldBe(2);
    }

    [Fact]
    public async Task ARootsSubtreeReplayHoldsItsOwnEventsAndEveryDescendantsButNoOtherTrees()
    {
        var store = await OpenAsync();
        await Chain(store, 2);
        await WriteOne(store, new CreateSession { Id = "other" });
        await WriteOne(store, new CreateSession { Id = "other-kid", ParentId = "other" });
        await WriteOne(store, new UpdateSession("root") { State = SessionState.Working });
        await WriteOne(store, new AddUsage("c2") { InputTokens = 1 });
        await WriteOne(store, new AddUsage("other-kid") { InputTokens = 1 });
        await WriteOne(store, new UpdateSession("other") { State = SessionState.Working });

        var root = await Read(store, "root");
        var events = await store.ReadEventsAsync(new EventQuery { Subtree = new SubtreeFilter("root", root.TreePath) }, CancellationToken.None);
        events.Select(e => (e.Type, e.SessionId)).ShouldBe(
        [
            (EventTypes.SessionCreated, "root"), (EventTypes.SessionCreated, "c1"), (EventTypes.SessionCreated, "c2"),
            (EventTypes.SessionUpdated, "root"), (EventTypes.SessionUpdated, "c2"),
        ]);
        events.ShouldAllBe(e => e.TreePath != null && e.TreePath.StartsWith("root", StringComparison.Ordinal));
    }
}
