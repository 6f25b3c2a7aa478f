using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Metrics;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Metrics;

/// <summary><c>/metrics</c> is valid Prometheus text, and its counters follow what actually flows through the server.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task MetricsParseAsPrometheusTextAndCountersMoveWhenEventsFlow()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var before = await ScrapeAsync(server);
        before.Value("switchboard_events_appended_total").ShouldBe(0);
        before.Value("switchboard_connections").ShouldBe(0);
        before.Families["switchboard_fanout_duration_seconds"].Type.ShouldBe("histogram");
        before.Families["switchboard_deliveries_total"].Type.ShouldBe("counter");
        before.Families["switchboard_subscriptions"].Type.ShouldBe("gauge");
        before.Value("switchboard_live_inbox").ShouldBeGreaterThanOrEqualTo(0);
        before.Value("switchboard_alerts_inbox").ShouldBeGreaterThanOrEqualTo(0);
        before.Families["switchboard_live_inbox"].Type.ShouldBe("gauge");
        before.Families["switchboard_alerts_inbox"].Type.ShouldBe("gauge");
        before.Families["switchboard_loop_restarts_total"].Type.ShouldBe("counter");
        before.Value("switchboard_loop_restarts_total", ("loop", "live")).ShouldBe(0);
        before.Value("switchboard_loop_restarts_total", ("loop", "write-pipeline")).ShouldBe(0);
        var bytesBefore = before.Value("switchboard_sent_bytes_total");

        await using var sessions = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        (await sessions.JoinAsync("sessions")).Status.ShouldBe("ok");
        await using var watcher = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        (await watcher.JoinAsync("session:m1")).Status.ShouldBe("ok");

        await server.Http.CreateAsync("m1");
        (await server.Http.PatchAsync("/api/sessions/m1", new { state = "working" })).Status.ShouldBe(200);
        (await server.Http.PostAsync("/api/batch", new { operations = new[] { new { op = "update", id = "m1", name = "n" } } })).Status.ShouldBe(200);
        for (var seq = 1; seq <= 3; seq++)
        {
            await sessions.WaitForAsync(f => f.Seq == seq);
            await watcher.WaitForAsync(f => f.Seq == seq);
        }

        var after = await ScrapeAsync(server);
        after.Value("switchboard_events_appended_total").ShouldBe(3);
        after.Value("switchboard_events_dispatched_total").ShouldBe(3);
        after.Value("switchboard_deliveries_total").ShouldBe(6, "three events, each to one sessions and one session:m1 subscriber");
        after.Value("switchboard_connections").ShouldBe(2);
        after.Value("switchboard_subscriptions", ("topic_kind", "sessions")).ShouldBe(1);
        after.Value("switchboard_subscriptions", ("topic_kind", "session")).ShouldBe(1);
        after.Value("switchboard_subscriptions", ("topic_kind", "summary")).ShouldBe(0);
        after.Value("switchboard_fanout_duration_seconds_count").ShouldBe(3);
        after.Value("switchboard_fanout_duration_seconds_bucket", ("le", "+Inf")).ShouldBe(3);
        after.Value("switchboard_http_write_duration_seconds_count", ("endpoint", "CreateSession")).ShouldBe(1);
        after.Value("switchboard_http_write_duration_seconds_count", ("endpoint", "UpdateSession")).ShouldBe(1);
        after.Value("switchboard_http_write_duration_seconds_count", ("endpoint", "Batch")).ShouldBe(1);
        after.Value("switchboard_sent_bytes_total").ShouldBeGreaterThan(bytesBefore, "frames went out on both sockets");
        after.Value("dotnet_gc_heap_total_allocated_bytes_total").ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task AScrapeHeldInTheMiddleOfTheFanOutHistogramDoesNotStallDelivery()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var exporter = server.Get<PrometheusExporter>();
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        exporter.Rendering = family =>
        {
            if (family == "switchboard_fanout_duration_seconds")
            {
                held.TrySetResult();
                release.Wait(TestTimeouts.Default);
            }
        };

        await using var subscriber = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        (await subscriber.JoinAsync("sessions")).Status.ShouldBe("ok");
        await server.Http.CreateAsync("before");
        await subscriber.WaitForAsync(f => f.Seq == 1);

        // The scrape stops while it renders the family the live loop records into on every event.
        var scrape = Task.Run(() => ScrapeAsync(server), TestContext.Current.CancellationToken);
        await held.Task.WaitAsync(TestTimeouts.Default, TestContext.Current.CancellationToken);
        for (var i = 0; i < 3; i++)
        {
            await server.Http.CreateAsync($"during{i}");
        }

        for (var seq = 2; seq <= 4; seq++)
        {
            await subscriber.WaitForAsync(f => f.Seq == seq);
        }

        scrape.IsCompleted.ShouldBeFalse("the scrape is still held: delivery went on beside it");
        release.Set();
        (await scrape).Value("switchboard_fanout_duration_seconds_count").ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task ReadsAreNotTimedAsWrites()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("r1");
        (await server.Http.GetJsonAsync("/api/sessions/r1")).Status.ShouldBe(200);
        var metrics = await ScrapeAsync(server);
        var series = metrics.Families["switchboard_http_write_duration_seconds"].Lines.Select(l => l.Labels.GetValueOrDefault("endpoint")).Distinct().ToList();
        series.ShouldBe(["CreateSession"]);
    }

    [Fact]
    public async Task QueuedBytesCountFramesWaitingForAConsumerAndDropWhenItDrains()
    {
        await using var server = await SwitchboardServer.StartAsync();
        (await ScrapeAsync(server)).Value("switchboard_send_queue_bytes").ShouldBe(0);
        (await ScrapeAsync(server)).Families["switchboard_send_queue_bytes"].Type.ShouldBe("gauge");

        // A long-poll session holds its frames until it polls: nothing in a socket buffer hides them.
        var connect = (await server.Http.GetJsonAsync("/socket/longpoll?vsn=2.0.0")).Body;
        var key = Uri.EscapeDataString(connect.Str("token"));
        using (var join = new StringContent("""["1","1","sessions","phx_join",{}]""", System.Text.Encoding.UTF8, "application/x-ndjson"))
        {
            (await server.Http.PostAsync($"/socket/longpoll?vsn=2.0.0&token={key}", join)).EnsureSuccessStatusCode();
        }

        await server.Http.CreateAsync("queued");
        await TestTimeouts.Eventually(async () => (await ScrapeAsync(server)).Value("switchboard_send_queue_bytes") > 0,
            "the join reply and the event wait in the long-poll session's queue");
        while ((await server.Http.GetJsonAsync($"/socket/longpoll?vsn=2.0.0&token={key}")).Body.GetProperty("messages").GetArrayLength() > 0
               && (await ScrapeAsync(server)).Value("switchboard_send_queue_bytes") > 0)
        {
        }

        (await ScrapeAsync(server)).Value("switchboard_send_queue_bytes").ShouldBe(0, "polled: nothing waits");
    }

    private static async Task<PrometheusText> ScrapeAsync(SwitchboardServer server)
    {
        using var response = await server.Http.GetAsync("/metrics");
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        response.Content.Headers.ContentType!.ToString().ShouldBe("text/plain; version=0.0.4; charset=utf-8");
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }
}
