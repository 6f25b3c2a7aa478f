using System.Text.Json;
using Switchboard.Server.Options;
using Switchboard.Testing;

namespace Switchboard.Client.Tests;

/// <summary>LiveSessionView against a real server: seeding past the snapshot, label filters, and surviving disconnects.</summary>
public sealed class LiveSessionViewTests
{
    private static readonly SubscribeOptions FastReconnect = new()
    {
        ReconnectBaseDelay = TimeSpan.FromMilliseconds(50),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
        HeartbeatInterval = TimeSpan.FromSeconds(2),
    };

    [Fact]
    public async Task TheViewSeedsEverySessionBeyondTheSnapshotAndFollowsChanges()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var client = new SwitchboardClient(server.BaseAddress);
        var ids = new List<string>();
        for (var i = 0; i < 23; i++)
        {
            ids.Add((await client.CreateSessionAsync(new NewSession { Name = $"s{i}", State = SessionState.Working })).Id);
        }

        await client.TerminateSessionAsync(ids[3]);
        await using var view = new LiveSessionView(client, new LiveSessionViewOptions { SnapshotLimit = 5, PageSize = 4 });
        var changes = new List<LiveViewChangedEventArgs>();
        view.Changed += (_, c) => { lock (changes) changes.Add(c); };

        await view.StartAsync();

        view.Sessions.Count.ShouldBe(22); // 5 from the snapshot, 17 from pages of 4
        view.Sessions.ContainsKey(ids[3]).ShouldBeFalse();
        await view.ShouldMatchServerAsync(client);

        await client.UpdateSessionAsync(ids[0], new SessionUpdate { State = SessionState.Idle, Metadata = JsonSerializer.SerializeToElement(new { step = 2 }) });
        await client.AddUsageAsync(ids[0], new Usage(5, 6, 0.7m));
        await client.TerminateSessionAsync(ids[1]);
        await view.ShouldMatchServerAsync(client);
        view.Sessions[ids[0]].State.ShouldBe(SessionState.Idle);
        view.Sessions.ContainsKey(ids[1]).ShouldBeFalse();
        lock (changes)
        {
            changes.ShouldContain(c => c.Kind == LiveViewChangeKind.SessionRemoved && c.SessionId == ids[1]);
            changes.ShouldContain(c => c.Kind == LiveViewChangeKind.SessionChanged && c.SessionId == ids[0] && c.Session!.InputTokens == 5);
        }
    }

    [Fact]
    public async Task ALabelFilteredViewPicksUpSessionsThatStartToMatchAndDropsThoseThatStop()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var client = new SwitchboardClient(server.BaseAddress);
        var core = new Dictionary<string, string> { ["team"] = "core" };
        var other = new Dictionary<string, string> { ["team"] = "web" };
        var a = await client.CreateSessionAsync(new NewSession { Labels = core });
        var b = await client.CreateSessionAsync(new NewSession { Labels = other });
        await using var view = new LiveSessionView(client, new LiveSessionViewOptions { Labels = core });
        await view.StartAsync();
        view.Sessions.Keys.ShouldBe([a.Id]);

        await client.UpdateSessionAsync(b.Id, new SessionUpdate { Labels = core, Name = "moved" });
        await client.UpdateSessionAsync(a.Id, new SessionUpdate { Labels = other });

        await view.ShouldMatchServerAsync(client, core);
        view.Sessions.Keys.ShouldBe([b.Id]);
        view.Sessions[b.Id].Name.ShouldBe("moved");
    }

    /// <summary>
    /// The acceptance run: 100 sessions go through their whole lifecycle through the SDK while the view's connection
    /// is cut three ways (a reset mid-traffic, an outage long enough that the server answers with a snapshot, and a
    /// server restart on the same port and data directory). The view never misses an event silently and ends up equal
    /// to the server.
    /// </summary>
    [Fact]
    public async Task AViewThatIsDisconnectedThreeTimesWhileAHundredSessionsLiveAndDieEndsEqualToTheServer()
    {
        using var data = new TempDirectory();
        var urls = $"http://127.0.0.1:{FreePort.Next()}";
        // Replays longer than 80 events are answered with a snapshot, so the long outage below (~250 events) takes the
        // snapshot path while a quick reconnect resumes.
        static void Configure(SwitchboardOptions o) => o.Sockets.MaxReplayEvents = 80;
        var server = await SwitchboardServer.StartAsync(Configure, dataDirectory: data.Path, urls: urls);
        try
        {
            await using var proxy = new TcpProxy(server.BaseAddress);
            using var producer = new SwitchboardClient(server.BaseAddress);
            using var subscriber = new SwitchboardClient(proxy.BaseAddress);
            await using var view = new LiveSessionView(subscriber, new LiveSessionViewOptions { SnapshotLimit = 10, PageSize = 7, Subscription = FastReconnect });
            var audit = new SeqAudit();
            view.Changed += audit.OnChanged;
            await view.StartAsync();

            // Residents stay active to the end, so the final comparison is over a populated fleet.
            var residents = new List<SessionHandle>();
            for (var i = 0; i < 15; i++)
            {
                residents.Add(await producer.StartSessionAsync(new NewSession
                {
                    Name = $"resident-{i}", State = SessionState.Idle, LeaseSeconds = 120,
                    Labels = new Dictionary<string, string> { ["role"] = "resident" },
                }));
            }

            // 1. A connection reset in the middle of traffic: resumed by seq.
            var wave1 = RunLifecyclesAsync(producer, 0, 34);
            await TestTimeouts.Eventually(() => view.Position?.Seq > 60, "traffic before the first cut", TestTimeouts.Long);
            proxy.CutAll().ShouldBeGreaterThanOrEqualTo(1);
            await wave1.Within(TestTimeouts.Long);
            await view.ShouldMatchServerAsync(producer);
            audit.Resumes.ShouldBeGreaterThanOrEqualTo(1);

            // 2. An outage during which far more than 80 events are committed: the server answers with a snapshot.
            var failuresBefore = audit.ResumeFailures;
            proxy.Refusing = true;
            proxy.CutAll().ShouldBeGreaterThanOrEqualTo(1);
            Touch(residents, 1);
            await RunLifecyclesAsync(producer, 34, 33).Within(TestTimeouts.Long);
            await producer.PauseFleetAsync();
            proxy.Refusing = false;
            await view.ShouldMatchServerAsync(producer);
            (audit.ResumeFailures - failuresBefore).ShouldBe(1);

            // 3. The server stops and starts again on the same port and data directory.
            foreach (var r in residents)
            {
                await r.FlushAsync();
            }

            var resumesBefore = audit.Resumes;
            await server.StopAsync();
            await server.DisposeAsync();
            server = await SwitchboardServer.StartAsync(Configure, dataDirectory: data.Path, urls: urls);
            await TestTimeouts.Eventually(() => audit.Resumes > resumesBefore, "the view resuming on the restarted server", TestTimeouts.Long);
            await producer.ResumeFleetAsync();
            Touch(residents, 2);
            await RunLifecyclesAsync(producer, 67, 33).Within(TestTimeouts.Long);
            foreach (var r in residents)
            {
                await r.FlushAsync();
            }

            await view.ShouldMatchServerAsync(producer);
            view.Sessions.Count.ShouldBe(15);
            audit.Gaps.ShouldBeEmpty();
            audit.Resumes.ShouldBeGreaterThanOrEqualTo(2);
            proxy.Accepted.ShouldBeGreaterThanOrEqualTo(4);
            (await producer.CountSessionsAsync()).TotalSessions.ShouldBe(115);

            // Finally every session ends: the view is empty and its summary equals the server's in every field.
            foreach (var r in residents)
            {
                await r.TerminateAsync("shift over");
                await r.DisposeAsync();
            }

            await view.ShouldMatchServerAsync(producer);
            view.Sessions.ShouldBeEmpty();
            view.Summary.ShouldBe(await producer.GetSummaryAsync());
            view.Summary!.Count(SessionState.Terminated).ShouldBe(115);
            audit.Gaps.ShouldBeEmpty();
            audit.Events.ShouldBeGreaterThan(400);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    private static void Touch(List<SessionHandle> residents, int round)
    {
        foreach (var (r, i) in residents.Select((r, i) => (r, i)))
        {
            r.SetState((i + round) % 3 == 0 ? SessionState.Working : SessionState.Paused);
            r.AddUsage(inputTokens: 10 * round, outputTokens: round, costUsd: 0.01m);
        }
    }

    /// <summary>Sessions <paramref name="first"/>… live and die, eight at a time, through handles and typed calls.</summary>
    private static async Task RunLifecyclesAsync(SwitchboardClient client, int first, int count)
    {
        using var gate = new SemaphoreSlim(8);
        await Task.WhenAll(Enumerable.Range(first, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                await RunLifecycleAsync(client, i);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    private static async Task RunLifecycleAsync(SwitchboardClient client, int i)
    {
        await using var run = await client.StartSessionAsync(new NewSession
        {
            Name = $"agent-{i}",
            Labels = new Dictionary<string, string> { ["team"] = $"t{i % 4}" },
            Metadata = JsonSerializer.SerializeToElement(new { index = i }),
            LeaseSeconds = 60,
        });
        run.SetState(SessionState.Working);
        run.SetTasksRunning(2);
        run.AddUsage(inputTokens: 100 + i, outputTokens: 10, costUsd: 0.002m);
        await run.FlushAsync();
        run.AddUsage(inputTokens: 50, outputTokens: 5, costUsd: 0.001m);
        run.SetState(i % 5 == 0 ? SessionState.Error : SessionState.Idle, i % 5 == 0 ? "tool failed" : null);
        await run.FlushAsync();
        if (i % 5 == 0)
        {
            await client.UpdateSessionAsync(run.Id, new SessionUpdate { State = SessionState.Working, TasksRunning = 1 });
        }

        run.SetState(SessionState.Terminating);
        await run.FlushAsync();
        await run.TerminateAsync(i % 7 == 0 ? "cancelled" : "finished");
    }
}
