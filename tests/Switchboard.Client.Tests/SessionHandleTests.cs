using System.Diagnostics;
using Switchboard.Testing;

namespace Switchboard.Client.Tests;

/// <summary>The coalescing, heartbeating, self-terminating session handle against a real server.</summary>
public sealed class SessionHandleTests(ClientServerFixture fixture) : IClassFixture<ClientServerFixture>, IDisposable
{
    private readonly FaultInjectingHandler _wire = new();
    private SwitchboardClient? _client;

    private SwitchboardClient Client => _client ??= new SwitchboardClient(fixture.Server.BaseAddress, new SwitchboardClientOptions { HttpHandler = _wire });

    public void Dispose()
    {
        _client?.Dispose();
        _wire.Dispose();
    }

    [Fact]
    public async Task RapidUpdatesAreCoalescedIntoFewRequestsWithoutLosingAnything()
    {
        await using var handle = await Client.StartSessionAsync(new NewSession { Name = "busy" });
        var states = new[] { SessionState.Working, SessionState.Idle, SessionState.Paused };
        for (var i = 0; i < 300; i++)
        {
            handle.AddUsage(inputTokens: 1, outputTokens: 2, costUsd: 0.001m);
            handle.SetState(states[i % 3]);
            handle.SetTasksRunning(i);
            if (i % 50 == 0)
            {
                await Task.Delay(20); // a producer that is busy in between
            }
        }

        await handle.FlushAsync();

        var stored = (await Client.GetSessionAsync(handle.Id))!;
        stored.InputTokens.ShouldBe(300);
        stored.OutputTokens.ShouldBe(600);
        stored.CostUsd.ShouldBe(0.3m);
        stored.State.ShouldBe(states[299 % 3]); // last wins
        stored.TasksRunning.ShouldBe(299);
        var writes = _wire.Requests.Where(r => r.Method != "GET" && !r.Path.EndsWith("/api/sessions", StringComparison.Ordinal)).ToList();
        writes.Count.ShouldBeLessThan(40, "900 changes should travel in a handful of requests");
        // At most one request per 50 ms for this session. Measured over the whole run rather than gap by gap, since
        // when this handler sees each request jitters under load; 20 ms of slack covers the two ends.
        var span = writes[^1].At - writes[0].At;
        ((writes.Count - 1) * 50.0).ShouldBeLessThanOrEqualTo(span.TotalMilliseconds + 20,
            $"{writes.Count} requests in {span.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task TheHandleHeartbeatsSoALeasedSessionStaysAlive()
    {
        // A 6 s lease: the handle heartbeats every 2 s, so a late heartbeat on a loaded machine still leaves 4 s to spare.
        const int lease = 6;
        await using var handle = await Client.StartSessionAsync(new NewSession { State = SessionState.Working, LeaseSeconds = lease });
        var alive = Stopwatch.StartNew();
        // Control, created after the handle's session: the same lease without a handle runs out and the server moves it
        // to error. The check that does so runs after this lease's end, so also after the end of the handle's lease had
        // it not been renewed: the handle's session would have expired in that same check.
        var unattended = await fixture.Client.CreateSessionAsync(new NewSession { State = SessionState.Working, LeaseSeconds = lease });

        await TestTimeouts.Eventually(async () => (await fixture.Client.GetSessionAsync(unattended.Id))!.State == SessionState.Error,
            "the unattended session's lease expiring", TestTimeouts.Long);
        // And it keeps going: more heartbeats, one every third of the lease.
        await TestTimeouts.Eventually(() => _wire.Requests.Count(r => r.Path.EndsWith(handle.Id + "/heartbeat", StringComparison.Ordinal)) >= 4,
            "the handle's fourth heartbeat");

        (await Client.GetSessionAsync(handle.Id))!.State.ShouldBe(SessionState.Working);
        alive.Elapsed.ShouldBeGreaterThan(TimeSpan.FromSeconds(lease), "the session outlived its lease");
    }

    [Fact]
    public async Task DisposingSendsThePendingFinalStateThenTerminates()
    {
        var handle = await Client.StartSessionAsync(new NewSession { State = SessionState.Working });
        var id = handle.Id;
        handle.AddUsage(inputTokens: 42);
        handle.SetState(SessionState.Error, "model overloaded");

        await handle.DisposeAsync();

        var stored = (await Client.GetSessionAsync(id))!;
        stored.State.ShouldBe(SessionState.Terminated);
        stored.ErrorMessage.ShouldBe("model overloaded");
        stored.InputTokens.ShouldBe(42);
        var events = (await Client.GetEventsAsync(0, sessionId: id)).Events;
        events[^1].ShouldBeOfType<SessionTerminatedEvent>();
        events.OfType<SessionUpdatedEvent>().ShouldContain(e => e.State == SessionState.Error);
        handle.IsTerminated.ShouldBeTrue();
    }

    [Fact]
    public async Task TerminateReturnsTheFinalSessionAndLaterChangesAreRefused()
    {
        await using var handle = await Client.StartSessionAsync();
        handle.SetState(SessionState.Working);
        handle.SetName("finishing");

        var final = await handle.TerminateAsync("done");

        final.State.ShouldBe(SessionState.Terminated);
        final.Name.ShouldBe("finishing");
        handle.Session.ShouldBe(final);
        Should.Throw<InvalidOperationException>(() => handle.SetState(SessionState.Idle));
        (await Client.GetEventsAsync(0, sessionId: handle.Id)).Events[^1].ShouldBeOfType<SessionTerminatedEvent>().Reason.ShouldBe("done");
    }

    [Fact]
    public async Task AChangeMadeBySomeoneElseDoesNotBlockTheHandle()
    {
        await using var handle = await Client.StartSessionAsync(new NewSession { State = SessionState.Working });
        handle.SetTasksRunning(1);
        await handle.FlushAsync();
        // An operator renames the session: the handle's known version is now stale.
        await fixture.Client.UpdateSessionAsync(handle.Id, new SessionUpdate { Name = "renamed by operator" });

        handle.SetState(SessionState.Idle);
        await handle.FlushAsync();

        var stored = (await Client.GetSessionAsync(handle.Id))!;
        stored.State.ShouldBe(SessionState.Idle);
        stored.Name.ShouldBe("renamed by operator");
        handle.Session.ShouldBe(stored);
    }

    [Fact]
    public async Task ARefusedChangeSurfacesFromFlushAndTheError()
    {
        await using var handle = await Client.StartSessionAsync(new NewSession { State = SessionState.Working });
        var errors = new List<SessionHandleErrorEventArgs>();
        handle.Error += (_, e) => errors.Add(e);

        handle.SetState(SessionState.Initializing);
        var ex = await Should.ThrowAsync<SwitchboardApiException>(() => handle.FlushAsync());

        ex.Code.ShouldBe("invalid_transition");
        errors.ShouldHaveSingleItem().WillRetry.ShouldBeFalse();
        await handle.FlushAsync(); // reported once
        handle.SetState(SessionState.Idle);
        await handle.FlushAsync();
        (await Client.GetSessionAsync(handle.Id))!.State.ShouldBe(SessionState.Idle);
    }

    [Fact]
    public async Task ChangesRefusedBecauseTheServerWasUnavailableAreSentAgain()
    {
        await using var handle = await Client.StartSessionAsync(new NewSession { State = SessionState.Working });
        var failing = 8; // more than one request's retries
        _wire.Decide = r => r.Method != HttpMethod.Get && Interlocked.Decrement(ref failing) >= 0 ? Fault.Refuse : Fault.None;

        handle.AddUsage(inputTokens: 9);
        handle.SetState(SessionState.Paused);
        await Should.ThrowAsync<HttpRequestException>(() => handle.FlushAsync());
        await TestTimeouts.Eventually(async () => (await fixture.Client.GetSessionAsync(handle.Id))!.State == SessionState.Paused,
            "the queued changes arriving once the server is reachable");

        (await fixture.Client.GetSessionAsync(handle.Id))!.InputTokens.ShouldBe(9);
    }
}
