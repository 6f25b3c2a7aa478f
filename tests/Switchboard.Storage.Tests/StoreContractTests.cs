using System.Text.Json;
using Switchboard.Core.Events;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;
using Switchboard.Testing;

namespace Switchboard.Storage.Tests;

/// <summary>
/// The store contract. Every backend runs this same suite through a subclass that says how to open a store on a
/// fresh database (and reopen it on the same one).
/// </summary>
public abstract partial class StoreContractTests : IAsyncLifetime
{
    private readonly List<ISessionStore> _opened = [];

    protected ManualTimeProvider Time { get; } = new();

    /// <summary>Opens (and initializes) a store on this test's database; call again to reopen the same data.</summary>
    private protected abstract Task<ISessionStore> OpenStoreAsync(TimeProvider time);

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var store in _opened)
        {
            await store.DisposeAsync();
        }
    }

    private protected async Task<ISessionStore> OpenAsync()
    {
        var store = await OpenStoreAsync(Time);
        _opened.Add(store);
        return store;
    }

    private protected async Task CloseAsync(ISessionStore store)
    {
        _opened.Remove(store);
        await store.DisposeAsync();
    }

    private static async Task<WriteResult> WriteOne(ISessionStore store, SessionWrite write) =>
        (await store.WriteAsync([write], CancellationToken.None))[0];

    [Fact]
    public async Task EachChangeAppendsOneEventWithTheNextSeq()
    {
        var store = await OpenAsync();
        var created = await WriteOne(store, new CreateSession { Id = "a" });
        var updated = await WriteOne(store, new UpdateSession("a") { State = SessionState.Working });
        var usage = await WriteOne(store, new AddUsage("a") { InputTokens = 5 });

        created.Event!.Seq.ShouldBe(1);
        updated.Event!.Seq.ShouldBe(2);
        usage.Event!.Seq.ShouldBe(3);
        created.Session!.CreatedSeq.ShouldBe(1);

        var events = await store.ReadEventsAsync(new EventQuery(), CancellationToken.None);
        events.Select(e => e.Type).ShouldBe([EventTypes.SessionCreated, EventTypes.SessionUpdated, EventTypes.SessionUpdated]);
        var stored = await store.GetSessionAsync("a", CancellationToken.None);
        stored!.Version.ShouldBe(3);
        stored.InputTokens.ShouldBe(5);
    }

    [Fact]
    public async Task ARefusedWriteInABatchLeavesNoTraceAndTheOthersCommit()
    {
        var store = await OpenAsync();
        var results = await store.WriteAsync(
        [
            new CreateSession { Id = "a" },
            new UpdateSession("missing") { Name = "x" },
            new CreateSession { Id = "a" },
            new UpdateSession("a") { State = SessionState.Working },
        ], CancellationToken.None);

        results.Select(r => r.Succeeded).ShouldBe([true, false, false, true]);
        results[3].Event!.Seq.ShouldBe(2);
        (await store.ReadEventsAsync(new EventQuery(), CancellationToken.None)).Count.ShouldBe(2);
        (await store.GetSessionAsync("missing", CancellationToken.None)).ShouldBeNull();
        (await store.GetSessionAsync("a", CancellationToken.None))!.Version.ShouldBe(2);
    }

    [Fact]
    public async Task LaterWritesInABatchSeeEarlierOnes()
    {
        var store = await OpenAsync();
        var results = await store.WriteAsync(
        [
            new CreateSession { Id = "a" },
            new AddUsage("a") { InputTokens = 1 },
            new AddUsage("a") { InputTokens = 2 },
            new TerminateSession("a"),
        ], CancellationToken.None);
        results.ShouldAllBe(r => r.Succeeded);
        results[3].Session!.InputTokens.ShouldBe(3);
        results[3].Session!.Version.ShouldBe(4);
    }

    [Fact]
    public async Task TheEpochIsCreatedWithTheDatabaseAndSurvivesReopening()
    {
        var store = await OpenAsync();
        var first = (await store.LoadStateAsync(CancellationToken.None)).Epoch;
        first.ShouldNotBeNullOrWhiteSpace();
        await WriteOne(store, new CreateSession { Id = "a" });
        await CloseAsync(store);

        var reopened = await OpenAsync();
        var state = await reopened.LoadStateAsync(CancellationToken.None);
        state.Epoch.ShouldBe(first);
        state.HeadSeq.ShouldBe(1);
    }

    [Fact]
    public async Task SeqIsNeverReusedEvenAfterEverythingIsPurged()
    {
        var store = await OpenAsync();
        for (var i = 0; i < 5; i++)
        {
            await WriteOne(store, new CreateSession { Id = "s" + i });
        }

        Time.Advance(TimeSpan.FromHours(25));
        var purged = await store.PurgeAsync(RetentionPolicy.Default, Time.GetUtcNow(), CancellationToken.None);
        purged.ShouldBe(5);
        var bounds = await store.GetLogBoundsAsync(CancellationToken.None);
        bounds.ShouldBe(new LogBounds(6, 5));
        await CloseAsync(store);

        var reopened = await OpenAsync();
        (await reopened.GetLogBoundsAsync(CancellationToken.None)).ShouldBe(new LogBounds(6, 5));
        (await WriteOne(reopened, new CreateSession { Id = "next" })).Event!.Seq.ShouldBe(6);
    }

    [Fact]
    public async Task RetentionByCountKeepsTheNewestEventsAsOneContiguousRange()
    {
        var store = await OpenAsync();
        for (var i = 0; i < 10; i++)
        {
            await WriteOne(store, new CreateSession { Id = "s" + i });
        }

        await store.PurgeAsync(new RetentionPolicy(TimeSpan.FromDays(1), MaxEvents: 4), Time.GetUtcNow(), CancellationToken.None);
        var bounds = await store.GetLogBoundsAsync(CancellationToken.None);
        bounds.ShouldBe(new LogBounds(7, 10));
        bounds.CanResumeFrom(6).ShouldBeTrue();
        bounds.CanResumeFrom(5).ShouldBeFalse();
        (await store.ReadEventsAsync(new EventQuery(), CancellationToken.None)).Select(e => e.Seq).ShouldBe([7L, 8, 9, 10]);
        // Sessions are not events: purging the log keeps every session.
        (await store.GetSessionAsync("s0", CancellationToken.None)).ShouldNotBeNull();
    }

    [Fact]
    public async Task RetentionByAgeDropsOnlyOldEvents()
    {
        var store = await OpenAsync();
        await WriteOne(store, new CreateSession { Id = "old" });
        Time.Advance(TimeSpan.FromHours(2));
        await WriteOne(store, new CreateSession { Id = "new" });
        await store.PurgeAsync(new RetentionPolicy(TimeSpan.FromHours(1), 1000), Time.GetUtcNow(), CancellationToken.None);
        (await store.ReadEventsAsync(new EventQuery(), CancellationToken.None)).Select(e => e.SessionId).ShouldBe(["new"]);
    }

    [Fact]
    public async Task ReadEventsHonoursAfterUpToSessionAndLimit()
    {
        var store = await OpenAsync();
        await store.WriteAsync([new CreateSession { Id = "a" }, new CreateSession { Id = "b" }], CancellationToken.None);
        await store.WriteAsync([new AddUsage("a") { InputTokens = 1 }, new AddUsage("b") { InputTokens = 1 }, new AddUsage("a") { InputTokens = 1 }], CancellationToken.None);

        (await store.ReadEventsAsync(new EventQuery { AfterSeq = 2 }, CancellationToken.None)).Select(e => e.Seq).ShouldBe([3L, 4, 5]);
        (await store.ReadEventsAsync(new EventQuery { AfterSeq = 1, UpToSeq = 3 }, CancellationToken.None)).Select(e => e.Seq).ShouldBe([2L, 3]);
        (await store.ReadEventsAsync(new EventQuery { SessionId = "a" }, CancellationToken.None)).Select(e => e.Seq).ShouldBe([1L, 3, 5]);
        (await store.ReadEventsAsync(new EventQuery { Limit = 2 }, CancellationToken.None)).Select(e => e.Seq).ShouldBe([1L, 2]);
    }

    [Fact]
    public async Task StoredEventDataRebuildsTheSession()
    {
        var store = await OpenAsync();
        await WriteOne(store, new CreateSession { Id = "a", Labels = new Dictionary<string, string> { ["team"] = "x" }, Metadata = """{"m":1}""" });
        await WriteOne(store, new UpdateSession("a") { State = SessionState.Error, ErrorMessage = "bad" });
        await WriteOne(store, new AddUsage("a") { CostUsd = 1.25m, OutputTokens = 7 });

        Session? rebuilt = null;
        foreach (var e in await store.ReadEventsAsync(new EventQuery(), CancellationToken.None))
        {
            rebuilt = SessionEventApplier.Apply(rebuilt, e);
        }

        var stored = (await store.GetSessionAsync("a", CancellationToken.None))!;
        JsonSerializer.Serialize(rebuilt! with { Labels = stored.Labels, LeaseExpiresAt = null })
            .ShouldBe(JsonSerializer.Serialize(stored with { LeaseExpiresAt = null }));
        rebuilt!.Labels["team"].ShouldBe("x");
    }

    [Fact]
    public async Task LoadStateReturnsActiveSessionsAndTotalsOverAllSessions()
    {
        var store = await OpenAsync();
        await store.WriteAsync(
        [
            new CreateSession { Id = "a", State = SessionState.Working, InputTokens = 10, CostUsd = 0.1m },
            new CreateSession { Id = "b", OutputTokens = 5, CostUsd = 0.2m },
            new CreateSession { Id = "c" },
            new TerminateSession("c"),
            new SetFleetPaused(true),
        ], CancellationToken.None);

        var state = await store.LoadStateAsync(CancellationToken.None);
        state.HeadSeq.ShouldBe(5);
        state.FleetPaused.ShouldBeTrue();
        state.ActiveSessions.Select(s => s.Id).ShouldBe(["a", "b"], ignoreOrder: true);
        state.Totals.Counts[SessionState.Working].ShouldBe(1);
        state.Totals.Counts[SessionState.Initializing].ShouldBe(1);
        state.Totals.Counts[SessionState.Terminated].ShouldBe(1);
        state.Totals.InputTokens.ShouldBe(10);
        state.Totals.OutputTokens.ShouldBe(5);
        state.Totals.CostUsd.ShouldBe(0.3m);
    }

    /// <summary>
    /// <c>waiting</c> (blocked on a person) is stored by name like every state: it is active (loaded, counted, listed as
    /// active, in the per-label active counts), counted under its own name after a reopen, filtered on, and its lease
    /// runs out like any live state's.
    /// </summary>
    [Fact]
    public async Task AWaitingSessionIsActiveCountedFilteredAndItsLeaseExpiresLikeAnyLiveState()
    {
        var store = await OpenAsync();
        var red = new Dictionary<string, string> { ["team"] = "red" };
        await store.WriteAsync(
        [
            new CreateSession { Id = "asks", State = SessionState.Waiting, Labels = red, LeaseSeconds = 30 },
            new CreateSession { Id = "works", State = SessionState.Working, Labels = red },
            new CreateSession { Id = "done", State = SessionState.Working },
            new TerminateSession("done"),
        ], CancellationToken.None);
        await store.WriteAsync([new UpdateSession("works") { State = SessionState.Waiting }], CancellationToken.None);
        await store.WriteAsync([new UpdateSession("works") { State = SessionState.Working }, new UpdateSession("works") { State = SessionState.Waiting }],
            CancellationToken.None);

        await CloseAsync(store);
        store = await OpenAsync();
        var state = await store.LoadStateAsync(CancellationToken.None);
        state.ActiveSessions.Select(s => (s.Id, s.State)).ShouldBe([("asks", SessionState.Waiting), ("works", SessionState.Waiting)], ignoreOrder: true);
        state.Totals.Counts[SessionState.Waiting].ShouldBe(2);
        state.Totals.Counts[SessionState.Working].ShouldBe(0);
        state.Totals.Counts[SessionState.Terminated].ShouldBe(1);

        async Task<List<string>> Ids(SessionQuery q) => (await store.ListSessionsAsync(q, CancellationToken.None)).Sessions.Select(s => s.Id).ToList();
        (await Ids(new SessionQuery { States = [SessionState.Waiting], Limit = 100 })).ShouldBe(["works", "asks"]);
        (await Ids(new SessionQuery { Active = true, Limit = 100 })).ShouldBe(["works", "asks"]);
        UsageRecount.ShouldMatch(await UsageRecount.ReadAllAsync(store, TestUsage.GroupBy),
            UsageRecount.FromLog(await store.ReadEventsAsync(new EventQuery(), CancellationToken.None), TestUsage.GroupBy));

        Time.Advance(TimeSpan.FromSeconds(31));
        (await store.FindExpiredLeasesAsync(Time.GetUtcNow(), 10, CancellationToken.None)).ShouldBe(["asks"]);
    }

    [Fact]
    public async Task ListingFiltersByStateLabelsAndActivityAndPagesNewestFirst()
    {
        var store = await OpenAsync();
        var writes = new List<SessionWrite>();
        for (var i = 0; i < 7; i++)
        {
            writes.Add(new CreateSession
            {
                Id = $"s{i}",
                State = i % 2 == 0 ? SessionState.Working : SessionState.Idle,
                Labels = new Dictionary<string, string> { ["team"] = i < 4 ? "red" : "blue" },
            });
        }

        writes.Add(new TerminateSession("s6"));
        await store.WriteAsync(writes, CancellationToken.None);

        async Task<List<string>> Ids(SessionQuery q) => (await store.ListSessionsAsync(q, CancellationToken.None)).Sessions.Select(s => s.Id).ToList();

        (await Ids(new SessionQuery { Limit = 100 })).ShouldBe(["s6", "s5", "s4", "s3", "s2", "s1", "s0"]);
        (await Ids(new SessionQuery { States = [SessionState.Working], Limit = 100 })).ShouldBe(["s4", "s2", "s0"]);
        (await Ids(new SessionQuery { Labels = new Dictionary<string, string> { ["team"] = "blue" }, Limit = 100 })).ShouldBe(["s6", "s5", "s4"]);
        (await Ids(new SessionQuery { Active = false, Limit = 100 })).ShouldBe(["s6"]);
        (await Ids(new SessionQuery { Active = true, Labels = new Dictionary<string, string> { ["team"] = "blue" }, Limit = 100 })).ShouldBe(["s5", "s4"]);

        var page1 = await store.ListSessionsAsync(new SessionQuery { Limit = 3 }, CancellationToken.None);
        page1.Sessions.Select(s => s.Id).ShouldBe(["s6", "s5", "s4"]);
        var page2 = await store.ListSessionsAsync(new SessionQuery { Limit = 3, BeforeCreatedSeq = page1.NextCursor }, CancellationToken.None);
        page2.Sessions.Select(s => s.Id).ShouldBe(["s3", "s2", "s1"]);
        var page3 = await store.ListSessionsAsync(new SessionQuery { Limit = 3, BeforeCreatedSeq = page2.NextCursor }, CancellationToken.None);
        page3.Sessions.Select(s => s.Id).ShouldBe(["s0"]);
        page3.NextCursor.ShouldBeNull();
    }

    /// <summary>
    /// A store may write an update that keeps a session's state and lease differently from one that changes them
    /// (SQLite leaves the indexed columns out): both kinds, in turn, must leave what the state filter, the lease sweep
    /// and the active subtree read exactly as the rows say.
    /// </summary>
    [Fact]
    public async Task UpdatesThatKeepOrChangeTheStateAndLeaseAreBothSeenByTheFiltersAndTheSweep()
    {
        var store = await OpenAsync();
        await store.WriteAsync(
        [
            new CreateSession { Id = "root", State = SessionState.Working },
            new CreateSession { Id = "a", State = SessionState.Working, LeaseSeconds = 30, ParentId = "root" },
            new CreateSession { Id = "b", State = SessionState.Working, ParentId = "root" },
        ], CancellationToken.None);
        async Task<List<string>> Ids(SessionQuery q) => (await store.ListSessionsAsync(q, CancellationToken.None)).Sessions.Select(s => s.Id).ToList();

        await WriteOne(store, new UpdateSession("b") { Name = "kept state" });
        await WriteOne(store, new UpdateSession("b") { State = SessionState.Idle });
        await WriteOne(store, new UpdateSession("b") { Name = "kept again" });
        await WriteOne(store, new UpdateSession("a") { Name = "kept state and lease" });
        (await Ids(new SessionQuery { States = [SessionState.Idle], Limit = 10 })).ShouldBe(["b"]);
        (await Ids(new SessionQuery { States = [SessionState.Working], Limit = 10 })).ShouldBe(["a", "root"]);

        await WriteOne(store, new UpdateSession("a") { LeaseSeconds = 300 });
        Time.Advance(TimeSpan.FromSeconds(31));
        (await store.FindExpiredLeasesAsync(Time.GetUtcNow(), 10, CancellationToken.None)).ShouldBeEmpty();
        await WriteOne(store, new TerminateSession("b"));
        await WriteOne(store, new UpdateSession("a") { Name = "still working" });

        await CloseAsync(store);
        store = await OpenAsync();
        (await Ids(new SessionQuery { States = [SessionState.Working], Limit = 10 })).ShouldBe(["a", "root"]);
        (await Ids(new SessionQuery { Active = false, Limit = 10 })).ShouldBe(["b"]);
        var ended = await WriteOne(store, new TerminateSession("root") { Cascade = true });
        ended.Succeeded.ShouldBeTrue();
        (await store.GetSessionAsync("a", CancellationToken.None))!.State.ShouldBe(SessionState.Terminated);
        (await Ids(new SessionQuery { Active = true, Limit = 10 })).ShouldBeEmpty();
    }

    [Fact]
    public async Task ExpiredLeasesAreFoundOnlyForActiveSessionsPastTheirDeadline()
    {
        var store = await OpenAsync();
        await store.WriteAsync(
        [
            new CreateSession { Id = "short", LeaseSeconds = 10 },
            new CreateSession { Id = "long", LeaseSeconds = 100 },
            new CreateSession { Id = "none" },
            new CreateSession { Id = "ended", LeaseSeconds = 10 },
            new TerminateSession("ended"),
            new CreateSession { Id = "finishing", LeaseSeconds = 10 },
            new UpdateSession("finishing") { State = SessionState.Terminating },
        ], CancellationToken.None);

        Time.Advance(TimeSpan.FromSeconds(11));
        (await store.FindExpiredLeasesAsync(Time.GetUtcNow(), 10, CancellationToken.None)).Order().ShouldBe(["finishing", "short"]);
        var expired = await WriteOne(store, new ExpireLease("short"));
        expired.Session!.State.ShouldBe(SessionState.Error);
        (await WriteOne(store, new ExpireLease("finishing"))).Session!.State.ShouldBe(SessionState.Terminated);
        (await store.FindExpiredLeasesAsync(Time.GetUtcNow(), 10, CancellationToken.None)).ShouldBeEmpty();
    }

    [Fact]
    public async Task TheFeedDeliversCommittedEventsInOrder()
    {
        var store = await OpenAsync();
        await WriteOne(store, new CreateSession { Id = "before" });
        var sink = new EventRecorder();
        await store.Feed.StartAsync(1, sink, CancellationToken.None);
        await store.WriteAsync([new CreateSession { Id = "a" }, new AddUsage("a") { InputTokens = 1 }], CancellationToken.None);
        await WriteOne(store, new TerminateSession("a"));

        await TestTimeouts.Eventually(() => sink.Seqs.Count >= 3, "three events on the feed");
        sink.Seqs.ShouldBe([2L, 3, 4]);
    }

    [Fact]
    public async Task TheFleetFlagPersists()
    {
        var store = await OpenAsync();
        (await WriteOne(store, new SetFleetPaused(true))).Event!.Type.ShouldBe(EventTypes.FleetUpdated);
        await CloseAsync(store);
        (await (await OpenAsync()).LoadStateAsync(CancellationToken.None)).FleetPaused.ShouldBeTrue();
    }
}
