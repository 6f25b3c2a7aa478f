using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Trees;

/// <summary>
/// A cascade over 10,000 descendants is applied in commits that each fit the admission room, so the other writers go in
/// between them instead of waiting for one huge transaction, and every descendant still ends exactly once, deepest first.
/// </summary>
public sealed class CascadeBoundTests(PostgresClusterFixture postgres)
{
    public static TheoryData<string> Stores => ["sqlite", "postgres"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task ACascadeOverTenThousandDescendantsLetsOtherWritersInAndEndsEveryOneOnce(string store)
    {
        var db = store == "postgres" ? await (await postgres.GetAsync()).CreateDatabaseAsync() : null;
        await using var server = db is null ? await SwitchboardServer.StartAsync() : await SwitchboardServer.StartAsync(store: b => b.UsePostgres(db));
        var http = server.Http;
        await http.CreateAsync("root");
        await http.CreateAsync("other");
        // Two levels: 100 children of the root, each with 99 children of its own, and 100 already ended (not read again).
        for (var c = 0; c < 100; c += 10)
        {
            var ops = new List<object>();
            for (var i = c; i < c + 10; i++)
            {
                ops.Add(new { op = "create", id = $"c{i}", parent_id = "root" });
                for (var j = 0; j < 99; j++)
                {
                    ops.Add(new { op = "create", id = $"c{i}-{j}", parent_id = $"c{i}" });
                }
            }

            (await http.PostAsync("/api/batch", new { operations = ops })).Status.ShouldBe(200);
        }

        (await http.PostAsync("/api/batch", new { operations = Enumerable.Range(0, 100).Select(i => new { op = "terminate", id = $"c{i}-0" }) })).Status.ShouldBe(200);
        (await http.GetJsonAsync("/api/sessions/root")).Body.GetProperty("subtree").GetProperty("active").GetInt64().ShouldBe(9_901);
        var before = (await http.GetJsonAsync("/api/events?since=0")).Body.Long("head_seq");

        // Ending 9,901 sessions is 20 commits: more than an ordinary request's 15 s on a loaded machine.
        using var patient = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(3) };
        var cascade = patient.PostAsync("/api/sessions/root/terminate", new { cascade = true, reason = "stop all" });
        // Once the cascade's first commit is in the log, another producer's write goes in before its last.
        await TestTimeouts.Eventually(async () => (await http.GetJsonAsync($"/api/events?since={before}&limit=1")).Body.GetProperty("events").GetArrayLength() == 1,
            "the cascade's first commit");
        var other = await http.PatchAsync("/api/sessions/other", new { state = "working" });
        other.Status.ShouldBe(200);
        var ended = await cascade;
        ended.Status.ShouldBe(200);
        ended.Body.Str("state").ShouldBe("terminated");

        var events = new List<JsonElement>();
        for (var since = before; ;)
        {
            var page = (await http.GetJsonAsync($"/api/events?since={since}&limit=1000")).Body.GetProperty("events").EnumerateArray().ToList();
            if (page.Count == 0)
            {
                break;
            }

            events.AddRange(page);
            since = page[^1].Long("seq");
        }

        var terminated = events.Where(e => e.Str("type") == "session_terminated").Select(e => e.Str("session_id")).ToList();
        terminated.Count.ShouldBe(9_901, "every active descendant and the root, once each");
        terminated.Distinct().Count().ShouldBe(9_901);
        terminated[^1].ShouldBe("root", "the root ends last, after its whole subtree");
        var otherSeq = events.Single(e => e.Str("session_id") == "other").Long("seq");
        otherSeq.ShouldBeLessThan(events.Last(e => e.Str("type") == "session_terminated").Long("seq"),
            "the other producer's write went in between the cascade's commits");
        var firstChild = terminated.IndexOf("c0");
        terminated.IndexOf("c0-1").ShouldBeLessThan(firstChild, "deepest first: a child ends before its parent");
        (await http.GetJsonAsync("/api/sessions/root")).Body.GetProperty("subtree").GetProperty("active").GetInt64().ShouldBe(0);
        (await http.GetJsonAsync("/readyz")).Status.ShouldBe(200);
    }
}
