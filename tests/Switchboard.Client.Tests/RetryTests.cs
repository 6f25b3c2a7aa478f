using System.Diagnostics;
using Switchboard.Testing;

namespace Switchboard.Client.Tests;

/// <summary>
/// What the client retries, and what it must not: every case runs against a real server, with failures injected
/// between the two (an answer lost after the server applied the request is the dangerous one).
/// </summary>
public sealed class RetryTests(ClientServerFixture fixture) : IClassFixture<ClientServerFixture>, IDisposable
{
    private readonly FaultInjectingHandler _faults = new();
    private SwitchboardClient? _client;

    private SwitchboardClient Client => _client ??= new SwitchboardClient(fixture.Server.BaseAddress,
        new SwitchboardClientOptions { HttpHandler = _faults, RetryBaseDelay = TimeSpan.FromMilliseconds(20), RetryMaxDelay = TimeSpan.FromMilliseconds(200) });

    public void Dispose()
    {
        _client?.Dispose();
        _faults.Dispose();
    }

    /// <summary>Faults the first <paramref name="times"/> requests that match, then lets everything through.</summary>
    private void FaultFirst(string method, string pathEnd, Fault fault, int times = 1)
    {
        var left = times;
        _faults.Decide = r => r.Method.Method == method && r.RequestUri!.AbsolutePath.EndsWith(pathEnd, StringComparison.Ordinal)
            && Interlocked.Decrement(ref left) >= 0 ? fault : Fault.None;
    }

    private async Task<int> EventCountAsync(string id) => (await fixture.Client.GetEventsAsync(0, sessionId: id)).Events.Count;

    [Fact]
    public async Task A503IsRetriedAfterItsRetryAfterDelay()
    {
        var id = (await fixture.Client.CreateSessionAsync(new NewSession())).Id;
        FaultFirst("POST", "/usage", Fault.Unavailable, times: 2);
        var watch = Stopwatch.StartNew();

        var session = await Client.AddUsageAsync(id, new Usage(7));

        watch.Elapsed.ShouldBeGreaterThan(TimeSpan.FromSeconds(1.9)); // two Retry-After: 1 waits
        session.InputTokens.ShouldBe(7);
        _faults.Requests.Count(r => r.Path.EndsWith("/usage", StringComparison.Ordinal)).ShouldBe(3);
        (await fixture.Client.GetSessionAsync(id))!.InputTokens.ShouldBe(7);
    }

    [Fact]
    public async Task A503ThatOutlastsTheRetriesSurfacesWithItsRetryAfter()
    {
        using var impatient = new SwitchboardClient(fixture.Server.BaseAddress, new SwitchboardClientOptions { HttpHandler = _faults, MaxAttempts = 2 });
        FaultFirst("GET", "/api/summary", Fault.Unavailable, times: 5);

        var ex = await Should.ThrowAsync<SwitchboardApiException>(() => impatient.GetSummaryAsync());

        ex.StatusCode.ShouldBe(503);
        ex.Code.ShouldBe("store_unavailable");
        ex.RetryAfter.ShouldBe(TimeSpan.FromSeconds(1));
        _faults.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task AUsageIncrementWhoseAnswerWasLostIsNotSentAgain()
    {
        var id = (await fixture.Client.CreateSessionAsync(new NewSession())).Id;
        FaultFirst("POST", "/usage", Fault.LoseResponse);

        await Should.ThrowAsync<HttpRequestException>(() => Client.AddUsageAsync(id, new Usage(100, 0, 1m)));

        _faults.Requests.Count(r => r.Path.EndsWith("/usage", StringComparison.Ordinal)).ShouldBe(1);
        var stored = (await fixture.Client.GetSessionAsync(id))!;
        stored.InputTokens.ShouldBe(100); // applied exactly once, not twice
        stored.CostUsd.ShouldBe(1m);
    }

    [Fact]
    public async Task AUsageIncrementThatNeverReachedTheServerIsRetried()
    {
        var id = (await fixture.Client.CreateSessionAsync(new NewSession())).Id;
        FaultFirst("POST", "/usage", Fault.Refuse, times: 2);

        (await Client.AddUsageAsync(id, new Usage(5))).InputTokens.ShouldBe(5);
        _faults.Requests.Count(r => r.Path.EndsWith("/usage", StringComparison.Ordinal)).ShouldBe(3);
    }

    [Fact]
    public async Task ACreateWithAGeneratedIdWhoseAnswerWasLostReturnsTheSessionItCreated()
    {
        FaultFirst("POST", "/api/sessions", Fault.LoseResponse);
        var name = ClientServerFixture.NewId("lost-create");

        var session = await Client.CreateSessionAsync(new NewSession { Name = name });

        session.Name.ShouldBe(name);
        session.Version.ShouldBe(1);
        _faults.Requests.Select(r => r.Method).ShouldBe(["POST", "POST", "GET"]); // create, retry (409), read back
        (await EventCountAsync(session.Id)).ShouldBe(1);
    }

    [Fact]
    public async Task ACreateWithAChosenIdWhoseAnswerWasLostReportsTheConflictHonestly()
    {
        var id = ClientServerFixture.NewId("chosen");
        FaultFirst("POST", "/api/sessions", Fault.LoseResponse);

        var ex = await Should.ThrowAsync<SwitchboardApiException>(() => Client.CreateSessionAsync(new NewSession { Id = id }));

        // Someone else could have chosen the same id, so the client cannot claim the session is its own.
        ex.Code.ShouldBe("session_exists");
        ex.Problem.Detail.ShouldContain("earlier attempt");
        (await EventCountAsync(id)).ShouldBe(1);
    }

    [Fact]
    public async Task AGuardedUpdateWhoseAnswerWasLostIsVerifiedNotAppliedTwice()
    {
        var id = (await fixture.Client.CreateSessionAsync(new NewSession { State = SessionState.Working })).Id;
        FaultFirst("PATCH", id, Fault.LoseResponse);

        var updated = await Client.UpdateSessionAsync(id, new SessionUpdate { State = SessionState.Idle, TasksRunning = 4, ExpectedVersion = 1 });

        updated.Version.ShouldBe(2);
        updated.State.ShouldBe(SessionState.Idle);
        _faults.Requests.Select(r => r.Method).ShouldBe(["PATCH", "PATCH", "GET"]);
        (await EventCountAsync(id)).ShouldBe(2);
    }

    [Fact]
    public async Task AGuardedUpdateIsNotMistakenForOursWhenSomeoneElseChangedTheSession()
    {
        var id = (await fixture.Client.CreateSessionAsync(new NewSession { State = SessionState.Working })).Id;
        // The first attempt never reaches the server; meanwhile another producer moves the session on.
        _faults.Decide = r =>
        {
            if (r.Method == HttpMethod.Patch && _faults.Requests.Count(q => q.Method == "PATCH") == 0)
            {
                fixture.Client.UpdateSessionAsync(id, new SessionUpdate { Name = "other" }).GetAwaiter().GetResult();
                return Fault.LoseResponse;
            }

            return Fault.None;
        };

        var ex = await Should.ThrowAsync<SwitchboardApiException>(() =>
            Client.UpdateSessionAsync(id, new SessionUpdate { State = SessionState.Idle, ExpectedVersion = 1 }));

        ex.Code.ShouldBe("version_conflict");
        (await fixture.Client.GetSessionAsync(id))!.State.ShouldBe(SessionState.Working);
    }

    [Fact]
    public async Task AnUnguardedUpdateWhoseAnswerWasLostIsNotSentAgain()
    {
        var id = (await fixture.Client.CreateSessionAsync(new NewSession())).Id;
        FaultFirst("PATCH", id, Fault.LoseResponse);

        await Should.ThrowAsync<HttpRequestException>(() => Client.UpdateSessionAsync(id, new SessionUpdate { Name = "once" }));

        _faults.Requests.Count(r => r.Method == "PATCH").ShouldBe(1);
        (await fixture.Client.GetSessionAsync(id))!.Name.ShouldBe("once");
    }

    [Fact]
    public async Task TerminateAndHeartbeatAreRetriedAfterALostAnswerBecauseTheyAreIdempotent()
    {
        var id = (await fixture.Client.CreateSessionAsync(new NewSession { LeaseSeconds = 30 })).Id;
        FaultFirst("POST", "/heartbeat", Fault.LoseResponse);
        (await Client.HeartbeatAsync(id)).LeaseSeconds.ShouldBe(30);

        FaultFirst("POST", "/terminate", Fault.LoseResponse);
        var ended = await Client.TerminateSessionAsync(id, "done");

        ended.State.ShouldBe(SessionState.Terminated);
        _faults.Requests.Count(r => r.Path.EndsWith("/terminate", StringComparison.Ordinal)).ShouldBe(2);
        (await fixture.Client.GetEventsAsync(0, sessionId: id)).Events.Count(e => e is SessionTerminatedEvent).ShouldBe(1);
    }

    [Fact]
    public async Task ARequestIsRetriedUntilAServerThatIsStartingListens()
    {
        using var data = new TempDirectory();
        var urls = $"http://127.0.0.1:{FreePort.Next()}";
        // 40 attempts at most 1 s apart (200 ms doubling, each a random point in the upper half of its step) keep trying for
        // 18.7 s at the least: longer than a server takes to start even on a loaded machine, so the test waits on the
        // server, not on luck. Without the retries the create fails at the first refused connection.
        using var client = new SwitchboardClient(new Uri(urls), new SwitchboardClientOptions { MaxAttempts = 40, RetryMaxDelay = TimeSpan.FromSeconds(1) });

        var create = client.CreateSessionAsync(new NewSession { Name = "early" });
        await Task.Delay(500);
        create.IsCompleted.ShouldBeFalse(); // nothing listens yet: connection refused, retried
        await using var server = await SwitchboardServer.StartAsync(dataDirectory: data.Path, urls: urls);

        (await create.Within(TestTimeouts.Long)).Name.ShouldBe("early");
        (await client.CountSessionsAsync()).TotalSessions.ShouldBe(1);
    }

    [Fact]
    public async Task ALongPollWhoseAnswerWasLostIsRetriedAndTheCommandComesAgainAfterItsVisibilityTimeout()
    {
        var time = new ManualTimeProvider();
        await using var server = await SwitchboardServer.StartAsync(time: time);
        using var operators = new SwitchboardClient(server.BaseAddress);
        var id = (await operators.CreateSessionAsync(new NewSession { State = SessionState.Working })).Id;
        var issued = await operators.IssueCommandAsync(id, new NewCommand(CommandType.Pause, "hold on"));
        using var producer = new SwitchboardClient(server.BaseAddress,
            new SwitchboardClientOptions { HttpHandler = _faults, RetryBaseDelay = TimeSpan.FromMilliseconds(20), RetryMaxDelay = TimeSpan.FromMilliseconds(200) });
        FaultFirst("GET", "/commands", Fault.LoseResponse);

        // The first poll hands the command over and its answer is lost; the client retries, and the retry waits: the
        // command is inside its visibility timeout (30 s on the server's manual clock).
        var poll = producer.PollCommandsAsync(id, TimeSpan.FromSeconds(60));
        await TestTimeouts.Eventually(() => server.CommandLongPollsWaiting == 1, "the retried poll to wait");
        poll.IsCompleted.ShouldBeFalse();
        time.Advance(TimeSpan.FromSeconds(30));

        var answer = await poll.Within();
        var command = answer.Commands.ShouldHaveSingleItem();
        command.Id.ShouldBe(issued.Id);
        command.State.ShouldBe(CommandState.Delivered);
        command.Attempt.ShouldBe(2, "handed over twice: in the lost answer and in this one");
        _faults.Requests.Count(r => r.Path.EndsWith("/commands", StringComparison.Ordinal)).ShouldBe(2);
        (await operators.GetEventsAsync(0, sessionId: id)).Events.OfType<CommandEvent>().Select(e => (e.Type, e.Command.Attempt))
            .ShouldBe([("command_issued", 0), ("command_delivered", 1), ("command_delivered", 2)]);
    }
}
