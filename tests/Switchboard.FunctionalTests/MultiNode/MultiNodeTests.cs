using System.Collections.Concurrent;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.MultiNode;

/// <summary>
/// Two real <c>switchboard</c> processes on one PostgreSQL database, as behind a load balancer: events cross nodes in
/// order, clients resume by seq on either node, and losing a node loses nothing acknowledged.
/// </summary>
public sealed class MultiNodeTests(PostgresClusterFixture postgres)
{
    [Fact]
    public async Task ClientsOnOneNodeSeeWritesThroughTheOtherInOrderAndResumeExactlyOnIt()
    {
        var db = await (await postgres.GetAsync()).CreateDatabaseAsync();
        await using var nodes = await NodePair.StartAsync(db, bViaEnvironment: true);
        var (a, b, httpA, httpB) = (nodes.A, nodes.B, nodes.HttpA, nodes.HttpB);

        await using var onA = await PhoenixClient.ConnectAsync(a.WebSocketUri);
        var joined = await Nodes.JoinSessionsAsync(onA);
        var epoch = joined.Str("epoch");
        joined.Long("seq").ShouldBe(0);

        // Ten events written through B, received on A.
        for (var i = 0; i < 5; i++)
        {
            await httpB.CreateAsync($"s{i}");
            (await httpB.PostAsync($"/api/sessions/s{i}/usage", new { input_tokens = 3 })).Status.ShouldBe(200);
        }

        (await Nodes.SeqsUntilAsync(onA, 10)).ShouldBe(Nodes.Range(1, 10));

        // The client leaves A having seen seq 10; five more events are written through A meanwhile.
        await onA.CloseAsync();
        for (var i = 0; i < 5; i++)
        {
            (await httpA.PatchAsync($"/api/sessions/s{i}", new { state = "working" })).Status.ShouldBe(200);
        }

        // No waiting for B's feed: the join itself waits for B to catch up with a position another node issued.
        await using var onB = await PhoenixClient.ConnectAsync(b.WebSocketUri);
        var resumed = await Nodes.JoinSessionsAsync(onB, since: 10, epoch);
        resumed.GetProperty("resumed").GetBoolean().ShouldBeTrue(resumed.ToString());
        resumed.Long("replayed").ShouldBeInRange(0, 5); // the rest follows live if B's feed was mid-way
        resumed.Str("epoch").ShouldBe(epoch);
        (await Nodes.SeqsUntilAsync(onB, 15)).ShouldBe(Nodes.Range(11, 15));

        // Live again: a write through A reaches the client on B, and nothing else arrives.
        await httpA.CreateAsync("later");
        (await Nodes.SeqsUntilAsync(onB, 16)).ShouldBe([16L]);
        (await Nodes.StraySeqsAsync(onB, TimeSpan.FromMilliseconds(300))).ShouldBeEmpty();
    }

    [Fact]
    public async Task KillingANodeLosesNoAcknowledgedWriteAndItsClientsResumeOnTheSurvivor()
    {
        var db = await (await postgres.GetAsync()).CreateDatabaseAsync();
        await using var nodes = await NodePair.StartAsync(db);
        var (a, b, httpA, httpB) = (nodes.A, nodes.B, nodes.HttpA, nodes.HttpB);

        await using var onA = await PhoenixClient.ConnectAsync(a.WebSocketUri);
        var epoch = (await Nodes.JoinSessionsAsync(onA)).Str("epoch");
        var seenOnA = new List<long>();

        // Producers write through both nodes; every acknowledged write is remembered with the version it returned.
        var acknowledged = new ConcurrentDictionary<string, long>();
        using var stopWriting = new CancellationTokenSource();
        var ackedOnA = 0;
        Task Producer(HttpClient http, string prefix) => Task.Run(async () =>
        {
            for (var i = 0; !stopWriting.IsCancellationRequested; i++)
            {
                var id = $"{prefix}{i}";
                try
                {
                    var created = await http.PostAsync("/api/sessions", new { id });
                    created.Status.ShouldBe(201, created.Body.ToString());
                    acknowledged[id] = 1;
                    var usage = await http.PostAsync($"/api/sessions/{id}/usage", new { output_tokens = 2 });
                    usage.Status.ShouldBe(200, usage.Body.ToString());
                    acknowledged[id] = usage.Body.Long("version");
                    if (http == httpA)
                    {
                        Interlocked.Increment(ref ackedOnA);
                    }
                }
                catch (HttpRequestException) when (http == httpA)
                {
                    return; // the node is gone: whatever it did not acknowledge may or may not have happened
                }
            }
        });

        var producers = new[] { Producer(httpA, "a"), Producer(httpA, "aa"), Producer(httpB, "b"), Producer(httpB, "bb") };
        await TestTimeouts.Eventually(() => Volatile.Read(ref ackedOnA) >= 15, "writes acknowledged by node A");
        seenOnA.AddRange(await Nodes.SeqsUntilAsync(onA, 10));

        await a.KillAsync();
        var closed = await onA.Closed.WaitAsync(TestTimeouts.Default);
        closed.Status.ShouldBeNull("kill -9 leaves no time for a close frame");
        // Everything A delivered before it died, in order and without gaps.
        seenOnA.AddRange((await onA.DrainAsync(TimeSpan.FromMilliseconds(100))).Where(f => f.Topic == "sessions" && f.Seq is not null).Select(f => f.Seq!.Value));
        seenOnA.ShouldBe(Nodes.Range(1, seenOnA[^1]));

        // B keeps accepting writes; then the producers stop.
        var before = acknowledged.Count;
        await TestTimeouts.Eventually(() => acknowledged.Count >= before + 10, "writes acknowledged by the survivor");
        await stopWriting.CancelAsync();
        await Task.WhenAll(producers).WaitAsync(TestTimeouts.Long);

        // No acknowledged write was lost.
        var events = await httpB.EventsAsync();
        var head = events[^1].Long("seq");
        events.Select(e => e.Long("seq")).ShouldBe(Nodes.Range(1, head));
        foreach (var (id, version) in acknowledged)
        {
            var session = await httpB.GetJsonAsync($"/api/sessions/{id}");
            session.Status.ShouldBe(200, id);
            session.Body.Long("version").ShouldBeGreaterThanOrEqualTo(version, id);
        }

        // A's client resumes on B from the last seq it saw: exactly the events it missed, then nothing more.
        await httpB.CaughtUpAsync(head);
        var lastSeen = seenOnA[^1];
        await using var moved = await PhoenixClient.ConnectAsync(b.WebSocketUri);
        var resumed = await Nodes.JoinSessionsAsync(moved, since: lastSeen, epoch);
        resumed.GetProperty("resumed").GetBoolean().ShouldBeTrue(resumed.ToString());
        resumed.Long("replayed").ShouldBe(head - lastSeen);
        var replay = head > lastSeen ? await Nodes.SeqsUntilAsync(moved, head) : [];
        replay.ShouldBe(Nodes.Range(lastSeen + 1, head));
        (await Nodes.StraySeqsAsync(moved, TimeSpan.FromMilliseconds(300))).ShouldBeEmpty();
    }
}
