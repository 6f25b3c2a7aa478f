using System.Text.Json;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Http;

public sealed class HttpApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private HttpClient Http => fixture.Server.Http;

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    [Fact]
    public async Task TheWalkthroughProducesOneEventPerChange()
    {
        var id = NewId("walk");
        var created = await Http.CreateAsync(id, new { name = "agent", labels = new { team = "core" }, metadata = new { model = "m1" } });
        created.Str("state").ShouldBe("initializing");
        created.Long("version").ShouldBe(1);

        (await Http.PatchAsync($"/api/sessions/{id}", new { state = "working" })).Body.Str("state").ShouldBe("working");
        var usage = (await Http.PostAsync($"/api/sessions/{id}/usage", new { input_tokens = 1200, output_tokens = 300, cost_usd = 0.0415 })).Body;
        usage.Long("total_tokens").ShouldBe(1500);
        usage.GetProperty("cost_usd").GetDecimal().ShouldBe(0.0415m);
        var ended = (await Http.PostAsync($"/api/sessions/{id}/terminate", new { reason = "finished" })).Body;
        ended.Str("state").ShouldBe("terminated");
        ended.GetProperty("terminated_at").ValueKind.ShouldBe(JsonValueKind.String);

        var events = await Http.EventsAsync(sessionId: id);
        events.Select(e => e.Str("type")).ShouldBe(["session_created", "session_updated", "session_updated", "session_terminated"]);
        events.Select(e => e.Long("seq")).ShouldBeInOrder(SortDirection.Ascending);
        events[1].GetProperty("data").GetProperty("previous_state").GetString().ShouldBe("initializing");
        events[3].GetProperty("data").GetProperty("reason").GetString().ShouldBe("finished");
        events.ShouldAllBe(e => e.Str("at").EndsWith('Z') && e.Str("at").Length == 24);
    }

    [Fact]
    public async Task CreateWithoutIdGeneratesOneAndReturnsLocation()
    {
        var (status, body, response) = await Http.PostAsync("/api/sessions", new { name = "anon" });
        status.ShouldBe(201);
        body.Str("id").ShouldStartWith("s_");
        response.Headers.Location!.ToString().ShouldBe("/api/sessions/" + body.Str("id"));
    }

    [Fact]
    public async Task ReplayReturnsExactlyTheEventsAfterSinceInOrder()
    {
        var id = NewId("replay");
        await Http.CreateAsync(id);
        var all = await Http.EventsAsync();
        var mark = all[^1].Long("seq");
        for (var i = 0; i < 5; i++)
        {
            await Http.PostAsync($"/api/sessions/{id}/usage", new { input_tokens = i + 1 });
        }

        var after = await Http.EventsAsync(since: mark);
        var mine = after.Where(e => e.Str("session_id") == id).ToList();
        mine.Count.ShouldBe(5);
        mine.Select(e => e.GetProperty("data").GetProperty("changes").Long("input_tokens")).ShouldBe([1L, 3, 6, 10, 15]);
        after.ShouldAllBe(e => e.Long("seq") > mark);
        after.Select(e => e.Long("seq")).ShouldBeInOrder(SortDirection.Ascending);

        var paged = (await Http.GetJsonAsync($"/api/events?since={mark}&limit=2")).Body;
        paged.GetProperty("events").GetArrayLength().ShouldBe(2);
        paged.GetProperty("has_more").GetBoolean().ShouldBe(after.Count > 2);
    }

    [Fact]
    public async Task BatchGivesEachOperationItsOwnResultAndFailuresLeaveNoTrace()
    {
        var a = NewId("ba");
        var body = new
        {
            operations = new object[]
            {
                new { op = "create", id = a, state = "working" },
                new { op = "usage", id = a, input_tokens = 10 },
                new { op = "update", id = "does-not-exist", name = "x" },
                new { op = "usage", id = a, input_tokens = -5 },
                new { op = "update", id = a, sate = "idle" },
                new { op = "update", id = a, state = "initializing" },
                new { op = "frobnicate", id = a },
                new { op = "terminate", id = a, reason = "batch" },
            },
        };
        var (status, json, _) = await Http.PostAsync("/api/batch", body);
        status.ShouldBe(200, json.ToString());
        var results = json.GetProperty("results").EnumerateArray().ToList();
        results.Select(r => r.Long("status")).ShouldBe([201L, 200, 404, 400, 400, 409, 400, 200]);
        results[4].GetProperty("problem").Str("field").ShouldBe("operations[4].sate");
        results[7].GetProperty("session").Str("state").ShouldBe("terminated");

        var events = await Http.EventsAsync(sessionId: a);
        events.Select(e => e.Str("type")).ShouldBe(["session_created", "session_updated", "session_terminated"]);
        (await Http.GetJsonAsync($"/api/sessions/{a}")).Body.Long("input_tokens").ShouldBe(10);
    }

    [Fact]
    public async Task BatchRejectsABodyThatIsNotAListOfOperations()
    {
        (await Http.PostAsync("/api/batch", """{"operations":{}}""")).ShouldBeProblem(400, "operations");
        (await Http.PostAsync("/api/batch", """{"ops":[]}""")).ShouldBeProblem(400, "ops");
    }

    [Fact]
    public async Task ListFiltersByStateLabelAndActiveWithCursorPagination()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 5; i++)
        {
            await Http.CreateAsync($"l-{tag}-{i}", new { state = i % 2 == 0 ? "working" : "idle", labels = new { run = tag } });
        }

        await Http.PostAsync($"/api/sessions/l-{tag}-4/terminate");
        async Task<List<string>> Ids(string query) =>
            (await Http.GetJsonAsync("/api/sessions?label=run=" + tag + query)).Body.GetProperty("sessions").EnumerateArray().Select(s => s.Str("id")).ToList();

        (await Ids("")).Count.ShouldBe(5);
        (await Ids("&state=working")).ShouldBe([$"l-{tag}-2", $"l-{tag}-0"]);
        (await Ids("&state=working,terminated")).Count.ShouldBe(3);
        (await Ids("&active=true")).Count.ShouldBe(4);
        (await Ids("&active=false")).ShouldBe([$"l-{tag}-4"]);

        var first = (await Http.GetJsonAsync($"/api/sessions?label=run={tag}&limit=2")).Body;
        var cursor = first.Str("next_cursor");
        var second = (await Http.GetJsonAsync($"/api/sessions?label=run={tag}&limit=2&cursor={cursor}")).Body;
        second.GetProperty("sessions").EnumerateArray().Select(s => s.Str("id")).ShouldBe([$"l-{tag}-2", $"l-{tag}-1"]);

        (await Http.GetJsonAsync("/api/sessions?state=bogus")).ShouldBeProblem(400, "state");
        (await Http.GetJsonAsync("/api/sessions?limit=0")).ShouldBeProblem(400, "limit");
        (await Http.GetJsonAsync("/api/sessions?cursor=abc")).ShouldBeProblem(400, "cursor");
        (await Http.GetJsonAsync("/api/sessions?label=nokey")).ShouldBeProblem(400, "label");
    }

    [Fact]
    public async Task CountAndSummaryReflectTheSessions()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("a", new { state = "working", tasks_running = 2 });
        await server.Http.CreateAsync("b", new { input_tokens = 10, output_tokens = 5, cost_usd = 0.5 });
        await server.Http.CreateAsync("c");
        await server.Http.PostAsync("/api/sessions/c/terminate");

        // Read-your-writes: a read of the live view waits for what this node has committed, so no waiting here.
        var count = (await server.Http.GetJsonAsync("/api/sessions/count")).Body;
        count.Long("total_sessions").ShouldBe(3);
        count.Long("active_sessions").ShouldBe(2);
        var summary = (await server.Http.GetJsonAsync("/api/summary")).Body;
        summary.Long("active_count").ShouldBe(2);
        summary.GetProperty("counts").Long("working").ShouldBe(1);
        summary.GetProperty("counts").Long("terminated").ShouldBe(1);
        summary.Long("tasks_running").ShouldBe(2);
        summary.Long("total_tokens").ShouldBe(15);
        summary.GetProperty("estimated_cost_usd").GetDecimal().ShouldBe(0.5m);
        summary.Long("as_of_seq").ShouldBe(4);
    }

    [Fact]
    public async Task FleetPauseAndResumeAreStoredAndReported()
    {
        await using var server = await SwitchboardServer.StartAsync();
        (await server.Http.PostAsync("/api/fleet/pause")).Body.GetProperty("is_paused").GetBoolean().ShouldBeTrue();
        (await server.Http.GetJsonAsync("/api/fleet")).Body.GetProperty("is_paused").GetBoolean().ShouldBeTrue();
        (await server.Http.GetJsonAsync("/api/summary")).Body.GetProperty("is_paused").GetBoolean().ShouldBeTrue();
        (await server.Http.EventsAsync()).Single().Str("type").ShouldBe("fleet_updated");
        (await server.Http.PostAsync("/api/fleet/resume")).Body.GetProperty("is_paused").GetBoolean().ShouldBeFalse();
        (await server.Http.GetJsonAsync("/api/fleet")).Body.GetProperty("is_paused").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task HeartbeatReportsTheRenewedLease()
    {
        var id = NewId("hb");
        await Http.CreateAsync(id, new { lease_seconds = 30 });
        var beat = (await Http.PostAsync($"/api/sessions/{id}/heartbeat")).Body;
        beat.GetProperty("lease_seconds").GetInt32().ShouldBe(30);
        beat.GetProperty("lease_expires_at").ValueKind.ShouldBe(JsonValueKind.String);
        (await Http.EventsAsync(sessionId: id)).Count.ShouldBe(1); // a heartbeat is not a change
    }

    [Fact]
    public async Task OpenApiHealthAndReadinessAreServed()
    {
        var openapi = (await Http.GetJsonAsync("/openapi/v1.json")).Body;
        openapi.GetProperty("paths").TryGetProperty("/api/sessions", out _).ShouldBeTrue();
        openapi.GetProperty("paths").TryGetProperty("/api/batch", out _).ShouldBeTrue();
        var schemas = openapi.GetProperty("components").GetProperty("schemas");
        schemas.GetProperty("SessionResponse").GetProperty("properties").TryGetProperty("input_tokens", out _).ShouldBeTrue();
        var security = openapi.GetProperty("security").EnumerateArray().ToList();
        security.Count.ShouldBe(2, "auth is off: no key, or a key");
        security[0].EnumerateObject().ShouldBeEmpty();
        security[1].TryGetProperty("api_key", out _).ShouldBeTrue();
        (await Http.GetJsonAsync("/healthz")).Status.ShouldBe(200);
        (await Http.GetJsonAsync("/readyz")).Body.Str("status").ShouldBe("ready");
    }
}
