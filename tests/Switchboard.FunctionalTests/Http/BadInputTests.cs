using System.Text;
using System.Text.Json;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Http;

/// <summary>
/// Every row of the bad-input table: the documented status as problem+json naming the field and rule, and no
/// change at all (the session and the log's head are exactly as before).
/// </summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private SwitchboardServer _server = null!;
    private HttpClient Http => _server.Http;

    public async ValueTask InitializeAsync()
    {
        _server = await SwitchboardServer.StartAsync();
        await Http.CreateAsync("s1", new { name = "original" });
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private async Task AssertRefusedWithoutChange(Func<Task<(int, JsonElement, HttpResponseMessage)>> request, int status, string? field)
    {
        var headBefore = (await Http.GetJsonAsync("/api/events?since=0")).Body.Long("head_seq");
        var sessionBefore = (await Http.GetJsonAsync("/api/sessions/s1")).Body.ToString();

        (await request()).ShouldBeProblem(status, field);

        (await Http.GetJsonAsync("/api/events?since=0")).Body.Long("head_seq").ShouldBe(headBefore);
        (await Http.GetJsonAsync("/api/sessions/s1")).Body.ToString().ShouldBe(sessionBefore);
    }

    [Fact]
    public Task MalformedJsonIs400() =>
        AssertRefusedWithoutChange(() => Http.PatchAsync("/api/sessions/s1", "{\"state\": \"working\""), 400, null);

    [Fact]
    public async Task UnknownFieldsAre400AndNameTheTypo()
    {
        await AssertRefusedWithoutChange(() => Http.PatchAsync("/api/sessions/s1", """{"sate":"working"}"""), 400, "sate");
        var r = await Http.PatchAsync("/api/sessions/s1", """{"sate":"working"}""");
        r.Body.Str("detail").ShouldContain("Did you mean 'state'?");
    }

    [Fact]
    public Task UnknownFieldsOnCreateAre400() =>
        AssertRefusedWithoutChange(() => Http.PostAsync("/api/sessions", """{"id":"s2","lables":{}}"""), 400, "lables");

    [Theory]
    [InlineData("""{"state":5}""", "state")]
    [InlineData("""{"name":true}""", "name")]
    [InlineData("""{"labels":["a"]}""", "labels")]
    [InlineData("""{"labels":{"k":1}}""", "labels")]
    [InlineData("""{"tasks_running":"3"}""", "tasks_running")]
    [InlineData("""{"metadata":"not an object"}""", "metadata")]
    [InlineData("""{"expected_version":1.5}""", "expected_version")]
    [InlineData("""{"state":"running"}""", "state")]
    public Task WrongTypesAre400(string body, string field) =>
        AssertRefusedWithoutChange(() => Http.PatchAsync("/api/sessions/s1", body), 400, field);

    [Theory]
    [InlineData("has space")]
    [InlineData("")]
    [InlineData("é")]
    public Task BadIdsAre400(string id) =>
        AssertRefusedWithoutChange(() => Http.PostAsync("/api/sessions", JsonSerializer.Serialize(new { id })), 400, "id");

    [Fact]
    public Task TooLongIdsAre400() =>
        AssertRefusedWithoutChange(() => Http.PostAsync("/api/sessions", JsonSerializer.Serialize(new { id = new string('x', 129) })), 400, "id");

    [Fact]
    public Task MoreThan32LabelsAre400() =>
        AssertRefusedWithoutChange(() => Http.PatchAsync("/api/sessions/s1",
            JsonSerializer.Serialize(new { labels = Enumerable.Range(0, 33).ToDictionary(i => "k" + i, _ => "v") })), 400, "labels");

    [Fact]
    public Task MetadataOver16KiBIs400() =>
        AssertRefusedWithoutChange(() => Http.PatchAsync("/api/sessions/s1",
            JsonSerializer.Serialize(new { metadata = new { blob = new string('m', 17 * 1024) } })), 400, "metadata");

    [Fact]
    public Task BodiesOver1MiBAre413() =>
        AssertRefusedWithoutChange(() => Http.PatchAsync("/api/sessions/s1",
            JsonSerializer.Serialize(new { name = new string('n', 1024 * 1024 + 10) })), 413, null);

    [Fact]
    public async Task ChunkedBodiesOver1MiBAre413()
    {
        // No Content-Length: the limit must still hold while streaming.
        using var request = new HttpRequestMessage(HttpMethod.Patch, "/api/sessions/s1")
        {
            Content = new PushStreamContent(2 * 1024 * 1024),
        };
        var response = await Http.SendAsync(request);
        ((int)response.StatusCode).ShouldBe(413);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Theory]
    [InlineData("""{"input_tokens":-1}""", "input_tokens")]
    [InlineData("""{"output_tokens":-7}""", "output_tokens")]
    [InlineData("""{"cost_usd":-0.5}""", "cost_usd")]
    public Task NegativeUsageIs400(string body, string field) =>
        AssertRefusedWithoutChange(() => Http.PostAsync("/api/sessions/s1/usage", body), 400, field);

    [Fact]
    public async Task ForbiddenTransitionsAre409AndNameBothStates()
    {
        (await Http.PostAsync("/api/sessions/s1/terminate")).Status.ShouldBe(200);
        await AssertRefusedWithoutChange(() => Http.PatchAsync("/api/sessions/s1", """{"state":"working"}"""), 409, "state");
        var detail = (await Http.PatchAsync("/api/sessions/s1", """{"state":"working"}""")).Body.Str("detail");
        detail.ShouldContain("'terminated'");
        detail.ShouldContain("'working'");
    }

    [Fact]
    public Task StaleExpectedVersionIs409() =>
        AssertRefusedWithoutChange(() => Http.PatchAsync("/api/sessions/s1", """{"name":"x","expected_version":9}"""), 409, "expected_version");

    [Fact]
    public async Task UnknownSessionsAre404()
    {
        await AssertRefusedWithoutChange(() => Http.PatchAsync("/api/sessions/ghost", """{"name":"x"}"""), 404, null);
        (await Http.GetJsonAsync("/api/sessions/ghost")).ShouldBeProblem(404);
        (await Http.PostAsync("/api/sessions/ghost/usage", """{"input_tokens":1}""")).ShouldBeProblem(404);
        (await Http.PostAsync("/api/sessions/ghost/heartbeat")).ShouldBeProblem(404);
        (await Http.PostAsync("/api/sessions/ghost/terminate")).ShouldBeProblem(404);
    }

    [Fact]
    public async Task SessionProblemsNameTheRequestThatFixesThem()
    {
        // Core says what was wrong; the HTTP layer, which owns the routes, adds the request that fixes it.
        (await Http.GetJsonAsync("/api/sessions/ghost")).Body.Str("detail")
            .ShouldBe("Session 'ghost' does not exist. Create it first. Sessions are created with POST /api/sessions.");
        (await Http.PostAsync("/api/sessions", """{"id":"s1"}""")).Body.Str("detail")
            .ShouldBe("Session 's1' already exists (state 'initializing'). Update it instead, or create a session with another id. Sessions are updated with PATCH /api/sessions/{id}.");
        (await Http.PostAsync("/api/alerts/no-such-alert/ack", """{"by":"ops"}""")).Body.Str("detail")
            .ShouldBe("Alert 'no-such-alert' does not exist. Alerts are listed with GET /api/alerts?state=all.");
    }

    [Fact]
    public Task DuplicateCreatesAre409() =>
        AssertRefusedWithoutChange(() => Http.PostAsync("/api/sessions", """{"id":"s1"}"""), 409, "id");

    [Fact]
    public async Task SinceOlderThanRetentionIs410()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Retention.MaxEvents = 2);
        for (var i = 0; i < 5; i++)
        {
            await server.Http.CreateAsync("r" + i);
        }

        await server.Get<Switchboard.Server.Hosting.RetentionService>().PurgeAsync();
        (await server.Http.GetJsonAsync("/api/events?since=1")).ShouldBeProblem(410, "since");
        (await server.Http.GetJsonAsync("/api/events?since=3")).Body.GetProperty("events").GetArrayLength().ShouldBe(2);
    }

    [Fact]
    public async Task ProblemsAreReadable()
    {
        var r = await Http.PatchAsync("/api/sessions/s1", """{"labels":{"k":1}}""");
        r.Body.Str("detail").ShouldBe("Label 'k' must have a string value; got the number 1.");
        r.Body.Str("title").ShouldBe("Invalid request");
    }

    /// <summary>A body streamed without Content-Length.</summary>
    private sealed class PushStreamContent(int length) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            var chunk = Encoding.ASCII.GetBytes(new string(' ', 64 * 1024));
            for (var sent = 0; sent < length; sent += chunk.Length)
            {
                await stream.WriteAsync(chunk);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
