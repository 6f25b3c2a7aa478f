using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Core.Errors;
using Switchboard.Core.Sessions;
using Switchboard.Core.Writes;
using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Ingest;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Embedding;

/// <summary>
/// The injectable <see cref="ISwitchboardProducer"/> must be the HTTP API without the network: the same refusals
/// for the same mistakes, and the same events for the same writes.
/// </summary>
public sealed class InProcessProducerTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private HttpClient Http => fixture.Server.Http;

    private ISwitchboardProducer Producer => fixture.Server.Get<ISwitchboardProducer>();

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    [Fact]
    public async Task TheSameWritesProduceTheSameEventsAsOverHttp()
    {
        var viaHttp = NewId("http");
        var viaProducer = NewId("proc");

        await Http.CreateAsync(viaHttp, new { name = "twin", labels = new { team = "core" }, metadata = new { model = "m1" }, lease_seconds = 30 });
        (await Http.PatchAsync($"/api/sessions/{viaHttp}", new { state = "working", tasks_running = 2 })).Status.ShouldBe(200);
        (await Http.PostAsync($"/api/sessions/{viaHttp}/usage", new { input_tokens = 120, output_tokens = 30, cost_usd = 0.015 })).Status.ShouldBe(200);
        (await Http.PostAsync($"/api/sessions/{viaHttp}/heartbeat")).Status.ShouldBe(200);
        (await Http.PatchAsync($"/api/sessions/{viaHttp}", new { state = "error", error_message = "tool failed" })).Status.ShouldBe(200);
        (await Http.PostAsync($"/api/sessions/{viaHttp}/terminate", new { reason = "gave up" })).Status.ShouldBe(200);

        await Producer.CreateAsync(new CreateSession
        {
            Id = viaProducer, Name = "twin", Labels = new Dictionary<string, string> { ["team"] = "core" }, Metadata = """{"model":"m1"}""", LeaseSeconds = 30,
        });
        await Producer.UpdateAsync(new UpdateSession(viaProducer) { State = SessionState.Working, TasksRunning = 2 });
        await Producer.AddUsageAsync(new AddUsage(viaProducer) { InputTokens = 120, OutputTokens = 30, CostUsd = 0.015m });
        await Producer.HeartbeatAsync(viaProducer);
        await Producer.UpdateAsync(new UpdateSession(viaProducer) { State = SessionState.Error, ErrorMessage = "tool failed" });
        var final = await Producer.TerminateAsync(new TerminateSession(viaProducer) { Reason = "gave up" });

        var httpEvents = (await Http.EventsAsync(sessionId: viaHttp)).Select(e => Normalize(e, viaHttp)).ToList();
        var producerEvents = (await Http.EventsAsync(sessionId: viaProducer)).Select(e => Normalize(e, viaProducer)).ToList();
        producerEvents.Count.ShouldBe(5);
        producerEvents.ShouldBe(httpEvents);
        final.State.ShouldBe(SessionState.Terminated);
        (await Producer.GetAsync(viaProducer))!.Version.ShouldBe(final.Version);
    }

    [Fact]
    public async Task InProcessWritesReachLiveSubscribers()
    {
        var id = NewId("live");
        await using var socket = await PhoenixClient.ConnectAsync(fixture.Server.WebSocketUri);
        (await socket.JoinAsync("session:" + id)).Status.ShouldBe("ok");

        await Producer.CreateAsync(new CreateSession { Id = id, State = SessionState.Working });
        await Producer.SetFleetPausedAsync(true);
        await Producer.SetFleetPausedAsync(false);
        await Producer.TerminateAsync(new TerminateSession(id));

        (await socket.WaitForAsync(f => f.Event == "session_created")).Payload.GetProperty("session_id").GetString().ShouldBe(id);
        await socket.WaitForAsync(f => f.Event == "session_terminated");
    }

    public static TheoryData<string> Mistakes => new(MistakeCases.Keys);

    /// <summary>Each mistake as an HTTP request and as the equivalent in-process call.</summary>
    private static readonly Dictionary<string, (Func<string, (HttpMethod Method, string Path, object? Body)> Http, Func<ISwitchboardProducer, string, Task> Call)> MistakeCases = new()
    {
        ["invalid id"] = (_ => (HttpMethod.Patch, "/api/sessions/bad%20id!", new { name = "x" }),
            (p, _) => p.UpdateAsync(new UpdateSession("bad id!") { Name = "x" })),
        ["name too long"] = (id => (HttpMethod.Post, "/api/sessions", new { id = id + "-new", name = new string('n', 201) }),
            (p, id) => p.CreateAsync(new CreateSession { Id = id + "-new", Name = new string('n', 201) })),
        ["negative usage"] = (id => (HttpMethod.Post, $"/api/sessions/{id}/usage", new { output_tokens = -1 }),
            (p, id) => p.AddUsageAsync(new AddUsage(id) { OutputTokens = -1 })),
        ["forbidden transition"] = (id => (HttpMethod.Patch, $"/api/sessions/{id}", new { state = "initializing" }),
            (p, id) => p.UpdateAsync(new UpdateSession(id) { State = SessionState.Initializing })),
        ["stale version"] = (id => (HttpMethod.Patch, $"/api/sessions/{id}", new { name = "x", expected_version = 9 }),
            (p, id) => p.UpdateAsync(new UpdateSession(id) { Name = "x", ExpectedVersion = 9 })),
        ["duplicate create"] = (id => (HttpMethod.Post, "/api/sessions", new { id }),
            (p, id) => p.CreateAsync(new CreateSession { Id = id })),
        ["unknown session"] = (id => (HttpMethod.Post, $"/api/sessions/{id}-missing/heartbeat", null),
            (p, id) => p.HeartbeatAsync(id + "-missing")),
        ["lease too long"] = (id => (HttpMethod.Patch, $"/api/sessions/{id}", new { lease_seconds = 86_401 }),
            (p, id) => p.UpdateAsync(new UpdateSession(id) { LeaseSeconds = 86_401 })),
        ["reserved id"] = (id => (HttpMethod.Post, "/api/sessions", new { id = "otel:s2:" + id }),
            (p, id) => p.CreateAsync(new CreateSession { Id = "otel:s2:" + id })),
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public async Task TheSameMistakeIsRefusedTheSameWayAndChangesNothing(string mistake)
    {
        var (http, call) = MistakeCases[mistake];
        var id = NewId("bad");
        await Http.CreateAsync(id, new { state = "working" });
        var head = (await Http.GetJsonAsync("/api/summary")).Body.Long("as_of_seq");

        var (method, path, body) = http(id);
        var problem = await Http.SendAsync(method, path, body is null ? null : JsonSerializer.Serialize(body));
        var refused = await Should.ThrowAsync<SwitchboardException>(() => call(Producer, id));

        problem.Status.ShouldBeInRange(400, 499);
        Switchboard.Server.Responses.ProblemResult.StatusFor(refused.Error.Kind).ShouldBe(problem.Status);
        refused.Error.Code.ShouldBe(problem.Body.Str("code"));
        refused.Error.Field.ShouldBe(problem.Body.TryGetProperty("field", out var f) ? f.GetString() : null);
        // The same sentence; over HTTP the HTTP layer adds the request that fixes it, which means nothing in process.
        problem.Body.Str("detail").ShouldBe(Switchboard.Server.Responses.HttpFixes.Detail(refused.Error));
        refused.Error.Detail.ShouldNotContain("/api/");
        (await Http.GetJsonAsync("/api/summary")).Body.Long("as_of_seq").ShouldBe(head); // neither path logged anything
    }

    [Fact]
    public async Task ABatchGivesTheSameResultsInProcessAsOverHttp()
    {
        var a = NewId("ba");
        var b = NewId("bb");
        var http = (await Http.PostAsync("/api/batch", new
        {
            operations = new object[]
            {
                new { op = "create", id = a, state = "working" },
                new { op = "usage", id = a, input_tokens = -1 },
                new { op = "update", id = a, state = "initializing" },
                new { op = "terminate", id = a },
            },
        })).Body.GetProperty("results").EnumerateArray().ToList();

        var results = await Producer.BatchAsync(
        [
            new CreateSession { Id = b, State = SessionState.Working },
            new AddUsage(b) { InputTokens = -1 },
            new UpdateSession(b) { State = SessionState.Initializing },
            new TerminateSession(b),
        ]);

        results.Count.ShouldBe(http.Count);
        for (var i = 0; i < results.Count; i++)
        {
            var expected = http[i].TryGetProperty("problem", out var p) ? p.Str("code") : null;
            results[i].Error?.Code.ShouldBe(expected, $"operation {i}");
        }
    }

    /// <summary>The event with the session id and times replaced, so two sessions' histories can be compared.</summary>
    private static string Normalize(JsonElement e, string id)
    {
        var node = JsonNode.Parse(e.GetRawText())!.AsObject();
        node.Remove("seq");
        node.Remove("at");
        var text = node.ToJsonString().Replace(id, "ID", StringComparison.Ordinal);
        return System.Text.RegularExpressions.Regex.Replace(text, "\"\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z\"", "\"TIME\"");
    }
}
