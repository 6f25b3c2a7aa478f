using System.Text.Json;
using Switchboard.Core.Storage;
using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Alerts.Options;
using Switchboard.Server.Options;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Webhooks;

/// <summary>Webhooks against a real HTTP receiver: order, signature, filters, a receiver that goes down and comes back, dead-letter and replay.</summary>
public sealed class WebhookDeliveryTests
{
    private static Task<SwitchboardServer> StartAsync(int maxAttempts = 10, Uri? publicUrl = null) => SwitchboardServer.StartAsync(o =>
    {
        o.PublicUrl = publicUrl;
        o.Webhooks.InitialBackoff = TimeSpan.FromMilliseconds(20);
        o.Webhooks.MaxBackoff = TimeSpan.FromMilliseconds(200);
        o.Webhooks.PollInterval = TimeSpan.FromMilliseconds(200);
        o.Webhooks.MaxAttempts = maxAttempts;
        o.Alerts.Rules.Add(new AlertRuleOptions { Id = "err", Condition = "session_error", Severity = "critical" });
    });

    private static async Task<JsonElement> CreateHookAsync(SwitchboardServer server, object body)
    {
        var created = await server.Http.PostAsync("/api/webhooks", body);
        created.Status.ShouldBe(201, created.Body.ToString());
        return created.Body;
    }

    private static async Task<long> HeadAsync(SwitchboardServer server) =>
        (await server.Http.GetJsonAsync("/api/events?since=0&limit=1")).Body.Long("head_seq");

    [Fact]
    public async Task EndpointsAreBoundedInNumberAndARefusedCreateChangesNothing()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Webhooks.MaxEndpoints = 2);
        await CreateHookAsync(server, new { id = "one", url = "http://127.0.0.1:9/a" });
        var taken = await server.Http.PostAsync("/api/webhooks", new { id = "one", url = "http://127.0.0.1:9/b" });
        taken.Status.ShouldBe(409);
        taken.Body.Str("code").ShouldBe("webhook_exists");
        await CreateHookAsync(server, new { id = "two", url = "http://127.0.0.1:9/b" });

        var refused = await server.Http.PostAsync("/api/webhooks", new { id = "three", url = "http://127.0.0.1:9/c" });
        refused.Status.ShouldBe(409, refused.Body.ToString());
        refused.Body.Str("code").ShouldBe("too_many_webhooks");
        refused.Body.Str("detail").ShouldContain("Switchboard:Webhooks:MaxEndpoints");
        (await server.Http.GetJsonAsync("/api/webhooks")).Body.GetProperty("webhooks").EnumerateArray().Select(w => w.Str("id"))
            .ShouldBe(["one", "two"], ignoreOrder: true);
        (await server.Http.GetJsonAsync("/api/webhooks/three")).Status.ShouldBe(404);

        // A deleted one makes room again.
        (await server.Http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/api/webhooks/one"))).StatusCode.ShouldBe(System.Net.HttpStatusCode.NoContent);
        await CreateHookAsync(server, new { id = "three", url = "http://127.0.0.1:9/c" });
    }

    [Fact]
    public async Task MatchingEventsArriveInSeqOrderSignedAsDocumented()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await StartAsync();
        var hook = await CreateHookAsync(server, new
        {
            url = receiver.Url, secret = "a-secret-of-sufficient-length",
            event_types = new[] { "session_created", "session_updated", "alert_raised" }, labels = new { team = "red" },
        });
        hook.Str("secret").ShouldBe("a-secret-of-sufficient-length");
        hook.Long("cursor").ShouldBe(0);

        for (var i = 0; i < 5; i++)
        {
            await server.Http.CreateAsync($"red{i}", new { labels = new { team = "red" } });
            await server.Http.CreateAsync($"blue{i}", new { labels = new { team = "blue" } });
            (await server.Http.PatchAsync($"/api/sessions/red{i}", new { state = "working" })).Status.ShouldBe(200);
            (await server.Http.PostAsync($"/api/sessions/red{i}/terminate")).Status.ShouldBe(200);
        }

        (await server.Http.PatchAsync("/api/sessions/blue0", new { state = "error" })).Status.ShouldBe(200);
        await server.Http.CreateAsync("redfail", new { state = "error", labels = new { team = "red" } });
        await TestTimeouts.Eventually(() => receiver.Accepted.Any(d => d.Headers["Switchboard-Event"] == "alert_raised"), "the red alert is delivered");
        var head = await HeadAsync(server);
        await TestTimeouts.Eventually(async () => (await server.Http.GetJsonAsync($"/api/webhooks/{hook.Str("id")}")).Body.Long("cursor") == head, "the cursor reaches the head");

        var got = receiver.Accepted;
        got.Select(d => d.Seq).ShouldBe(got.Select(d => d.Seq).Order().Distinct(), "in seq order, each once");
        got.Select(d => $"{d.Headers["Switchboard-Event"]} {d.Json.Str("session_id")}").ShouldBe(
        [
            .. Enumerable.Range(0, 5).SelectMany(i => new[] { $"session_created red{i}", $"session_updated red{i}" }),
            "session_created redfail", "alert_raised redfail",
        ]);
        got.ShouldAllBe(d => d.SignatureValid("a-secret-of-sufficient-length"));
        got.ShouldAllBe(d => d.Json.Long("seq") == d.Seq && d.Headers["Switchboard-Webhook"] == hook.Str("id"));
        got.ShouldAllBe(d => d.Headers["Content-Type"].StartsWith("application/json"));
        got[^1].Json.GetProperty("data").GetProperty("alert").Str("severity").ShouldBe("critical");

        var state = (await server.Http.GetJsonAsync($"/api/webhooks/{hook.Str("id")}")).Body;
        state.Long("lag").ShouldBe(0);
        state.Long("attempts").ShouldBe(got.Count);
        state.Str("state").ShouldBe("active");
        state.TryGetProperty("secret", out _).ShouldBeFalse("the secret is shown once, at creation");
    }

    [Fact]
    public async Task AReceiverThatIsDownThenBackGetsEverythingInOrder()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await StartAsync();
        var hook = await CreateHookAsync(server, new { url = receiver.Url });
        receiver.Status = 503;
        for (var i = 0; i < 20; i++)
        {
            await server.Http.CreateAsync($"s{i}");
        }

        await TestTimeouts.Eventually(() => receiver.All.Count >= 4, "several failed attempts");
        var failing = (await server.Http.GetJsonAsync($"/api/webhooks/{hook.Str("id")}")).Body;
        failing.Long("failures").ShouldBeGreaterThanOrEqualTo(1);
        failing.Str("last_error").ShouldBe("HTTP 503");
        failing.Long("lag").ShouldBeGreaterThan(0);

        receiver.Status = 200;
        await TestTimeouts.Eventually(() => receiver.Accepted.Count == 20, "catch-up");
        receiver.Accepted.Select(d => d.Seq).ShouldBe(Enumerable.Range(1, 20).Select(i => (long)i));
        receiver.All.Where(d => d.Answered != 200).ShouldAllBe(d => d.Seq == 1, "only the first event was tried while the receiver was down");

        var metrics = await server.Http.GetStringAsync("/metrics");
        metrics.ShouldContain($"switchboard_webhook_failures_total{{endpoint=\"{hook.Str("id")}\"}}");
        metrics.ShouldContain("switchboard_webhook_lag");
    }

    [Fact]
    public async Task AfterTheBoundAnEndpointIsFailingKeepsItsCursorAndReplaysFromASeq()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await StartAsync(maxAttempts: 3);
        var hook = await CreateHookAsync(server, new { url = receiver.Url, format = "json" });
        var id = hook.Str("id");
        receiver.Status = 500;
        await server.Http.CreateAsync("a");
        await TestTimeouts.Eventually(async () => (await server.Http.GetJsonAsync($"/api/webhooks/{id}")).Body.Str("state") == "failing", "the endpoint gives up");
        receiver.All.Count.ShouldBe(3);
        var dead = (await server.Http.GetJsonAsync($"/api/webhooks/{id}")).Body;
        dead.Long("cursor").ShouldBe(0);
        dead.Long("consecutive_failures").ShouldBe(3);

        receiver.Status = 200;
        await server.Http.CreateAsync("b");
        await server.Http.CreateAsync("c");
        (await server.Http.PostAsync($"/api/webhooks/{id}/replay", new { from_seq = 99 })).ShouldBeProblem(400, "from_seq");
        (await server.Http.PostAsync($"/api/webhooks/{id}/replay", new { })).ShouldBeProblem(400, "from_seq");
        (await server.Http.PostAsync("/api/webhooks/nope/replay", new { from_seq = 1 })).ShouldBeProblem(404);

        // Retention purges "a": a replay from it is gone, and says from where one can replay; the endpoint stays as it was.
        await server.Get<ISessionStore>().PurgeAsync(new RetentionPolicy(TimeSpan.FromDays(1), MaxEvents: 2), server.Get<TimeProvider>().GetUtcNow(),
            CancellationToken.None);
        var purged = await server.Http.PostAsync($"/api/webhooks/{id}/replay", new { from_seq = 1 });
        purged.ShouldBeProblem(410, "from_seq");
        purged.Body.Str("code").ShouldBe("seq_purged");
        purged.Body.Str("detail").ShouldContain("replay from 2 or later");
        (await server.Http.GetJsonAsync($"/api/webhooks/{id}")).Body.Str("state").ShouldBe("failing", "a refused replay changes nothing");
        receiver.Accepted.ShouldBeEmpty("a failing endpoint receives nothing until replayed");

        var replayed = await server.Http.PostAsync($"/api/webhooks/{id}/replay", new { from_seq = 2 });
        replayed.Status.ShouldBe(200, replayed.Body.ToString());
        replayed.Body.Str("state").ShouldBe("active");
        await TestTimeouts.Eventually(() => receiver.Accepted.Count == 2, "the replay");
        receiver.Accepted.Select(d => d.Json.Str("session_id")).ShouldBe(["b", "c"]);
    }

    [Fact]
    public async Task ASlackEndpointGetsATextBody()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await StartAsync();
        await CreateHookAsync(server, new { url = receiver.Url, format = "slack", event_types = new[] { "alert_raised" }, alert_severities = new[] { "critical" } });
        await server.Http.CreateAsync("boom", new { state = "error", error_message = "disk full" });
        await TestTimeouts.Eventually(() => receiver.Accepted.Count == 1, "the alert");
        var text = receiver.Accepted[0].Json.Str("text");
        text.ShouldContain("critical");
        text.ShouldContain("disk full");
    }

    [Fact]
    public async Task ASlackEndpointSaysWhoWaitsForWhatApproval()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await StartAsync();
        await CreateHookAsync(server, new { url = receiver.Url, format = "slack", event_types = new[] { "approval_requested" } });
        await server.Http.CreateAsync("deployer", new { state = "working" });
        (await server.Http.PostAsync("/api/sessions/deployer/approvals", new { summary = "kubectl rollout restart api", tool = "Bash" })).Status.ShouldBe(201);
        await TestTimeouts.Eventually(() => receiver.Accepted.Count == 1, "the approval's message");
        receiver.Accepted[0].Json.Str("text").ShouldBe(":raising_hand: *Needs you*: `deployer` waits for approval of Bash: kubectl rollout restart api");
    }

    [Fact]
    public async Task AgentTextReachesSlackAsTextAndTheSessionIsNamedWithItsIdAsALink()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await StartAsync(publicUrl: new Uri("https://switchboard.example.com/"));
        await CreateHookAsync(server, new { url = receiver.Url, format = "slack", event_types = new[] { "approval_requested" } });
        using var agent = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };

        // A Claude Code agent (session "claude-code in shop") asks to run a command a prompt injection wrote.
        var command = "echo <!channel> @here see <https://evil.example|Approve> & mail ops@example.com";
        var hook = Hooks.HookKit.PostAsync(agent, "claude-code", "PermissionRequest", "inj", new
        {
            cwd = "/home/dev/shop", tool_name = "Bash", tool_input = new { command },
        });
        await TestTimeouts.Eventually(() => receiver.Accepted.Count == 1, "the approval's message");
        receiver.Accepted[0].Json.Str("text").ShouldBe(
            ":raising_hand: *Needs you*: *claude-code in shop* (<https://switchboard.example.com/?session=otel%3As%3Ainj|otel:s:inj>) waits for approval of " +
            "Bash: echo &lt;!channel&gt; @\u2060here see &lt;https://evil.example|Approve&gt; &amp; mail ops@example.com");

        var pending = await Approvals.ApprovalKit.WaitForPendingAsync(server.Http, "otel:s:inj");
        (await server.Http.PostAsync($"/api/sessions/otel:s:inj/approvals/{pending.Str("id")}", new { decision = "deny" })).Status.ShouldBe(200);
        (await hook.WaitAsync(TestTimeouts.Default)).IsSuccessStatusCode.ShouldBeTrue();
    }

    [Fact]
    public async Task WithAPublicUrlTheSlackTextLinksTheSessionOnTheDashboard()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await StartAsync(publicUrl: new Uri("https://switchboard.example.com/ops"));
        await CreateHookAsync(server, new { url = receiver.Url, format = "slack", event_types = new[] { "approval_requested", "alert_raised" } });
        await server.Http.CreateAsync("deploy:7", new { state = "working" });
        (await server.Http.PostAsync("/api/sessions/deploy:7/approvals", new { summary = "kubectl rollout restart api", tool = "Bash" })).Status.ShouldBe(201);
        await TestTimeouts.Eventually(() => receiver.Accepted.Count == 1, "the approval's message");
        receiver.Accepted[0].Json.Str("text").ShouldBe(":raising_hand: *Needs you*: <https://switchboard.example.com/ops/?session=deploy%3A7|deploy:7> " +
            "waits for approval of Bash: kubectl rollout restart api");

        await server.Http.CreateAsync("boom", new { state = "error", error_message = "disk full" });
        await TestTimeouts.Eventually(() => receiver.Accepted.Count == 2, "the alert");
        receiver.Accepted[1].Json.Str("text").ShouldEndWith(" <https://switchboard.example.com/ops/?session=boom|boom>");
    }

    [Theory]
    [InlineData("""{"url":"ftp://example.com/x"}""", "url")]
    [InlineData("""{"url":"http://user:pw@example.com/x"}""", "url")]
    [InlineData("""{}""", "url")]
    [InlineData("""{"url":"http://example.com/x","event_types":["session_exploded"]}""", "event_types")]
    [InlineData("""{"url":"http://example.com/x","alert_severities":["loud"]}""", "alert_severities")]
    [InlineData("""{"url":"http://example.com/x","format":"xml"}""", "format")]
    [InlineData("""{"url":"http://example.com/x","secret":"short"}""", "secret")]
    [InlineData("""{"url":"http://example.com/x","retries":3}""", "retries")]
    public async Task AnInvalidEndpointIsAProblemAndNothingIsCreated(string body, string field)
    {
        await using var server = await StartAsync();
        (await server.Http.PostAsync("/api/webhooks", body)).ShouldBeProblem(400, field);
        (await server.Http.GetJsonAsync("/api/webhooks")).Body.GetProperty("webhooks").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task AnEndpointPointingAtTheServerItselfIsRefused()
    {
        await using var server = await StartAsync();
        var self = $"http://127.0.0.1:{server.BaseAddress.Port}/api/sessions";
        (await server.Http.PostAsync("/api/webhooks", new { url = self })).ShouldBeProblem(400, "url");
        (await server.Http.PostAsync("/api/webhooks", new { url = $"http://localhost:{server.BaseAddress.Port}/metrics" })).ShouldBeProblem(400, "url");
    }
}
