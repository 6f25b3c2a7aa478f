using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.MultiNode;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Usage;

/// <summary>
/// The <c>usage</c> topic with two real nodes on one PostgreSQL database: updates are driven by committed events every
/// node sees, so a chart on one node follows writes through either node and ends equal to the stored rollups.
/// </summary>
public sealed class UsageTopicMultiNodeTests(PostgresClusterFixture postgres)
{
    [Fact]
    public async Task AChartOnOneNodeFollowsWritesThroughBothAndEndsEqualToTheStoredRollups()
    {
        var db = await (await postgres.GetAsync()).CreateDatabaseAsync();
        await using var nodes = await NodePair.StartAsync(db, environment: new Dictionary<string, string> { ["Switchboard__Usage__GroupBy__0"] = "team" });
        var (httpA, httpB) = (nodes.HttpA, nodes.HttpB);
        await httpA.CreateAsync("a1", new { labels = new { team = "red" } });
        await httpB.CreateAsync("b1", new { labels = new { team = "blue" } });

        await using var onB = await PhoenixClient.ConnectAsync(nodes.B.WebSocketUri);
        var reply = await onB.JoinAsync("usage", new { bucket = "1m", group_by = "label:team", since = "1h" });
        reply.Status.ShouldBe("ok", reply.Raw);
        var chart = UsageSeries.From(reply.Response);

        // Writes through both nodes at once, to sessions of both teams, with sessions coming and going.
        async Task WriteAsync(HttpClient http, string prefix)
        {
            for (var i = 0; i < 15; i++)
            {
                var id = i % 2 == 0 ? "a1" : "b1";
                (await http.PostAsync($"/api/sessions/{id}/usage", new { input_tokens = 7, output_tokens = i, cost_usd = 0.02 })).Status.ShouldBe(200);
                if (i % 5 == 0)
                {
                    await http.CreateAsync($"{prefix}{i}", new { labels = new { team = "green" } });
                    (await http.PostAsync($"/api/sessions/{prefix}{i}/terminate", new { reason = "done" })).Status.ShouldBe(200);
                }
            }
        }

        await Task.WhenAll(WriteAsync(httpA, "x"), WriteAsync(httpB, "y")).Within(TestTimeouts.Long);
        var stored = UsageSeries.From((await httpA.GetJsonAsync("/api/usage?bucket=1m&group_by=label:team&since=1h")).Body);
        await chart.FollowUntilAsync(onB, stored.Seq);
        chart.Seq.ShouldBe(stored.Seq);
        chart.Values.ShouldBe(stored.Values, "the chart on B counts every write through A and B exactly once");
        chart.Sum("input_tokens").ShouldBe(2 * 15 * 7);
        chart.Sum("sessions_created").ShouldBe(2 + 2 * 3);
    }
}
