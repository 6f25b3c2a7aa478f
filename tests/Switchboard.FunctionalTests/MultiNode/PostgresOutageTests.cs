using System.Collections.Concurrent;
using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.Metrics;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.MultiNode;

/// <summary>
/// PostgreSQL restarts under two serving nodes: writes in the outage are refused with 503 and Retry-After (never a 2xx
/// that was not persisted), and afterwards both nodes reconnect their LISTEN, catch up from the table, and their
/// clients see every event in order; meanwhile <c>/readyz</c> names the loop that keeps failing. Starts a cluster of its own,
/// because it stops it.
/// </summary>
public sealed class PostgresOutageTests
{
    [Fact]
    public async Task WhilePostgresRestartsWritesGet503AndAfterwardsEveryClientSeesEveryEventWithoutAGap()
    {
        await using var cluster = await PostgresCluster.StartAsync();
        var db = await cluster.CreateDatabaseAsync();
        await using var nodes = await NodePair.StartAsync(db);
        var (a, b, httpA, httpB) = (nodes.A, nodes.B, nodes.HttpA, nodes.HttpB);
        await using var onA = await PhoenixClient.ConnectAsync(a.WebSocketUri);
        await using var onB = await PhoenixClient.ConnectAsync(b.WebSocketUri);
        await Nodes.JoinSessionsAsync(onA);
        await Nodes.JoinSessionsAsync(onB);

        var acknowledged = new ConcurrentBag<string>();
        await httpA.CreateAsync("before-a");
        await httpB.CreateAsync("before-b");
        acknowledged.Add("before-a");
        acknowledged.Add("before-b");
        (await Nodes.SeqsUntilAsync(onA, 2)).ShouldBe([1L, 2]);

        var epoch = (await httpA.GetJsonAsync("/api/summary")).Body.Str("epoch");
        await cluster.StopAsync();
        for (var i = 0; i < 3; i++)
        {
            foreach (var (http, name) in new[] { (httpA, "a"), (httpB, "b") })
            {
                var id = $"outage-{name}{i}";
                var refused = await http.PostAsync("/api/sessions", new { id });
                refused.ShouldBeProblem(503);
                refused.Body.Str("code").ShouldBe("store_unavailable");
                refused.Response.Headers.RetryAfter.ShouldNotBeNull();
            }
        }

        (await httpA.PostAsync("/api/sessions/before-a/usage", new { input_tokens = 1 })).ShouldBeProblem(503);
        // Reads that need the database say so the same way.
        (await httpB.GetJsonAsync("/api/sessions/before-a")).ShouldBeProblem(503);
        (await httpB.GetJsonAsync("/api/events?since=0")).ShouldBeProblem(503);
        // So do resumes, which read the log: SSE with Last-Event-ID before its stream starts, a join with its reply.
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/stream?topics=sessions"))
        {
            request.Headers.Add("Last-Event-ID", "1");
            using var response = await httpA.SendAsync(request);
            ((int)response.StatusCode).ShouldBe(503);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            (await response.Content.ReadAsStringAsync()).ShouldContain("store_unavailable");
        }

        await using (var resuming = await PhoenixClient.ConnectAsync(a.WebSocketUri))
        {
            var reply = await resuming.JoinAsync("sessions", new { since = 1, epoch });
            reply.Status.ShouldBe("error");
            reply.Response.Str("reason").ShouldBe("store unavailable");
        }
        // Load balancers take both nodes out of rotation while their database is gone.
        await TestTimeouts.Eventually(async () => (await httpA.GetAsync("/readyz")).StatusCode == System.Net.HttpStatusCode.ServiceUnavailable, "A to report not ready");
        await TestTimeouts.Eventually(async () => (await httpB.GetAsync("/readyz")).StatusCode == System.Net.HttpStatusCode.ServiceUnavailable, "B to report not ready");
        // And says which loop keeps failing: the event feed's, restarting until the database is back.
        await TestTimeouts.Eventually(async () => (await FeedLoopAsync(httpA)).Str("status") == "restarting", "A's event feed loop to report restarting");
        (await FeedLoopAsync(httpA)).GetProperty("failure").GetString().ShouldNotBeNullOrEmpty();
        await cluster.StartAgainAsync();

        // Producers retry as Retry-After tells them; each write counts once it got its 2xx.
        async Task CreateWithRetry(HttpClient http, string id)
        {
            await TestTimeouts.Eventually(async () =>
            {
                var r = await http.PostAsync("/api/sessions", new { id });
                if (r.Status == 503)
                {
                    r.Response.Headers.RetryAfter.ShouldNotBeNull();
                    return false;
                }

                r.Status.ShouldBe(201, r.Body.ToString());
                return true;
            }, $"{id} to be accepted after the restart", TestTimeouts.Long);
            acknowledged.Add(id);
        }

        for (var i = 0; i < 3; i++)
        {
            await CreateWithRetry(httpA, $"after-a{i}");
            await CreateWithRetry(httpB, $"after-b{i}");
        }

        await TestTimeouts.Eventually(async () => (await httpA.GetAsync("/readyz")).IsSuccessStatusCode, "A to report ready again", TestTimeouts.Long);
        await TestTimeouts.Eventually(async () => (await httpB.GetAsync("/readyz")).IsSuccessStatusCode, "B to report ready again", TestTimeouts.Long);
        var feed = await FeedLoopAsync(httpA);
        feed.Str("status").ShouldBe("running");
        feed.Long("restarts").ShouldBeGreaterThan(0, "each failed reconnect is a restart, counted");
        PrometheusText.Parse(await httpA.GetStringAsync("/metrics")).Value("switchboard_loop_restarts_total", ("loop", "postgres-events"))
            .ShouldBe((double)feed.Long("restarts"), "the same count on /metrics");

        // Every node caught up from the table: both clients got every event, in order, once.
        var events = await httpB.EventsAsync();
        events.Count.ShouldBe(8);
        events.Select(e => e.Str("session_id")).ShouldBe(acknowledged, ignoreOrder: true);
        (await Nodes.SeqsUntilAsync(onA, 8)).ShouldBe(Nodes.Range(3, 8));
        (await Nodes.SeqsUntilAsync(onB, 8)).Where(s => s > 2).ShouldBe(Nodes.Range(3, 8));
        (await Nodes.StraySeqsAsync(onA, TimeSpan.FromMilliseconds(300))).ShouldBeEmpty();
        foreach (var id in acknowledged)
        {
            (await httpA.GetJsonAsync($"/api/sessions/{id}")).Status.ShouldBe(200, id);
        }

        // Nothing refused during the outage was written after all.
        (await httpA.GetJsonAsync("/api/sessions/outage-a0")).Status.ShouldBe(404);
        (await httpB.GetJsonAsync("/api/sessions/before-a")).Body.Long("input_tokens").ShouldBe(0);
    }

    /// <summary>The event feed's supervised loop as <c>/readyz</c> lists it.</summary>
    private static async Task<System.Text.Json.JsonElement> FeedLoopAsync(HttpClient http) =>
        (await http.GetJsonAsync("/readyz")).Body.GetProperty("loops").GetProperty("postgres-events");
}
