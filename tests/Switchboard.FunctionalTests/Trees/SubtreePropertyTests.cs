using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.MultiNode;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Trees;

/// <summary>
/// The acceptance property of agent trees, on real servers: random forests up to depth 8 and 2,000 sessions, random
/// usage, terminations and cascades; the server is killed with SIGKILL and restarted between phases (SQLite), or two
/// nodes write concurrently to the same trees on one PostgreSQL database. After each phase every session's
/// <c>subtree</c> equals the sum over its descendants recomputed from the event log alone; on PostgreSQL each node's live
/// snapshot (its projection, fed by the other node's events) agrees as well.
/// </summary>
public sealed class SubtreePropertyTests(PostgresClusterFixture postgres, ITestOutputHelper output)
{
    private const int Sessions = 2000;

    [Theory]
    [InlineData(3)]
    [InlineData(29)]
    public async Task OnSqliteAcrossKillsEverySubtreeEqualsTheSumOverItsDescendantsInTheLog(int seed)
    {
        output.WriteLine($"seed {seed}");
        using var data = new TempDirectory();
        var workload = new TreeWorkload(seed, "s");
        for (var phase = 0; phase < 3; phase++)
        {
            await using var node = await ServerProcess.StartAsync(data.Path);
            using var http = Nodes.Http(node);
            if (phase > 0)
            {
                output.WriteLine($"restarted: {await SubtreeCheck.AssertExactAsync(http)} sessions exact after kill -9");
            }

            await workload.RunAsync(http, Sessions / 3 + (phase == 2 ? Sessions % 3 : 0));
            output.WriteLine($"phase {phase}: {await SubtreeCheck.AssertExactAsync(http)} sessions exact");
            await node.KillAsync();
        }

        await using var last = await ServerProcess.StartAsync(data.Path);
        using var final = Nodes.Http(last);
        (await SubtreeCheck.AssertExactAsync(final)).ShouldBeGreaterThanOrEqualTo(Sessions);
    }

    [Fact]
    public async Task OnTwoPostgresNodesWritingTheSameTreesEverySubtreeIsExactOnBoth()
    {
        var db = await (await postgres.GetAsync()).CreateDatabaseAsync();
        await using var nodes = await NodePair.StartAsync(db);
        // Both nodes grow the same forest: each creates under parents the other created, so ancestors are shared.
        var shared = new TreeWorkload(11, "p");
        await shared.RunAsync(nodes.HttpA, 200);
        // Concurrently, through both nodes, into the same trees: children of A's sessions created on B, usage on shared ancestors.
        var onA = new TreeWorkload(12, "a").Adopting(shared);
        var onB = new TreeWorkload(13, "b").Adopting(shared);
        await Task.WhenAll(onA.RunAsync(nodes.HttpA, 400, batch: 50), onB.RunAsync(nodes.HttpB, 400, batch: 50));
        await Task.WhenAll(onA.RunAsync(nodes.HttpB, 300, batch: 50), onB.RunAsync(nodes.HttpA, 300, batch: 50));
        output.WriteLine($"{await SubtreeCheck.AssertExactAsync(nodes.HttpA)} sessions exact through A");
        (await SubtreeCheck.AssertExactAsync(nodes.HttpB)).ShouldBeGreaterThanOrEqualTo(1400);

        var head = (await nodes.HttpA.GetJsonAsync("/api/events?since=0&limit=1")).Body.Long("head_seq");
        var truth = SubtreeCheck.FromLog(await nodes.HttpA.EventsAsync());
        foreach (var node in new[] { (nodes.A, nodes.HttpA), (nodes.B, nodes.HttpB) })
        {
            await node.Item2.CaughtUpAsync(head);
            await using var client = await PhoenixClient.ConnectAsync(node.Item1.WebSocketUri);
            var reply = await client.JoinAsync("sessions", new { limit = 1000 });
            reply.Status.ShouldBe("ok", reply.Raw);
            reply.Response.Long("seq").ShouldBe(head);
            var active = reply.Response.GetProperty("sessions").EnumerateArray().ToList();
            active.Count.ShouldBeGreaterThan(100);
            foreach (var s in active)
            {
                SubtreeCheck.Totals.Of(s.GetProperty("subtree")).ShouldBe(truth[s.Str("id")], $"the live snapshot of '{s.Str("id")}' on {node.Item1.BaseAddress}");
            }
        }
    }
}
