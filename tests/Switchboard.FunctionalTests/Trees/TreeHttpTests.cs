using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Trees;

/// <summary>Agent trees over HTTP: parent_id on create, every refusal (problem+json naming parent_id, nothing written), the reads, cascade.</summary>
public sealed class TreeHttpTests
{
    private static async Task<long> HeadAsync(HttpClient http) => (await http.GetJsonAsync("/api/events?since=0&limit=1")).Body.GetProperty("head_seq").GetInt64();

    private static JsonElement Subtree(JsonElement session) => session.GetProperty("subtree");

    [Fact]
    public async Task AChildCreatedWithParentIdCarriesItsPlaceAndItsAncestorsRollItUp()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("run", new { name = "orchestrator" });
        var child = await server.Http.CreateAsync("task-1", new { parent_id = "run", input_tokens = 100, cost_usd = 0.25 });
        (child.Str("parent_id"), child.Str("root_id"), child.GetProperty("depth").GetInt32()).ShouldBe(("run", "run", 1));
        var (_, batch, _) = await server.Http.PostAsync("/api/batch", new
        {
            operations = new object[]
            {
                new { op = "create", id = "task-1a", parent_id = "task-1", cost_usd = 0.5 },
                new { op = "usage", id = "task-1a", output_tokens = 7 },
            },
        });
        batch.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("status").GetInt32()).ShouldBe([201, 200]);

        var (status, run, _) = await server.Http.GetJsonAsync("/api/sessions/run");
        status.ShouldBe(200);
        run.GetProperty("parent_id").ValueKind.ShouldBe(JsonValueKind.Null);
        (run.Str("root_id"), run.GetProperty("depth").GetInt32()).ShouldBe(("run", 0));
        var totals = Subtree(run);
        (totals.Long("sessions"), totals.Long("active"), totals.Long("input_tokens"), totals.Long("output_tokens"), totals.Long("total_tokens"))
            .ShouldBe((3L, 3L, 100L, 7L, 107L));
        totals.GetProperty("cost_usd").GetDecimal().ShouldBe(0.75m);
        run.Long("version").ShouldBe(1, "the root itself did not change");
    }

    [Fact]
    public async Task EveryRefusalIsProblemJsonNamingParentIdAndWritesNothing()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Sessions.MaxTreeDepth = 2);
        await server.Http.CreateAsync("r");
        await server.Http.CreateAsync("c", new { parent_id = "r" });
        await server.Http.CreateAsync("g", new { parent_id = "c" });
        await server.Http.CreateAsync("done");
        (await server.Http.PostAsync("/api/sessions/done/terminate")).Status.ShouldBe(200);
        var head = await HeadAsync(server.Http);

        async Task Refused(HttpMethod method, string path, string body, int status, string code)
        {
            var (got, problem, response) = await server.Http.SendAsync(method, path, body);
            got.ShouldBe(status, problem.ToString());
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            problem.Str("field").ShouldBe("parent_id", problem.ToString());
            problem.Str("code").ShouldBe(code, problem.ToString());
        }

        await Refused(HttpMethod.Post, "/api/sessions", """{"id":"x","parent_id":"nope"}""", 404, "parent_not_found");
        await Refused(HttpMethod.Post, "/api/sessions", """{"id":"x","parent_id":"done"}""", 409, "parent_terminated");
        await Refused(HttpMethod.Post, "/api/sessions", """{"id":"x","parent_id":"g"}""", 400, "tree_too_deep");
        await Refused(HttpMethod.Post, "/api/sessions", """{"id":"x","parent_id":"not an id"}""", 400, "invalid_field");
        await Refused(HttpMethod.Patch, "/api/sessions/c", """{"parent_id":"done"}""", 400, "invalid_field");
        await Refused(HttpMethod.Patch, "/api/sessions/c", """{"parent_id":null,"name":"n"}""", 400, "invalid_field");

        var (_, batch, _) = await server.Http.PostAsync("/api/batch", """
            {"operations":[{"op":"create","id":"x","parent_id":"nope"},{"op":"update","id":"c","parent_id":"r"}]}
            """);
        var problems = batch.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("problem")).ToList();
        problems.Select(p => p.Str("field")).ShouldBe(["parent_id", "operations[1].parent_id"]);
        problems[0].Str("code").ShouldBe("parent_not_found");

        (await HeadAsync(server.Http)).ShouldBe(head, "no event was appended");
        (await server.Http.GetJsonAsync("/api/sessions/x")).Status.ShouldBe(404, "no row was written");
        var (_, c, _) = await server.Http.GetJsonAsync("/api/sessions/c");
        (c.Str("parent_id"), c.Long("version")).ShouldBe(("r", 1L), "the parent never changes");
    }

    [Fact]
    public async Task ACascadingTerminateEndsTheSubtreeInOneCommitAndAPlainOneOnlyTheSession()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("r");
        await server.Http.CreateAsync("a", new { parent_id = "r" });
        await server.Http.CreateAsync("a1", new { parent_id = "a" });
        await server.Http.CreateAsync("b", new { parent_id = "r" });

        var (status, plain, _) = await server.Http.PostAsync("/api/sessions/b/terminate");
        (status, plain.Str("state")).ShouldBe((200, "terminated"));
        (await server.Http.GetJsonAsync("/api/sessions/a")).Body.Str("state").ShouldNotBe("terminated");

        var head = await HeadAsync(server.Http);
        var (cascadeStatus, cascaded, _) = await server.Http.PostAsync("/api/sessions/r/terminate", new { reason = "cancelled", cascade = true });
        cascadeStatus.ShouldBe(200, cascaded.ToString());
        (cascaded.Str("state"), Subtree(cascaded).Long("active"), Subtree(cascaded).Long("sessions")).ShouldBe(("terminated", 0L, 4L));
        var events = await server.Http.EventsAsync(head);
        events.Select(e => (e.Str("type"), e.Str("session_id"))).ShouldBe(
            [("session_terminated", "a1"), ("session_terminated", "a"), ("session_terminated", "r")], "deepest first");
        events.Select(e => e.GetProperty("data").Str("reason")).ShouldAllBe(r => r == "cancelled");
        (await server.Http.GetJsonAsync("/api/sessions/count")).Body.Long("active_sessions").ShouldBe(0);
    }

    [Fact]
    public async Task ChildrenAndTheSubtreeArePagedAndTheListFiltersByParentAndRoots()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("p");
        for (var i = 0; i < 5; i++)
        {
            await server.Http.CreateAsync($"k{i}", new { parent_id = "p" });
        }

        await server.Http.CreateAsync("k0-x", new { parent_id = "k0" });
        await server.Http.CreateAsync("q");

        var ids = new List<string>();
        string? cursor = null;
        do
        {
            var (status, page, _) = await server.Http.GetJsonAsync("/api/sessions/p/children?limit=2" + (cursor is null ? "" : "&cursor=" + cursor));
            status.ShouldBe(200, page.ToString());
            ids.AddRange(page.GetProperty("sessions").EnumerateArray().Select(s => s.Str("id")));
            cursor = page.GetProperty("next_cursor").ValueKind == JsonValueKind.Null ? null : page.Str("next_cursor");
        }
        while (cursor is not null);

        ids.ShouldBe(["k0", "k1", "k2", "k3", "k4"]);

        var tree = new List<string>();
        long? asOf = null;
        do
        {
            var (status, page, _) = await server.Http.GetJsonAsync("/api/sessions/p/tree?limit=3" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            status.ShouldBe(200, page.ToString());
            asOf ??= page.Long("as_of_seq");
            tree.AddRange(page.GetProperty("sessions").EnumerateArray().Select(s => s.Str("id")));
            cursor = page.GetProperty("next_cursor").ValueKind == JsonValueKind.Null ? null : page.Str("next_cursor");
        }
        while (cursor is not null);

        tree.ShouldBe(["p", "k0", "k0-x", "k1", "k2", "k3", "k4"]);
        asOf.ShouldBe(await HeadAsync(server.Http));

        (await server.Http.GetJsonAsync("/api/sessions?parent_id=k0")).Body.GetProperty("sessions").EnumerateArray().Select(s => s.Str("id")).ShouldBe(["k0-x"]);
        (await server.Http.GetJsonAsync("/api/sessions?roots=true")).Body.GetProperty("sessions").EnumerateArray().Select(s => s.Str("id")).ShouldBe(["q", "p"]);
        (await server.Http.GetJsonAsync("/api/sessions?roots=maybe")).Body.Str("field").ShouldBe("roots");
        (await server.Http.GetJsonAsync("/api/sessions?parent_id=a%20b")).Body.Str("field").ShouldBe("parent_id");
        (await server.Http.GetJsonAsync("/api/sessions/nope/children")).Status.ShouldBe(404);
        (await server.Http.GetJsonAsync("/api/sessions/k4/children")).Body.GetProperty("sessions").GetArrayLength().ShouldBe(0, "a leaf has no children");
    }
}
