using Switchboard.Core.Events;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.Streams;
using Switchboard.Core.Writes;
using Switchboard.Testing;

namespace Switchboard.Storage.Tests;

/// <summary>
/// A session's streams in its session write transaction: a create, close or delete of <c>sessions/{id}/{name}</c>
/// (<see cref="WriteSessionStream"/>) changes the session's <c>streams</c>, version and log in the same commit as the
/// stream, ordered with the session's other writes.
/// </summary>
public abstract partial class StreamStoreContractTests
{
    private static Task<IReadOnlyList<WriteResult>> WriteAsync(IStreamStore store, params SessionWrite[] writes) =>
        ((ISessionStore)store).WriteAsync(writes, CancellationToken.None).WaitAsync(TestTimeouts.Default);

    private static WriteSessionStream Of(string sessionId, string name, StreamWrite write) => new(sessionId, name, write);

    private static CreateStream SessionCreate(string sessionId, string name, string contentType = "text/plain") =>
        Create($"sessions/{sessionId}/{name}", contentType) with { SessionId = sessionId };

    [Fact]
    public async Task CreatingClosingAndDeletingASessionStreamChangeTheSessionAndAnAppendDoesNot()
    {
        var store = await OpenAsync();
        var sink = new RecordingSink();
        await store.StreamFeed.StartAsync(sink, CancellationToken.None);
        (await WriteAsync(store, new CreateSession { Id = "s1" }))[0].Session!.Version.ShouldBe(1);

        var created = (await WriteAsync(store, Of("s1", "output", SessionCreate("s1", "output"))))[0];
        created.Error.ShouldBeNull();
        created.Stream!.Status.ShouldBe(StreamStatus.Created);
        created.Event!.Type.ShouldBe(EventTypes.SessionUpdated);
        created.Session!.Version.ShouldBe(2);
        created.Session.Streams.ShouldBe([new SessionStream("output", "text/plain", false)]);
        (await RowAsync(store, "sessions/s1/output")).ShouldNotBeNull().SessionId.ShouldBe("s1");
        await sink.WaitForAsync(a => a.StreamId == created.Stream.Stream!.Id);

        (await CommitOneAsync(store, Append("sessions/s1/output", "hello"))).Status.ShouldBe(StreamStatus.Appended);
        (await ((ISessionStore)store).GetSessionAsync("s1", CancellationToken.None))!.Version.ShouldBe(2, "an append is not a change of the session");

        var again = (await WriteAsync(store, Of("s1", "output", SessionCreate("s1", "output"))))[0];
        (again.Stream!.Status, again.Event, again.Session!.Version).ShouldBe((StreamStatus.Matched, null, 2L), "a create that matches changes nothing");

        var json = (await WriteAsync(store, Of("s1", "events", SessionCreate("s1", "events", "application/json"))))[0];
        json.Session!.Streams.ShouldBe([new SessionStream("events", "application/json", false), new SessionStream("output", "text/plain", false)], "by name");

        var closed = (await WriteAsync(store, Of("s1", "output", new AppendStream("sessions/s1/output") { Close = true })))[0];
        (closed.Stream!.Status, closed.Session!.Version).ShouldBe((StreamStatus.Appended, 4L));
        closed.Session.Streams.ShouldContain(new SessionStream("output", "text/plain", true));
        var closedAgain = (await WriteAsync(store, Of("s1", "output", new AppendStream("sessions/s1/output") { Close = true })))[0];
        (closedAgain.Stream!.Status, closedAgain.Event).ShouldBe((StreamStatus.AlreadyClosed, null));

        var deleted = (await WriteAsync(store, Of("s1", "events", new DeleteStream("sessions/s1/events"))))[0];
        (deleted.Stream!.Status, deleted.Session!.Version).ShouldBe((StreamStatus.Deleted, 5L));
        deleted.Session.Streams.ShouldBe([new SessionStream("output", "text/plain", true)]);

        var refused = (await WriteAsync(store, Of("s1", "output", SessionCreate("s1", "output", "application/json"))))[0];
        (refused.Stream!.Status, refused.Event).ShouldBe((StreamStatus.Conflict, null), "a refused stream write is no change");

        await CloseAsync(store);
        var reopened = await OpenAsync();
        var stored = (await ((ISessionStore)reopened).GetSessionAsync("s1", CancellationToken.None)).ShouldNotBeNull();
        stored.Version.ShouldBe(5);
        stored.Streams.ShouldBe([new SessionStream("output", "text/plain", true)], "stored with the session");
        var events = await ((ISessionStore)reopened).ReadEventsAsync(new EventQuery { SessionId = "s1" }, CancellationToken.None);
        events.Where(e => e.SessionId == "s1").Select(e => e.Type).ShouldBe([EventTypes.SessionCreated, .. Enumerable.Repeat(EventTypes.SessionUpdated, 4)]);
    }

    [Fact]
    public async Task ACreateOrderedAfterTheSessionsEndIsRefusedAndOneBeforeItIsClosedWithIt()
    {
        var store = await OpenAsync();
        await WriteAsync(store, new CreateSession { Id = "s1" });
        await WriteAsync(store, new CreateSession { Id = "s2" });

        // One commit: a create, the end, and a create after it (as the group commit may take them from three requests).
        var results = await WriteAsync(store,
            Of("s1", "before", SessionCreate("s1", "before")),
            new TerminateSession("s1"),
            Of("s1", "after", SessionCreate("s1", "after")),
            Of("s2", "output", SessionCreate("s2", "output")));

        results[0].Stream!.Status.ShouldBe(StreamStatus.Created, "created while the session lived");
        results[1].Session!.Streams.ShouldBe([new SessionStream("before", "text/plain", true)], "the end closes what it lists");
        results[2].Error.ShouldNotBeNull().Code.ShouldBe("session_ended");
        results[2].Stream.ShouldBeNull("the stream was not touched");
        results[3].Stream!.Status.ShouldBe(StreamStatus.Created);
        (await RowAsync(store, "sessions/s1/before")).ShouldNotBeNull().Closed.ShouldBeTrue("no open stream on an ended session");
        (await RowAsync(store, "sessions/s1/after")).ShouldBeNull("a refused create leaves no stream");
        (await RowAsync(store, "sessions/s2/output")).ShouldNotBeNull().Closed.ShouldBeFalse();
        (results[0].Event!.Seq < results[1].Event!.Seq).ShouldBeTrue("the create is logged before the end");

        var late = (await WriteAsync(store, Of("s1", "later", SessionCreate("s1", "later"))))[0];
        late.Error.ShouldNotBeNull().Code.ShouldBe("session_ended");
        (await WriteAsync(store, Of("ghost", "output", SessionCreate("ghost", "output"))))[0].Error.ShouldNotBeNull().Code.ShouldBe("session_not_found");
        (await RowAsync(store, "sessions/ghost/output")).ShouldBeNull();
    }
}
