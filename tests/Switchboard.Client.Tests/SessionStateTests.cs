using System.Text;
using System.Text.Json;
using Switchboard.Client.Json;
using Switchboard.Testing;

namespace Switchboard.Client.Tests;

/// <summary>
/// The <c>waiting</c> state through the SDK against a real server, and a state the SDK does not know: a newer server's
/// state is read, kept by its wire name and counted, never refused. A real server only sends states this SDK knows, so
/// an unknown one is made by renaming <c>waiting</c> on its way from the real server, and by crafted envelopes.
/// </summary>
public sealed class SessionStateTests(ClientServerFixture fixture) : IClassFixture<ClientServerFixture>
{
    private SwitchboardClient Client => fixture.Client;

    [Fact]
    public async Task ASessionGoesWorkingThenWaitingThenWorkingThroughWritesReadsAndTheLiveStream()
    {
        var id = ClientServerFixture.NewId("asks");
        await Client.CreateSessionAsync(new NewSession { Id = id, State = SessionState.Working, Labels = new Dictionary<string, string> { ["flow"] = id } });
        await using var stream = new StreamReader(Client, "session:" + id);
        await stream.NextAsync<SnapshotReset>();

        var waiting = await Client.UpdateSessionAsync(id, new SessionUpdate { State = SessionState.Waiting });
        (waiting.State, waiting.StateName, waiting.IsActive).ShouldBe((SessionState.Waiting, "waiting", true));
        (await Client.GetSessionAsync(id))!.State.ShouldBe(SessionState.Waiting);
        (await Client.HeartbeatAsync(id)).State.ShouldBe(SessionState.Waiting);
        var filtered = await Client.ListSessionsAsync(new SessionQuery { States = [SessionState.Waiting], Labels = new Dictionary<string, string> { ["flow"] = id } });
        filtered.Sessions.Select(s => s.Id).ShouldBe([id]);
        (await Client.GetSummaryAsync()).Count(SessionState.Waiting).ShouldBeGreaterThanOrEqualTo(1);

        await Client.UpdateSessionAsync(id, new SessionUpdate { State = SessionState.Working });
        (await Client.ListSessionsAsync(new SessionQuery { States = [SessionState.Waiting], Labels = new Dictionary<string, string> { ["flow"] = id } }))
            .Sessions.ShouldBeEmpty();

        var toWaiting = await stream.NextAsync<SessionUpdatedEvent>();
        (toWaiting.PreviousState, toWaiting.State, toWaiting.StateName).ShouldBe((SessionState.Working, SessionState.Waiting, "waiting"));
        var back = await stream.NextAsync<SessionUpdatedEvent>();
        (back.PreviousState, back.State).ShouldBe((SessionState.Waiting, SessionState.Working));
    }

    [Fact]
    public async Task AStateTheClientDoesNotKnowIsReadKeptByNameAndCountedFromARealServer()
    {
        var id = ClientServerFixture.NewId("napping");
        await Client.CreateSessionAsync(new NewSession { Id = id, State = SessionState.Working });
        await Client.UpdateSessionAsync(id, new SessionUpdate { State = SessionState.Waiting });
        using var handler = new RenamingHandler("\"waiting\"", "\"napping\"");
        using var older = new SwitchboardClient(fixture.Server.BaseAddress, new SwitchboardClientOptions { HttpHandler = handler });

        var session = (await older.GetSessionAsync(id))!;
        (session.State, session.StateName, session.IsActive).ShouldBe((SessionState.Unknown, "napping", true));
        (await older.ListSessionsAsync(new SessionQuery { Limit = 1000 })).Sessions.Single(s => s.Id == id).StateName.ShouldBe("napping");
        var beat = await older.HeartbeatAsync(id);
        (beat.State, beat.StateName).ShouldBe((SessionState.Unknown, "napping"));

        var summary = await older.GetSummaryAsync();
        summary.Count(SessionState.Unknown).ShouldBe((await Client.GetSummaryAsync()).Count(SessionState.Waiting));
        summary.Count(SessionState.Unknown).ShouldBeGreaterThanOrEqualTo(1);
        summary.Count(SessionState.Waiting).ShouldBe(0, "this client never heard the name 'waiting'");

        var events = (await older.GetEventsAsync(sessionId: id)).Events;
        var update = events.OfType<SessionUpdatedEvent>().Single();
        (update.PreviousState, update.State, update.StateName).ShouldBe((SessionState.Working, SessionState.Unknown, "napping"));
        var created = events.OfType<SessionCreatedEvent>().Single();
        update.ApplyTo(created.Session).ShouldBe(session);
        (await older.TerminateSessionAsync(id, "done")).State.ShouldBe(SessionState.Terminated);
    }

    [Fact]
    public async Task AHandleKeepsAStateItDoesNotKnowFromItsHeartbeats()
    {
        using var handler = new RenamingHandler("\"waiting\"", "\"napping\"");
        using var older = new SwitchboardClient(fixture.Server.BaseAddress, new SwitchboardClientOptions { HttpHandler = handler });
        await using var handle = await older.StartSessionAsync(new NewSession { State = SessionState.Working, LeaseSeconds = 3 });

        // Another producer (a hook, an operator) moves it; the handle hears the new state in its next heartbeat's answer.
        await Client.UpdateSessionAsync(handle.Id, new SessionUpdate { State = SessionState.Waiting });
        await TestTimeouts.Eventually(() => handle.Session.StateName == "napping", "the handle's session takes the state its heartbeat answered");
        (handle.Session.State, handle.IsTerminated, handle.Session.IsActive).ShouldBe((SessionState.Unknown, false, true));
    }

    [Fact]
    public void CraftedEnvelopesWithAnUnknownStateAreTypedEventsThatKeepItsName()
    {
        var created = (SessionCreatedEvent)Read($$$"""
            {"seq":7,"epoch":"e","type":"session_created","session_id":"s1","at":"2026-01-01T00:00:00.000Z",
             "data":{"session":{{{SessionJson("s1", "hibernating")}}},"active_count":3}}
            """);
        (created.Session.State, created.Session.StateName, created.Session.IsActive).ShouldBe((SessionState.Unknown, "hibernating", true));

        var updated = (SessionUpdatedEvent)Read("""
            {"seq":8,"epoch":"e","type":"session_updated","session_id":"s1","at":"2026-01-01T00:00:01.000Z",
             "data":{"changes":{"state":"dreaming","updated_at":"2026-01-01T00:00:01.000Z"},"previous_state":"hibernating","version":2}}
            """);
        (updated.PreviousState, updated.PreviousStateName, updated.State, updated.StateName)
            .ShouldBe((SessionState.Unknown, "hibernating", SessionState.Unknown, "dreaming"));
        var after = updated.ApplyTo(created.Session);
        (after.State, after.StateName, after.Version).ShouldBe((SessionState.Unknown, "dreaming", 2L));
        after.ShouldNotBe(created.Session with { Version = 2, UpdatedAt = after.UpdatedAt }, "two unknown states differ by name");

        var known = (SessionUpdatedEvent)Read("""
            {"seq":9,"epoch":"e","type":"session_updated","session_id":"s1","at":"2026-01-01T00:00:02.000Z",
             "data":{"changes":{"state":"waiting","updated_at":"2026-01-01T00:00:02.000Z"},"previous_state":"dreaming","version":3}}
            """);
        (known.PreviousState, known.State).ShouldBe((SessionState.Unknown, SessionState.Waiting));
        known.ApplyTo(after).State.ShouldBe(SessionState.Waiting);

        var summary = ((SummaryEvent)Read("""
            {"seq":null,"epoch":"e","type":"summary","session_id":null,"at":"2026-01-01T00:00:02.000Z",
             "data":{"as_of_seq":9,"active_count":6,"total_count":7,"counts":{"working":1,"waiting":2,"dreaming":1,"hibernating":2,"terminated":1}}}
            """)).Summary;
        (summary.Count(SessionState.Working), summary.Count(SessionState.Waiting), summary.Count(SessionState.Unknown), summary.Count(SessionState.Terminated))
            .ShouldBe((1L, 2L, 3L, 1L));
    }

    [Fact]
    public void UnknownIsNeverSentAndIsNoStateOfTheList()
    {
        SessionStates.All.ShouldNotContain(SessionState.Unknown);
        SessionStates.All.Select(s => s.ToWire()).ShouldBe(["initializing", "idle", "working", "paused", "error", "terminating", "terminated", "waiting"]);
        SessionStates.TryParse("dreaming", out _).ShouldBeFalse();
        Should.Throw<ArgumentOutOfRangeException>(() => SessionState.Unknown.ToWire());
        Should.Throw<ArgumentOutOfRangeException>(() => new Session { Id = "x", State = SessionState.Unknown });
        new Session { Id = "x", StateName = "dreaming" }.State.ShouldBe(SessionState.Unknown);
        new Session { Id = "x", State = SessionState.Waiting }.StateName.ShouldBe("waiting");
        new Session { Id = "x" }.StateName.ShouldBe("initializing");
    }

    [Fact]
    public async Task AnUpdateToUnknownIsRefusedBeforeAnythingIsSent()
    {
        var id = ClientServerFixture.NewId("never");
        await Client.CreateSessionAsync(new NewSession { Id = id });
        await Should.ThrowAsync<ArgumentOutOfRangeException>(() => Client.UpdateSessionAsync(id, new SessionUpdate { State = SessionState.Unknown }));
        (await Client.GetSessionAsync(id))!.Version.ShouldBe(1);
    }

    private static SwitchboardEvent Read(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return WireJson.ReadEvent(doc.RootElement);
    }

    private static string SessionJson(string id, string state) => $$$"""
        {"id":"{{{id}}}","name":null,"state":"{{{state}}}","labels":{},"metadata":{},"error_message":null,"input_tokens":0,"output_tokens":0,
         "total_tokens":0,"cost_usd":0,"tasks_running":0,"lease_seconds":null,"created_at":"2026-01-01T00:00:00.000Z",
         "updated_at":"2026-01-01T00:00:00.000Z","terminated_at":null,"version":1,"accepts_commands":true,"parent_id":null,"root_id":"{{{id}}}",
         "depth":0,"subtree":{"sessions":1,"active":1,"input_tokens":0,"output_tokens":0,"total_tokens":0,"cost_usd":0}}
        """;

    /// <summary>Plays a server newer than the client: rewrites one string in every answer from the real server.</summary>
    private sealed class RenamingHandler(string from, string to) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (body.Contains(from, StringComparison.Ordinal))
            {
                var media = response.Content.Headers.ContentType?.MediaType ?? "application/json";
                response.Content = new StringContent(body.Replace(from, to, StringComparison.Ordinal), Encoding.UTF8, media);
            }

            return response;
        }
    }
}
