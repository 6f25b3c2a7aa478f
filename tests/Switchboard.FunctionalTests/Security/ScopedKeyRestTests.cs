using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Security;

/// <summary>
/// An API key scoped by labels over HTTP: another team's sessions do not exist for it (reads, lists, trees, events,
/// writes, batches), its sessions always carry its labels, and fleet-wide totals and administration are refused.
/// </summary>
public sealed class ScopedKeyRestTests : IAsyncLifetime
{
    private ScopedKeys _keys = null!;

    public async ValueTask InitializeAsync() => _keys = await ScopedKeys.StartAsync(o => o.Usage.GroupBy.Add("team"));

    public async ValueTask DisposeAsync() => await _keys.DisposeAsync();

    private HttpClient Admin => _keys.Admin;

    private HttpClient Red => _keys.Red;

    [Fact]
    public async Task AnotherTeamsSessionIsAnswered404LikeOneThatDoesNotExist()
    {
        var blue = await Red.GetJsonAsync("/api/sessions/blue-1");
        var missing = await Red.GetJsonAsync("/api/sessions/nobody-1");
        blue.ShouldBeProblem(404);
        missing.ShouldBeProblem(404);
        blue.Body.Str("code").ShouldBe(missing.Body.Str("code"));
        blue.Body.Str("detail").Replace("blue-1", "X").ShouldBe(missing.Body.Str("detail").Replace("nobody-1", "X"), "nothing tells them apart");
        (await Red.GetJsonAsync("/api/sessions/red-1")).Body.Str("id").ShouldBe("red-1");
        (await _keys.Blue.GetJsonAsync("/api/sessions/red-1")).ShouldBeProblem(404);
        (await Admin.GetJsonAsync("/api/sessions/blue-1")).Status.ShouldBe(200, "an unscoped key sees the whole fleet as before");
    }

    [Fact]
    public async Task ListsHoldOnlyTheKeysSessionsAndAFilterCannotWidenThem()
    {
        ScopedKeys.Ids((await Red.GetJsonAsync("/api/sessions")).Body).ShouldBe(["red-2", "red-1"]);
        ScopedKeys.Ids((await Red.GetJsonAsync("/api/sessions?label=env=prod")).Body).ShouldBe(["red-1"]);
        ScopedKeys.Ids((await _keys.RedReader.GetJsonAsync("/api/sessions")).Body).ShouldBe(["red-1"], "a scope of two labels needs both");
        ScopedKeys.Ids((await Admin.GetJsonAsync("/api/sessions")).Body).ShouldBe(["blue-1", "red-2", "red-1"]);

        var widened = await Red.GetJsonAsync("/api/sessions?label=team=blue");
        widened.ShouldBeProblem(403);
        widened.Body.Str("code").ShouldBe("insufficient_scope");
        widened.Response.Headers.WwwAuthenticate.ToString().ShouldContain("insufficient_scope");
    }

    [Fact]
    public async Task EventsOfAnotherTeamsSessionAnswerAsAnIdThatDoesNotExistAndMetricsAreFleetWide()
    {
        await Admin.PatchAsync("/api/sessions/blue-1", new { state = "working" });
        var blue = await Red.GetJsonAsync("/api/events?since=0&limit=1&session_id=blue-1");
        var missing = await Red.GetJsonAsync("/api/events?since=0&limit=1&session_id=nobody-1");
        blue.Status.ShouldBe(200);
        (blue.Body.Long("next_since"), blue.Body.GetProperty("has_more").GetBoolean()).ShouldBe((0L, false), "a page of blue's events would move next_since");
        (missing.Body.Long("next_since"), missing.Body.GetProperty("has_more").GetBoolean()).ShouldBe((0L, false));

        using var metrics = await Red.GetAsync("/metrics");
        ((int)metrics.StatusCode).ShouldBe(403, "fleet totals");
        using var adminMetrics = await Admin.GetAsync("/metrics");
        ((int)adminMetrics.StatusCode).ShouldBe(200);
    }

    [Fact]
    public async Task ChildrenAndSubtreesShowOnlyWhatIsInsideTheScope()
    {
        await Admin.CreateAsync("blue-child", new { parent_id = "red-1", labels = new { team = "blue" } });
        await Red.CreateAsync("red-child", new { parent_id = "red-1" });

        ScopedKeys.Ids((await Red.GetJsonAsync("/api/sessions/red-1/children")).Body).ShouldBe(["red-child"]);
        ScopedKeys.Ids((await Red.GetJsonAsync("/api/sessions/red-1/tree")).Body).ShouldBe(["red-1", "red-child"]);
        ScopedKeys.Ids((await Admin.GetJsonAsync("/api/sessions/red-1/children")).Body).ShouldBe(["blue-child", "red-child"], ignoreOrder: true);
        (await Red.GetJsonAsync("/api/sessions/blue-1/children")).ShouldBeProblem(404);
        (await Red.GetJsonAsync("/api/sessions/blue-1/tree")).ShouldBeProblem(404);
        (await Red.GetJsonAsync("/api/sessions/blue-child/tree")).ShouldBeProblem(404);
    }

    [Fact]
    public async Task EventsHoldOnlyTheKeysSessionsAndNoFleetCount()
    {
        await Admin.PatchAsync("/api/sessions/blue-1", new { state = "working" });
        await Admin.PatchAsync("/api/sessions/red-2", new { state = "working" });
        (await Admin.PostAsync("/api/fleet/pause")).Status.ShouldBe(200);

        var events = await Red.EventsAsync();
        events.Select(e => e.GetProperty("session_id").GetString()).Where(id => id is not null).Distinct().ShouldBe(["red-1", "red-2"], ignoreOrder: true);
        events.ShouldContain(e => e.Str("type") == "fleet_updated", "the pause flag is no session data");
        events.Where(e => e.Str("type") == "session_created").Select(e => e.GetProperty("data").ToString())
            .ShouldAllBe(data => !data.Contains("active_count"), "a count of the whole fleet would leak its size");
        (await Red.EventsAsync(sessionId: "blue-1")).ShouldBeEmpty();
        (await Admin.EventsAsync()).Select(e => e.GetProperty("session_id").GetString()).ShouldContain("blue-1");
    }

    [Fact]
    public async Task WritesToAnotherTeamsSessionAre404AndChangeNothing()
    {
        (await Red.PatchAsync("/api/sessions/blue-1", new { state = "working" })).ShouldBeProblem(404);
        (await Red.PostAsync("/api/sessions/blue-1/usage", new { input_tokens = 5 })).ShouldBeProblem(404);
        (await Red.PostAsync("/api/sessions/blue-1/heartbeat")).ShouldBeProblem(404);
        (await Red.PostAsync("/api/sessions/blue-1/terminate", new { reason = "hostile" })).ShouldBeProblem(404);
        (await Red.PostAsync("/api/sessions/blue-1/terminate", new { cascade = true })).ShouldBeProblem(404);

        var blue = (await Admin.GetJsonAsync("/api/sessions/blue-1")).Body;
        blue.Str("state").ShouldBe("initializing");
        blue.Long("version").ShouldBe(1);
        blue.Long("input_tokens").ShouldBe(0);
        (await Red.PatchAsync("/api/sessions/red-2", new { state = "working" })).Status.ShouldBe(200);
    }

    [Fact]
    public async Task ACreateGetsTheScopesLabelsAndOneThatContradictsThemIsRefused()
    {
        var bare = await Red.CreateAsync("red-3");
        bare.GetProperty("labels").Str("team").ShouldBe("red");
        var extra = await Red.CreateAsync("red-4", new { labels = new { env = "dev" } });
        extra.GetProperty("labels").Str("env").ShouldBe("dev");
        extra.GetProperty("labels").Str("team").ShouldBe("red");

        var contradicting = await Red.PostAsync("/api/sessions", new { id = "red-5", labels = new { team = "blue" } });
        contradicting.ShouldBeProblem(403);
        contradicting.Body.Str("code").ShouldBe("insufficient_scope");
        contradicting.Body.Str("detail").ShouldContain("team=blue");
        (await Admin.GetJsonAsync("/api/sessions/red-5")).Status.ShouldBe(404, "nothing was written");

        var underBlue = await Red.PostAsync("/api/sessions", new { id = "red-6", parent_id = "blue-1" });
        underBlue.ShouldBeProblem(404);
        underBlue.Body.Str("code").ShouldBe("parent_not_found");

        var taken = await Red.PostAsync("/api/sessions", new { id = "blue-1" });
        taken.ShouldBeProblem(409, "id");
        taken.Body.Str("detail").ShouldNotContain("initializing", Case.Insensitive, "nothing about the other team's session");
    }

    [Fact]
    public async Task APatchMayNotDropOrChangeTheScopesLabels()
    {
        foreach (var labels in new object[] { new { env = "prod" }, new { team = "blue", env = "prod" } })
        {
            var refused = await Red.PatchAsync("/api/sessions/red-1", new { labels });
            refused.ShouldBeProblem(403);
            refused.Body.Str("code").ShouldBe("insufficient_scope");
        }

        (await Admin.GetJsonAsync("/api/sessions/red-1")).Body.Long("version").ShouldBe(1, "the refused changes wrote nothing");
        var kept = await Red.PatchAsync("/api/sessions/red-1", new { labels = new { team = "red", tier = "gold" } });
        kept.Status.ShouldBe(200, kept.Body.ToString());
        kept.Body.GetProperty("labels").Str("tier").ShouldBe("gold");
        (await _keys.RedReader.PatchAsync("/api/sessions/red-1", new { state = "working" })).ShouldBeProblem(403);
    }

    [Fact]
    public async Task ACascadeEndsOnlyTheDescendantsInsideTheScope()
    {
        await Red.CreateAsync("red-child", new { parent_id = "red-1" });
        await Admin.CreateAsync("blue-child", new { parent_id = "red-1", labels = new { team = "blue" } });

        var ended = await Red.PostAsync("/api/sessions/red-1/terminate", new { cascade = true });
        ended.Status.ShouldBe(200, ended.Body.ToString());
        (await Admin.GetJsonAsync("/api/sessions/red-child")).Body.Str("state").ShouldBe("terminated");
        (await Admin.GetJsonAsync("/api/sessions/blue-child")).Body.Str("state").ShouldBe("initializing", "a session it cannot see is not ended by it");
    }

    [Fact]
    public async Task EachBatchOperationFollowsTheScopeWithItsOwnResult()
    {
        var (status, body, _) = await Red.PostAsync("/api/batch", new
        {
            operations = new object[]
            {
                new { op = "create", id = "batch-red" },
                new { op = "update", id = "blue-1", state = "working" },
                new { op = "create", id = "batch-blue", labels = new { team = "blue" } },
                new { op = "usage", id = "red-2", input_tokens = 7 },
                new { op = "terminate", id = "blue-1" },
                new { op = "update", id = "red-1", labels = new { env = "dev" } },
            },
        });
        status.ShouldBe(200, body.ToString());
        var results = body.GetProperty("results").EnumerateArray().ToList();
        results.Select(r => r.Long("status")).ShouldBe([201, 404, 403, 200, 404, 403]);
        results[0].GetProperty("session").GetProperty("labels").Str("team").ShouldBe("red");
        results[2].GetProperty("problem").Str("code").ShouldBe("insufficient_scope");

        (await Admin.GetJsonAsync("/api/sessions/blue-1")).Body.Str("state").ShouldBe("initializing");
        (await Admin.GetJsonAsync("/api/sessions/batch-blue")).Status.ShouldBe(404);
        (await Admin.GetJsonAsync("/api/sessions/red-2")).Body.Long("input_tokens").ShouldBe(7);
    }

    [Fact]
    public async Task CommandsOnAnotherTeamsSessionAre404()
    {
        var issued = await Admin.PostAsync("/api/sessions/blue-1/commands", new { type = "pause" });
        issued.Status.ShouldBe(201, issued.Body.ToString());
        var command = issued.Body.Str("id");

        (await Red.PostAsync("/api/sessions/blue-1/commands", new { type = "cancel" })).ShouldBeProblem(404);
        (await Red.GetJsonAsync("/api/sessions/blue-1/commands")).ShouldBeProblem(404);
        (await Red.GetJsonAsync("/api/sessions/blue-1/commands?wait=0")).ShouldBeProblem(404);
        (await Red.GetJsonAsync($"/api/sessions/blue-1/commands/{command}")).ShouldBeProblem(404);
        (await Red.PostAsync($"/api/sessions/blue-1/commands/{command}/ack", new { outcome = "done" })).ShouldBeProblem(404);
        (await Red.SendAsync(HttpMethod.Delete, $"/api/sessions/blue-1/commands/{command}")).ShouldBeProblem(404);

        var commands = (await Admin.GetJsonAsync("/api/sessions/blue-1/commands")).Body.GetProperty("commands").EnumerateArray().ToList();
        commands.Select(c => (c.Str("id"), c.Str("state"))).ShouldBe([(command, "pending")], "nothing was issued, handed over, answered or withdrawn");

        var own = await Red.PostAsync("/api/sessions/red-1/commands", new { type = "pause" });
        own.Status.ShouldBe(201, own.Body.ToString());
        (await Red.GetJsonAsync("/api/sessions/red-1/commands?wait=0")).Body.GetProperty("commands").GetArrayLength().ShouldBe(1);
        (await Red.PostAsync($"/api/sessions/red-1/commands/{own.Body.Str("id")}/ack", new { outcome = "done" })).Status.ShouldBe(200);
    }

    [Theory]
    [InlineData("GET", "/api/summary")]
    [InlineData("GET", "/api/sessions/count")]
    [InlineData("GET", "/api/usage")]
    [InlineData("GET", "/api/usage?group_by=label:team")]
    [InlineData("GET", "/api/usage?group_by=label:team&labels=team=blue")]
    [InlineData("GET", "/api/alerts")]
    [InlineData("GET", "/api/alert-rules")]
    [InlineData("POST", "/api/alert-rules")]
    [InlineData("GET", "/api/webhooks")]
    [InlineData("POST", "/api/webhooks")]
    [InlineData("POST", "/api/fleet/pause")]
    [InlineData("POST", "/api/fleet/resume")]
    public async Task FleetWideTotalsAndAdministrationAre403(string method, string path)
    {
        var refused = await Red.SendAsync(new HttpMethod(method), path, method == "POST" ? "{}" : null);
        refused.ShouldBeProblem(403);
        refused.Body.Str("code").ShouldBe("insufficient_scope");
        refused.Response.Headers.WwwAuthenticate.ToString().ShouldContain("error=\"insufficient_scope\"");
        (await Admin.GetJsonAsync("/api/fleet")).Body.GetProperty("is_paused").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task UsageNarrowedToTheScopeAndTheFleetFlagAreReadable()
    {
        await Admin.PostAsync("/api/sessions/red-1/usage", new { input_tokens = 100 });
        await Admin.PostAsync("/api/sessions/blue-1/usage", new { input_tokens = 900 });

        var usage = await Red.GetJsonAsync("/api/usage?group_by=label:team&labels=team=red");
        usage.Status.ShouldBe(200, usage.Body.ToString());
        usage.Body.ToString().ShouldNotContain("blue");
        usage.Body.ToString().ShouldContain("\"input_tokens\":100");
        (await _keys.RedReader.GetJsonAsync("/api/usage?group_by=label:team&labels=team=red")).ShouldBeProblem(403); // its scope also needs env=prod
        (await Red.GetJsonAsync("/api/fleet")).Status.ShouldBe(200);

        var auth = (await _keys.RedReader.GetJsonAsync("/api/auth")).Body;
        auth.Str("scope").ShouldBe("read");
        auth.GetProperty("labels").Str("team").ShouldBe("red");
        auth.GetProperty("labels").Str("env").ShouldBe("prod");
        (await Admin.GetJsonAsync("/api/auth")).Body.GetProperty("labels").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task ItMintsOnlyTokensWithinItsScope()
    {
        var (status, minted, _) = await Red.PostAsync("/api/tokens", new { topics = new[] { "sessions", "session:*" } });
        status.ShouldBe(200, minted.ToString());
        minted.GetProperty("labels").Str("team").ShouldBe("red");
        var narrower = await Red.PostAsync("/api/tokens", new { labels = new { env = "prod" } });
        narrower.Body.GetProperty("labels").Str("team").ShouldBe("red");
        narrower.Body.GetProperty("topics").EnumerateArray().Select(t => t.GetString()).ShouldNotContain("summary");
        var wider = await Red.PostAsync("/api/tokens", new { labels = new { team = "blue" } });
        wider.ShouldBeProblem(403);
        wider.Body.Str("code").ShouldBe("insufficient_scope");

        await using var client = await PhoenixClient.ConnectAsync(new Uri(_keys.Server.WebSocketUri + "&token=" + Uri.EscapeDataString(minted.Str("token"))));
        var join = await client.JoinAsync("sessions");
        join.Response.GetProperty("sessions").EnumerateArray().Select(s => s.Str("id")).ShouldBe(["red-2", "red-1"]);
        var blue = await client.JoinAsync("session:blue-1");
        blue.Status.ShouldBe("ok");
        blue.Response.GetProperty("session").ValueKind.ShouldBe(JsonValueKind.Null, "another team's session looks like one that does not exist");
    }
}
