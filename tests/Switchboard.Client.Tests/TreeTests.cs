using System.Net.Http.Json;
using Switchboard.Testing;

namespace Switchboard.Client.Tests;

/// <summary>Agent trees through the .NET SDK: parent ids, the tree reads, cascading terminates, subtree subscriptions, and a view whose ancestors stay exact.</summary>
public sealed class TreeTests
{
    [Fact]
    public async Task ChildrenRollUpIntoTheirAncestorsAndTheTreeReadsPage()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var client = new SwitchboardClient(server.BaseAddress);
        var run = await client.CreateSessionAsync(new NewSession { Id = "run", Name = "orchestrator" });
        var task = await client.CreateSessionAsync(new NewSession { ParentId = run.Id, CostUsd = 0.25m });
        (task.ParentId, task.RootId, task.Depth).ShouldBe(("run", "run", 1));
        var results = await client.BatchAsync([BatchOperation.Create(new NewSession { Id = "leaf", ParentId = task.Id, InputTokens = 40 })]);
        results.ShouldAllBe(r => r.Succeeded);
        await client.AddUsageAsync("leaf", new Usage(0, 2, 0.5m));

        var root = (await client.GetSessionAsync("run"))!;
        root.Subtree.ShouldBe(new SubtreeTotals(3, 3, 40, 2, 0.75m));
        root.Subtree.TotalTokens.ShouldBe(42);
        (await client.ListChildrenAsync("run")).Sessions.Select(s => s.Id).ShouldBe([task.Id]);
        var first = await client.GetSubtreeAsync("run", limit: 2);
        first.Sessions.Select(s => s.Id).ShouldBe(["run", task.Id]);
        first.NextCursor.ShouldNotBeNull();
        first.AsOfSeq.ShouldBe(4);
        (await client.ListSubtreeAsync("run").ToListAsync()).Select(s => s.Id).ShouldBe(["run", task.Id, "leaf"]);
        (await client.ListSessionsAsync(new SessionQuery { Roots = true })).Sessions.Select(s => s.Id).ShouldBe(["run"]);
        (await client.ListSessionsAsync(new SessionQuery { ParentId = task.Id })).Sessions.Select(s => s.Id).ShouldBe(["leaf"]);

        var refused = await Should.ThrowAsync<SwitchboardApiException>(() => client.CreateSessionAsync(new NewSession { ParentId = "nope" }));
        (refused.StatusCode, refused.Code, refused.Problem.Field).ShouldBe((404, "parent_not_found", "parent_id"));

        var ended = await client.TerminateSubtreeAsync("run", "cancelled");
        (ended.State, ended.Subtree.Active).ShouldBe((SessionState.Terminated, 0L));
        (await client.GetSessionAsync("leaf"))!.State.ShouldBe(SessionState.Terminated);
    }

    [Fact]
    public async Task ASubtreeSubscriptionStartsFromItsSnapshotAndCarriesEachDescendantsDelta()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var client = new SwitchboardClient(server.BaseAddress);
        await client.CreateSessionAsync(new NewSession { Id = "r" });
        await client.CreateSessionAsync(new NewSession { Id = "a", ParentId = "r" });
        using var stop = new CancellationTokenSource(TestTimeouts.Default);
        await using var items = client.SubscribeAsync("session:r", options: new SubscribeOptions { Subtree = true }, cancellationToken: stop.Token)
            .GetAsyncEnumerator(stop.Token);
        (await items.MoveNextAsync()).ShouldBeTrue();
        var reset = items.Current.ShouldBeOfType<SnapshotReset>();
        reset.Snapshot.Session!.Id.ShouldBe("r");
        reset.Snapshot.Descendants!.Select(s => s.Id).ShouldBe(["a"]);

        await client.CreateSessionAsync(new NewSession { Id = "a1", ParentId = "a" });
        await client.AddUsageAsync("a1", new Usage(3, 0, 0.1m));
        await client.CreateSessionAsync(new NewSession { Id = "elsewhere" });
        (await items.MoveNextAsync()).ShouldBeTrue();
        var created = items.Current.ShouldBeOfType<SessionCreatedEvent>();
        created.SessionId.ShouldBe("a1");
        created.Ancestors.ShouldBe(["r", "a"]);
        created.SubtreeDelta.ShouldBe(new SubtreeTotals(1, 1, 0, 0, 0));
        (await items.MoveNextAsync()).ShouldBeTrue();
        var usage = items.Current.ShouldBeOfType<SessionUpdatedEvent>();
        usage.SubtreeDelta.ShouldBe(new SubtreeTotals(0, 0, 3, 0, 0.1m));
        usage.ApplyTo(created.Session).Subtree.ShouldBe(new SubtreeTotals(1, 1, 3, 0, 0.1m), "changes carry the session's own totals");
    }

    [Fact]
    public async Task TheViewKeepsEveryAncestorsSubtreeExactWhileChildrenWorkIncludingSessionsReadFromLaterPages()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var client = new SwitchboardClient(server.BaseAddress);
        await client.CreateSessionAsync(new NewSession { Id = "root", State = SessionState.Working });
        for (var i = 0; i < 12; i++)
        {
            await client.CreateSessionAsync(new NewSession { Id = $"c{i}", ParentId = i % 3 == 0 ? "root" : $"c{i - 1}" });
        }

        // The root is the oldest session, so it is read from a later page than the snapshot, while children keep working.
        await using var view = new LiveSessionView(client, new LiveSessionViewOptions { SnapshotLimit = 2, PageSize = 3 });
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested && n < 200; n++)
            {
                await client.AddUsageAsync($"c{n % 12}", new Usage(1, 1, 0.01m));
            }
        });
        await view.StartAsync();
        await writer;
        await client.TerminateSessionAsync("c5");
        await client.CreateSessionAsync(new NewSession { Id = "late", ParentId = "c4", CostUsd = 2 });
        await view.ShouldMatchServerAsync(client);
        view.Sessions["root"].Subtree.ShouldBe((await client.GetSessionAsync("root"))!.Subtree);
        view.Sessions["root"].Subtree.Sessions.ShouldBe(14);
    }

    [Fact]
    public async Task ASessionMovedUnderItsParentAgentArrivesWholeToTheParentsSubtreeSubscribers()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var client = new SwitchboardClient(server.BaseAddress);
        using var otlp = new HttpClient { BaseAddress = server.BaseAddress };
        var trace = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var ended = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        async Task Send(string spanId, string parentId, string operation, string conversation)
        {
            var span = new
            {
                traceId = trace, spanId, parentSpanId = parentId, name = operation, kind = 1,
                startTimeUnixNano = (ended - 1_000_000).ToString(), endTimeUnixNano = ended.ToString(),
                attributes = new object[]
                {
                    new { key = "gen_ai.operation.name", value = new { stringValue = operation } },
                    new { key = "gen_ai.conversation.id", value = new { stringValue = conversation } },
                    new { key = "gen_ai.usage.input_tokens", value = new { intValue = "70" } },
                },
            };
            var body = new { resourceSpans = new[] { new { scopeSpans = new[] { new { spans = new[] { span } } } } } };
            (await otlp.PostAsync("/v1/traces", JsonContent.Create(body))).EnsureSuccessStatusCode();
        }

        await Send("00000000000000a1", "00000000000000a0", "chat", "planner");
        using var stop = new CancellationTokenSource(TestTimeouts.Default);
        await using var items = client.SubscribeAsync("session:otel:c:planner", options: new SubscribeOptions { Subtree = true }, cancellationToken: stop.Token)
            .GetAsyncEnumerator(stop.Token);
        (await items.MoveNextAsync()).ShouldBeTrue();
        items.Current.ShouldBeOfType<SnapshotReset>().Snapshot.Descendants.ShouldBeEmpty();

        await Send("00000000000000b0", "00000000000000a2", "invoke_agent", "researcher"); // its parent, the tool span, is still running
        await Send("00000000000000a2", "00000000000000a0", "execute_tool", "planner");

        SessionUpdatedEvent moved;
        do
        {
            (await items.MoveNextAsync()).ShouldBeTrue();
        }
        while ((moved = (items.Current as SessionUpdatedEvent)!) is null || moved.SessionId != "otel:c:researcher");

        moved.Reason.ShouldBe("adopted");
        moved.Session.ShouldNotBeNull("it enters a subtree whose subscribers never saw it");
        (moved.Session.ParentId, moved.Session.RootId, moved.Session.Depth).ShouldBe(("otel:c:planner", "otel:c:planner", 1));
        moved.SubtreeDelta.ShouldBe(new SubtreeTotals(1, 1, 0, 0, 0), "invoke_agent spans carry no usage of their own");
        moved.Ancestors.ShouldBe(["otel:c:planner"]);
    }
}
