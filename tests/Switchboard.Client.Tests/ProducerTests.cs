using System.Text.Json;

namespace Switchboard.Client.Tests;

/// <summary>Typed producer calls and reads against a real server.</summary>
public sealed class ProducerTests(ClientServerFixture fixture) : IClassFixture<ClientServerFixture>
{
    private SwitchboardClient Client => fixture.Client;

    [Fact]
    public async Task TypedCallsDriveASessionThroughItsLifecycle()
    {
        var id = ClientServerFixture.NewId("life");
        var metadata = JsonSerializer.SerializeToElement(new { model = "m1", attempt = 2 });
        var created = await Client.CreateSessionAsync(new NewSession
        {
            Id = id, Name = "agent", Labels = new Dictionary<string, string> { ["team"] = "core" }, Metadata = metadata, LeaseSeconds = 60,
        });
        created.Id.ShouldBe(id);
        created.State.ShouldBe(SessionState.Initializing);
        created.Version.ShouldBe(1);
        created.Labels["team"].ShouldBe("core");
        JsonElement.DeepEquals(created.Metadata, metadata).ShouldBeTrue();
        created.LeaseSeconds.ShouldBe(60);

        var working = await Client.UpdateSessionAsync(id, new SessionUpdate { State = SessionState.Working, TasksRunning = 3, ExpectedVersion = 1 });
        working.State.ShouldBe(SessionState.Working);
        working.TasksRunning.ShouldBe(3);
        working.Version.ShouldBe(2);

        var used = await Client.AddUsageAsync(id, new Usage(1200, 300, 0.0415m));
        used.TotalTokens.ShouldBe(1500);
        used.CostUsd.ShouldBe(0.0415m);

        var beat = await Client.HeartbeatAsync(id);
        beat.LeaseSeconds.ShouldBe(60);
        beat.LeaseExpiresAt.ShouldNotBeNull();

        var renamed = await Client.UpdateSessionAsync(id, new SessionUpdate { Name = null, LeaseSeconds = null });
        renamed.Name.ShouldBeNull();
        renamed.LeaseSeconds.ShouldBeNull();

        var ended = await Client.TerminateSessionAsync(id, "finished");
        ended.State.ShouldBe(SessionState.Terminated);
        ended.TerminatedAt.ShouldNotBeNull();
        (await Client.GetSessionAsync(id)).ShouldBe(ended);

        var events = await Client.GetEventsAsync(0, sessionId: id);
        events.Events.Select(e => e.Type).ShouldBe(["session_created", "session_updated", "session_updated", "session_updated", "session_terminated"]);
        var update = events.Events[1].ShouldBeOfType<SessionUpdatedEvent>();
        update.PreviousState.ShouldBe(SessionState.Initializing);
        update.State.ShouldBe(SessionState.Working);
        events.Events[^1].ShouldBeOfType<SessionTerminatedEvent>().Reason.ShouldBe("finished");
        // Applying each update to the created session reproduces the stored one exactly.
        var replayed = events.Events.OfType<SessionUpdatedEvent>().Aggregate(
            events.Events[0].ShouldBeOfType<SessionCreatedEvent>().Session, (s, e) => e.ApplyTo(s));
        replayed.ShouldBe(renamed);
    }

    [Fact]
    public async Task RefusalsCarryTheProblemWithStatusCodeAndField()
    {
        var id = ClientServerFixture.NewId("bad");
        await Client.CreateSessionAsync(new NewSession { Id = id, State = SessionState.Working });

        var transition = await Should.ThrowAsync<SwitchboardApiException>(() =>
            Client.UpdateSessionAsync(id, new SessionUpdate { State = SessionState.Initializing }));
        transition.StatusCode.ShouldBe(409);
        transition.Code.ShouldBe("invalid_transition");
        transition.Field.ShouldBe("state");
        transition.Problem.Detail.ShouldContain("'working'");
        transition.Problem.Detail.ShouldContain("'initializing'");

        var invalid = await Should.ThrowAsync<SwitchboardApiException>(() => Client.AddUsageAsync(id, new Usage(-5)));
        invalid.StatusCode.ShouldBe(400);
        invalid.Field.ShouldBe("input_tokens");

        var stale = await Should.ThrowAsync<SwitchboardApiException>(() =>
            Client.UpdateSessionAsync(id, new SessionUpdate { Name = "x", ExpectedVersion = 7 }));
        stale.Code.ShouldBe("version_conflict");
        stale.Field.ShouldBe("expected_version");

        var duplicate = await Should.ThrowAsync<SwitchboardApiException>(() => Client.CreateSessionAsync(new NewSession { Id = id }));
        duplicate.Code.ShouldBe("session_exists");

        var missing = await Should.ThrowAsync<SwitchboardApiException>(() => Client.HeartbeatAsync("nobody-" + id));
        missing.StatusCode.ShouldBe(404);
        missing.Code.ShouldBe("session_not_found");
        (await Client.GetSessionAsync("nobody-" + id)).ShouldBeNull();

        // None of the refusals changed anything.
        (await Client.GetSessionAsync(id))!.Version.ShouldBe(1);
    }

    [Fact]
    public async Task ACreateWithoutAnIdGetsAClientGeneratedOne()
    {
        var session = await Client.CreateSessionAsync(new NewSession { Name = "anonymous" });
        session.Id.ShouldStartWith("s_");
        session.Id.Length.ShouldBe(18);
        (await Client.GetSessionAsync(session.Id))!.Name.ShouldBe("anonymous");
    }

    [Fact]
    public async Task ListingFiltersByStateLabelAndActivityAndFollowsTheCursor()
    {
        var team = ClientServerFixture.NewId("team");
        var labels = new Dictionary<string, string> { ["team"] = team };
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            var s = await Client.CreateSessionAsync(new NewSession { Labels = labels, State = i % 2 == 0 ? SessionState.Working : SessionState.Idle });
            ids.Add(s.Id);
        }

        await Client.TerminateSessionAsync(ids[0]);

        var page = await Client.ListSessionsAsync(new SessionQuery { Labels = labels, Limit = 3 });
        page.Sessions.Count.ShouldBe(3);
        page.NextCursor.ShouldNotBeNull();
        page.Sessions.Select(s => s.Id).ShouldBe([ids[6], ids[5], ids[4]]); // newest first

        var all = await Client.ListAllSessionsAsync(new SessionQuery { Labels = labels, Limit = 2 }).ToListAsync();
        all.Select(s => s.Id).ShouldBe(Enumerable.Reverse(ids));

        var working = await Client.ListAllSessionsAsync(new SessionQuery { Labels = labels, States = [SessionState.Working] }).ToListAsync();
        working.Select(s => s.Id).ShouldBe([ids[6], ids[4], ids[2]]);

        var active = await Client.ListAllSessionsAsync(new SessionQuery { Labels = labels, Active = true }).ToListAsync();
        active.Count.ShouldBe(6);
        var ended = await Client.ListAllSessionsAsync(new SessionQuery { Labels = labels, Active = false }).ToListAsync();
        ended.Single().Id.ShouldBe(ids[0]);
    }

    [Fact]
    public async Task CountSummaryAndEventReplayAgreeWithTheWrites()
    {
        var before = await Client.GetSummaryAsync();
        before.Epoch.ShouldNotBeNullOrEmpty();
        var id = ClientServerFixture.NewId("sum");
        await Client.CreateSessionAsync(new NewSession { Id = id, InputTokens = 10, OutputTokens = 5, CostUsd = 0.5m });
        await Client.AddUsageAsync(id, new Usage(1, 2, 0.25m));

        var count = await Client.CountSessionsAsync();
        count.TotalSessions.ShouldBeGreaterThanOrEqualTo(1);
        count.ActiveSessions.ShouldBeLessThanOrEqualTo(count.TotalSessions);

        var page = await Client.GetEventsAsync(before.AsOfSeq, sessionId: id);
        page.Epoch.ShouldBe(before.Epoch);
        page.Events.Count.ShouldBe(2);
        page.Events.Select(e => e.Seq!.Value).ShouldBeInOrder(SortDirection.Ascending);
        page.Events[1].ShouldBeOfType<SessionUpdatedEvent>().ApplyTo(page.Events[0].ShouldBeOfType<SessionCreatedEvent>().Session)
            .ShouldBe((await Client.GetSessionAsync(id))!);

        var gone = await Should.ThrowAsync<SwitchboardApiException>(() => Client.GetEventsAsync(0, epoch: "not-this-log"));
        gone.StatusCode.ShouldBe(410);
        gone.Code.ShouldBe("since_gone");
    }

    [Fact]
    public async Task BatchReturnsAResultPerOperationAndRefusedOnesLeaveNoTrace()
    {
        var id = ClientServerFixture.NewId("batch");
        var results = await Client.BatchAsync(
        [
            BatchOperation.Create(new NewSession { Id = id, State = SessionState.Working }),
            BatchOperation.AddUsage(id, new Usage(10)),
            BatchOperation.Update(id, new SessionUpdate { State = SessionState.Initializing }),
            BatchOperation.Heartbeat(id),
            BatchOperation.Terminate(id, "batched"),
        ]);

        results.Select(r => r.Status).ShouldBe([201, 200, 409, 200, 200]);
        results[2].Problem!.Code.ShouldBe("invalid_transition");
        results[4].Session!.State.ShouldBe(SessionState.Terminated);
        var stored = (await Client.GetSessionAsync(id))!;
        stored.InputTokens.ShouldBe(10);
        stored.ShouldBe(results[4].Session);
    }

    [Fact]
    public async Task FleetPauseAndResumeAreVisibleToProducers()
    {
        (await Client.PauseFleetAsync()).ShouldBeTrue();
        (await Client.GetFleetPausedAsync()).ShouldBeTrue();
        (await Client.GetSummaryAsync()).IsPaused.ShouldBeTrue();
        (await Client.ResumeFleetAsync()).ShouldBeFalse();
        (await Client.GetFleetPausedAsync()).ShouldBeFalse();
    }

    [Fact]
    public void TheClientDependsOnNothingButTheBaseLibrary()
    {
        var references = typeof(SwitchboardClient).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        references.ShouldNotBeEmpty();
        references.ShouldAllBe(name => name.StartsWith("System", StringComparison.Ordinal) || name == "netstandard" || name == "Microsoft.Win32.Primitives");
    }
}
