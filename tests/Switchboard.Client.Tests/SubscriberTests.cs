using Switchboard.Testing;

namespace Switchboard.Client.Tests;

/// <summary>SubscribeAsync over the real Phoenix WebSocket: snapshots, typed events, resume by seq, reconnects.</summary>
public sealed class SubscriberTests(ClientServerFixture fixture) : IClassFixture<ClientServerFixture>
{
    private SwitchboardClient Client => fixture.Client;

    private static SubscribeOptions Fast => new()
    {
        ReconnectBaseDelay = TimeSpan.FromMilliseconds(20),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
    };

    [Fact]
    public async Task TheFirstItemIsASnapshotAndTypedEventsFollowInSeqOrder()
    {
        var existing = await Client.CreateSessionAsync(new NewSession { Name = "existing" });
        await using var stream = new StreamReader(Client, "sessions", options: new SubscribeOptions { SnapshotLimit = 5 });

        var reset = await stream.NextAsync<SnapshotReset>();
        reset.ResumeRequested.ShouldBeFalse();
        reset.Snapshot.Sessions!.ShouldContain(existing);
        reset.Snapshot.Summary!.ActiveCount.ShouldBeGreaterThanOrEqualTo(1);
        (await stream.NextAsync(summaries: true)).ShouldBeOfType<SummaryEvent>(); // pushed right after every join

        var id = ClientServerFixture.NewId("typed");
        await Client.CreateSessionAsync(new NewSession { Id = id });
        await Client.UpdateSessionAsync(id, new SessionUpdate { State = SessionState.Working });
        await Client.PauseFleetAsync();
        await Client.ResumeFleetAsync();
        await Client.TerminateSessionAsync(id, "bye");

        var created = await stream.NextAsync<SessionCreatedEvent>();
        created.Seq.ShouldBe(reset.Snapshot.Seq + 1);
        created.Session.Id.ShouldBe(id);
        var updated = await stream.NextAsync<SessionUpdatedEvent>();
        updated.State.ShouldBe(SessionState.Working);
        updated.PreviousState.ShouldBe(SessionState.Initializing);
        (await stream.NextAsync<FleetUpdatedEvent>()).IsPaused.ShouldBeTrue();
        (await stream.NextAsync<FleetUpdatedEvent>()).IsPaused.ShouldBeFalse();
        var terminated = await stream.NextAsync<SessionTerminatedEvent>();
        terminated.Reason.ShouldBe("bye");
        terminated.Seq.ShouldBe(created.Seq + 4);
        updated.ApplyTo(created.Session).State.ShouldBe(SessionState.Working);
    }

    [Fact]
    public async Task SubscribingSinceASeqReplaysExactlyTheMissedEvents()
    {
        var position = (await Client.GetSummaryAsync()).AsOfSeq;
        var id = ClientServerFixture.NewId("since");
        await Client.CreateSessionAsync(new NewSession { Id = id });
        await Client.AddUsageAsync(id, new Usage(3));
        await Client.TerminateSessionAsync(id);
        await CaughtUpAsync(Client, position + 3); // so all three are replayed, none live

        // A bare seq, no epoch: "the log the server holds now".
        await using var stream = new StreamReader(Client, "sessions", position);

        var resumed = await stream.NextAsync<Resumed>();
        resumed.Since.ShouldBe(position);
        resumed.Replayed.ShouldBe(3);
        (await stream.NextAsync<SessionCreatedEvent>()).Seq.ShouldBe(position + 1);
        (await stream.NextAsync<SessionUpdatedEvent>()).Seq.ShouldBe(position + 2);
        (await stream.NextAsync<SessionTerminatedEvent>()).Seq.ShouldBe(position + 3);
    }

    [Fact]
    public async Task AResumeThatCannotBeServedIsAnExplicitSnapshotReset()
    {
        await using var stream = new StreamReader(Client, "sessions", new StreamPosition(1, "some-other-log"));

        var reset = await stream.NextAsync<SnapshotReset>();

        reset.ResumeRequested.ShouldBeTrue();
        reset.Snapshot.Epoch.ShouldNotBe("some-other-log");
        reset.Snapshot.Sessions.ShouldNotBeNull();
    }

    [Fact]
    public async Task ASessionTopicJoinedBeforeTheSessionExistsSeesItsCreation()
    {
        var id = ClientServerFixture.NewId("topic");
        var other = await Client.CreateSessionAsync(new NewSession());
        await using var stream = new StreamReader(Client, "session:" + id);

        (await stream.NextAsync<SnapshotReset>()).Snapshot.Session.ShouldBeNull();
        await Client.UpdateSessionAsync(other.Id, new SessionUpdate { Name = "not this one" });
        await Client.CreateSessionAsync(new NewSession { Id = id, Name = "this one" });

        (await stream.NextAsync<SessionCreatedEvent>()).Session.Name.ShouldBe("this one");
    }

    [Fact]
    public async Task AnUnknownTopicFailsTheSubscriptionInsteadOfRetryingForever()
    {
        var ex = await Should.ThrowAsync<SwitchboardSubscriptionException>(async () =>
        {
            await foreach (var _ in Client.SubscribeAsync("nowhere").WithCancellation(new CancellationTokenSource(TestTimeouts.Default).Token))
            {
            }
        });

        ex.Reason.ShouldBe("unmatched topic");
        ex.Topic.ShouldBe("nowhere");
    }

    [Fact]
    public async Task ACutConnectionReconnectsAndResumesWithoutAGap()
    {
        await using var proxy = new TcpProxy(fixture.Server.BaseAddress);
        using var client = new SwitchboardClient(proxy.BaseAddress);
        await using var stream = new StreamReader(client, "sessions", options: Fast);
        var reset = await stream.NextAsync<SnapshotReset>();
        var id = ClientServerFixture.NewId("cut");
        await Client.CreateSessionAsync(new NewSession { Id = id });
        var first = await stream.NextAsync<SessionCreatedEvent>();
        first.Seq.ShouldBe(reset.Snapshot.Seq + 1);

        proxy.Refusing = true;
        proxy.CutAll().ShouldBe(1);
        for (var i = 0; i < 4; i++)
        {
            await Client.AddUsageAsync(id, new Usage(1));
        }

        await CaughtUpAsync(Client, first.Seq!.Value + 4); // so the resume replays all four
        proxy.Refusing = false;
        var resumed = await stream.NextAsync<Resumed>();
        resumed.Since.ShouldBe(first.Seq!.Value);
        resumed.Replayed.ShouldBe(4);
        resumed.Reconnects.ShouldBe(1);
        for (var i = 1; i <= 4; i++)
        {
            (await stream.NextAsync<SessionUpdatedEvent>()).Seq.ShouldBe(first.Seq + i);
        }
    }

    [Fact]
    public async Task AnEventThatArrivesTwiceReachesTheSubscriberOnce()
    {
        await using var proxy = new TcpProxy(fixture.Server.BaseAddress) { RepeatSessionEvents = true };
        using var client = new SwitchboardClient(proxy.BaseAddress);
        await using var stream = new StreamReader(client, "sessions", options: Fast);
        var reset = await stream.NextAsync<SnapshotReset>();

        var id = ClientServerFixture.NewId("twice");
        await Client.CreateSessionAsync(new NewSession { Id = id });
        await Client.UpdateSessionAsync(id, new SessionUpdate { State = SessionState.Working });
        await Client.TerminateSessionAsync(id, "bye");

        // Each of the three came over the wire twice; the subscriber sees each once, in order.
        (await stream.NextAsync<SessionCreatedEvent>()).Seq.ShouldBe(reset.Snapshot.Seq + 1);
        (await stream.NextAsync<SessionUpdatedEvent>()).Seq.ShouldBe(reset.Snapshot.Seq + 2);
        (await stream.NextAsync<SessionTerminatedEvent>()).Seq.ShouldBe(reset.Snapshot.Seq + 3);
    }

    [Fact]
    public async Task ASilentlyDeadConnectionIsDetectedByHeartbeatsAndReplaced()
    {
        await using var proxy = new TcpProxy(fixture.Server.BaseAddress);
        using var client = new SwitchboardClient(proxy.BaseAddress);
        await using var stream = new StreamReader(client, "sessions", options: Fast with { HeartbeatInterval = TimeSpan.FromMilliseconds(300) });
        var reset = await stream.NextAsync<SnapshotReset>();

        proxy.Freeze(); // bytes stop flowing, nothing is closed
        var id = ClientServerFixture.NewId("frozen");
        await Client.CreateSessionAsync(new NewSession { Id = id });

        var resumed = await stream.NextAsync<Resumed>();
        resumed.Since.ShouldBe(reset.Snapshot.Seq);
        (await stream.NextAsync<SessionCreatedEvent>()).Session.Id.ShouldBe(id);
        proxy.Accepted.ShouldBeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public async Task HeartbeatsKeepAnIdleConnectionOpen()
    {
        await using var proxy = new TcpProxy(fixture.Server.BaseAddress);
        using var client = new SwitchboardClient(proxy.BaseAddress);
        // The SDK drops a connection whose heartbeat is still unanswered at the next one. 2 s between them is far more
        // than a loaded machine needs for a round trip through the proxy, yet the idle below still spans several.
        await using var stream = new StreamReader(client, "summary", options: Fast with { HeartbeatInterval = TimeSpan.FromSeconds(2) });
        await stream.NextAsync<SnapshotReset>();

        await Task.Delay(TimeSpan.FromSeconds(7)); // three heartbeats; the second and third each find the one before answered
        var id = ClientServerFixture.NewId("idle");
        await Client.CreateSessionAsync(new NewSession { Id = id });
        var createdSeq = (await Client.GetEventsAsync(0, sessionId: id)).Events[0].Seq!.Value;

        // The summary that reports the create, not the one pushed right after the join: something arrived after the idle.
        SummaryEvent summary;
        do
        {
            summary = (await stream.NextAsync(summaries: true)).ShouldBeOfType<SummaryEvent>();
        }
        while (summary.Summary.AsOfSeq < createdSeq);

        summary.Summary.AsOfSeq.ShouldBe(createdSeq);
        proxy.Accepted.ShouldBe(1); // never reconnected
    }

    /// <summary>
    /// Waits until the server's live view has applied <paramref name="seq"/>: a write is acknowledged at commit and applied
    /// live a moment later, so a resume made sooner may get some of the missed events live instead of replayed.
    /// </summary>
    private static Task CaughtUpAsync(SwitchboardClient client, long seq) =>
        TestTimeouts.Eventually(async () => (await client.GetSummaryAsync()).AsOfSeq >= seq, $"the server's live view to apply seq {seq}");
}
