using System.Text;
using System.Text.Json;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Http;

/// <summary>
/// Real calls against a real server, each request and response checked against the server's own /openapi/v1.json: a
/// request the server accepts must conform to the document, a request it refuses for a reason the schema can express must
/// not, and every response must be a documented status with its documented content type and schema (problem+json on
/// every error status).
/// </summary>
public sealed partial class OpenApiConformanceTests : IAsyncLifetime
{
    private SwitchboardServer _server = null!;
    private HttpClient _http = null!;
    private OpenApiValidator _document = null!;
    private readonly List<Exchange> _exchanges = [];

    public async ValueTask InitializeAsync()
    {
        _server = await SwitchboardServer.StartAsync();
        _http = new HttpClient { BaseAddress = _server.BaseAddress, Timeout = TestTimeouts.Default };
        var text = await _http.GetStringAsync("/openapi/v1.json");
        _document = new OpenApiValidator(JsonDocument.Parse(text).RootElement.Clone());
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task EveryRequestAndResponseOfTheApiMatchesTheDocument()
    {
        var id = $"oa-{Guid.NewGuid():N}"[..20];
        var leased = id + "-l";
        var other = id + "-o";

        // Sessions: create with every field and with none, read, list, count.
        await Call(HttpMethod.Post, "/api/sessions", $$"""
            {"id":"{{id}}","name":"agent","state":"working","labels":{"team":"core"},"metadata":{"model":"m1","n":[1,2]},
             "error_message":null,"input_tokens":10,"output_tokens":5,"cost_usd":0.25,"tasks_running":2,"lease_seconds":null}
            """, 201);
        await Call(HttpMethod.Post, "/api/sessions", "{}", 201);
        await Call(HttpMethod.Post, "/api/sessions", $$"""{"id":"{{leased}}","lease_seconds":30}""", 201);
        await Call(HttpMethod.Get, $"/api/sessions/{id}", null, 200);
        await Call(HttpMethod.Get, "/api/sessions?limit=2&active=true", null, 200);
        await Call(HttpMethod.Get, "/api/sessions?label=team=core&state=working,idle", null, 200);
        await Call(HttpMethod.Get, "/api/sessions/count", null, 200);

        // Writes with every field, nulls where a field can be cleared, and the optional bodies left out.
        await Call(HttpMethod.Patch, $"/api/sessions/{id}", """
            {"state":"idle","name":null,"labels":{"team":"core","tier":"1"},"metadata":{"step":3},"error_message":null,
             "tasks_running":0,"lease_seconds":60,"expected_version":1}
            """, 200);
        await Call(HttpMethod.Patch, $"/api/sessions/{id}", """{"lease_seconds":null}""", 200);
        await Call(HttpMethod.Post, $"/api/sessions/{id}/usage", """{"input_tokens":3,"output_tokens":4,"cost_usd":0.0125}""", 200);
        await Call(HttpMethod.Post, $"/api/sessions/{leased}/heartbeat", null, 200);
        await Call(HttpMethod.Post, $"/api/sessions/{leased}/heartbeat", "{}", 200);
        await Call(HttpMethod.Post, $"/api/sessions/{leased}/terminate", null, 200);

        // A batch with every operation and every field of each, and one refused operation.
        await Call(HttpMethod.Post, "/api/batch", $$"""
            {"operations":[
              {"op":"create","id":"{{other}}","name":"b","state":"initializing","labels":{"k":"v"},"metadata":{},"error_message":null,
               "input_tokens":1,"output_tokens":1,"cost_usd":0.5,"tasks_running":1,"lease_seconds":30},
              {"op":"update","id":"{{other}}","state":"error","name":"b2","labels":{"k":"w"},"metadata":{"x":1},"error_message":"boom",
               "tasks_running":0,"lease_seconds":null,"expected_version":1},
              {"op":"usage","id":"{{other}}","input_tokens":2,"output_tokens":3,"cost_usd":0.1},
              {"op":"heartbeat","id":"{{other}}"},
              {"op":"terminate","id":"{{other}}","reason":"done","expected_version":3},
              {"op":"update","id":"{{other}}","state":"working"}
            ]}
            """, 200);

        // Trees: a child and a grandchild, their reads, the tree filters, a cascade, and the refusals naming parent_id.
        var child = id + "-c";
        await Call(HttpMethod.Post, "/api/sessions", $$"""{"id":"{{child}}","parent_id":"{{id}}","cost_usd":0.5}""", 201);
        await Call(HttpMethod.Post, "/api/batch", $$"""{"operations":[{"op":"create","id":"{{child}}-g","parent_id":"{{child}}"}]}""", 200);
        await Call(HttpMethod.Get, $"/api/sessions/{id}/children?limit=1", null, 200);
        await Call(HttpMethod.Get, $"/api/sessions/{id}/tree?limit=2", null, 200);
        await Call(HttpMethod.Get, $"/api/sessions?parent_id={id}&roots=false", null, 200);
        await Call(HttpMethod.Get, "/api/sessions?roots=true&limit=1", null, 200);
        await Call(HttpMethod.Post, "/api/sessions", """{"parent_id":"no-such-parent"}""", 404);
        await Call(HttpMethod.Patch, $"/api/sessions/{child}", $$"""{"parent_id":"{{id}}"}""", 400, schemaRefuses: true);
        await Call(HttpMethod.Get, "/api/sessions/no-such-session/children", null, 404);
        await Call(HttpMethod.Get, "/api/sessions/no-such-session/tree", null, 404);
        await Call(HttpMethod.Get, $"/api/sessions/{id}/tree?cursor=!!", null, 400);
        await Call(HttpMethod.Post, "/api/batch", $$"""{"operations":[{"op":"terminate","id":"{{child}}","reason":"done","cascade":true}]}""", 200);
        await Call(HttpMethod.Post, "/api/sessions", $$"""{"parent_id":"{{child}}"}""", 409);

        // Reads of the log, the summary, the fleet and auth.
        await Call(HttpMethod.Get, "/api/events?since=0&limit=50", null, 200);
        await Call(HttpMethod.Get, $"/api/events?session_id={id}", null, 200);
        await Call(HttpMethod.Get, "/api/summary", null, 200);
        await Call(HttpMethod.Get, "/api/fleet", null, 200);
        await Call(HttpMethod.Post, "/api/fleet/pause", null, 200);
        await Call(HttpMethod.Post, "/api/fleet/resume", null, 200);
        await Call(HttpMethod.Get, "/api/auth", null, 200);
        await Call(HttpMethod.Post, $"/api/sessions/{id}/terminate", """{"reason":"finished","cascade":true}""", 200);

        // Refusals the schema can express: the document must refuse the request too.
        await Call(HttpMethod.Post, "/api/sessions", """{"bogus":1}""", 400, schemaRefuses: true);
        await Call(HttpMethod.Post, "/api/sessions", """{"state":"sleeping"}""", 400, schemaRefuses: true);
        await Call(HttpMethod.Post, "/api/sessions", """{"input_tokens":"5"}""", 400, schemaRefuses: true);
        await Call(HttpMethod.Post, "/api/sessions", """{"id":null}""", 400, schemaRefuses: true);
        await Call(HttpMethod.Patch, $"/api/sessions/{other}", """{"tasks_running":null}""", 400, schemaRefuses: true);
        await Call(HttpMethod.Post, $"/api/sessions/{other}/usage", """{"cost_usd":"0.1"}""", 400, schemaRefuses: true);
        await Call(HttpMethod.Post, $"/api/sessions/{other}/terminate", """{"reason":7}""", 400, schemaRefuses: true);
        await Call(HttpMethod.Post, "/api/batch", """{"operations":[{"op":"update","id":"x","bogus":1}]}""", 200, schemaRefuses: true);
        await Call(HttpMethod.Post, "/api/batch", """{"operations":[{"op":"heartbeat"}]}""", 200, schemaRefuses: true);
        await Call(HttpMethod.Post, "/api/batch", """{"ops":[]}""", 400, schemaRefuses: true);

        // Refusals by state: documented statuses, problem+json.
        await Call(HttpMethod.Post, "/api/sessions", $$"""{"id":"{{id}}"}""", 409);
        await Call(HttpMethod.Get, "/api/sessions/no-such-session", null, 404);
        await Call(HttpMethod.Patch, $"/api/sessions/{other}", """{"state":"working"}""", 409);
        await Call(HttpMethod.Post, "/api/sessions/no-such-session/usage", """{"input_tokens":1}""", 404);
        await Call(HttpMethod.Post, "/api/sessions/no-such-session/heartbeat", null, 404);
        await Call(HttpMethod.Post, "/api/sessions", "{not json", 400);
        await Call(HttpMethod.Get, "/api/sessions?limit=0", null, 400);
        await Call(HttpMethod.Get, "/api/events?since=999999999", null, 410);
        await Call(HttpMethod.Get, "/api/events?since=abc", null, 400);
        await Call(HttpMethod.Post, "/api/tokens", "{}", 404);

        CheckExchanges();
        _exchanges.Count.ShouldBeGreaterThan(40);
    }

    private void CheckExchanges()
    {
        var failures = new List<string>();
        foreach (var e in _exchanges)
        {
            var label = $"{e.Method} {e.Path} -> {e.Status}";
            var operation = _document.Operation(e.Method, e.Path);
            if (operation is not { } op)
            {
                failures.Add($"{label}: no operation in the document");
                continue;
            }

            failures.AddRange(OpenApiValidator.CheckQuery(op, e.Path).Select(r => $"{label}: {r}"));
            failures.AddRange(OpenApiValidator.CheckRequestHeaders(op, e.RequestHeaders).Select(r => $"{label}: {r}"));
            var requestErrors = _document.CheckRequest(op, e.Request, e.RequestContentType, e.RequestText is not null);
            if (e.SchemaRefuses && requestErrors.Count == 0)
            {
                failures.Add($"{label}: the server refuses {e.RequestText}, but the document accepts it");
            }
            else if (!e.SchemaRefuses && e.Status < 300)
            {
                failures.AddRange(requestErrors.Select(r => $"{label}: {r}"));
            }

            failures.AddRange(_document.CheckResponse(op, e.Status, e.ContentType, e.Response, e.HasResponseBody, e.ResponseHeaders, e.Method == HttpMethod.Head)
                .Select(r => $"{label}: {r}"));
        }

        failures.ShouldBeEmpty(string.Join("\n", failures));
    }

    [Fact]
    public async Task BatchResultsCarryEitherASessionOrAProblem()
    {
        var id = $"oa-{Guid.NewGuid():N}"[..20];
        await Call(HttpMethod.Post, "/api/batch", $$"""{"operations":[{"op":"create","id":"{{id}}"},{"op":"usage","id":"{{id}}-missing"}]}""", 200);
        var results = _exchanges[^1].Response!.Value.GetProperty("results").EnumerateArray().ToList();
        results[0].TryGetProperty("session", out _).ShouldBeTrue();
        results[0].TryGetProperty("problem", out _).ShouldBeFalse();
        results[1].GetProperty("status").GetInt32().ShouldBe(404);
        results[1].TryGetProperty("session", out _).ShouldBeFalse();
        var op = _document.Operation(HttpMethod.Post, "/api/batch")!.Value;
        _document.CheckResponse(op, 200, "application/json", _exchanges[^1].Response).ShouldBeEmpty();
    }

    private Task Call(HttpMethod method, string path, string? json, int expectedStatus, bool schemaRefuses = false)
    {
        var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return Send(request, expectedStatus, schemaRefuses);
    }

    /// <summary>
    /// Sends <paramref name="request"/> (disposed here), checks its status (unless <paramref name="expectedStatus"/> is null:
    /// any status, the document decides) and records the exchange. A JSON body on either side is kept parsed
    /// for the schemas; another body only counts as present. The live event stream is read up to its first `event:
    /// joined` record, another one to its first line (kept as text), then dropped.
    /// </summary>
    private async Task<Exchange> Send(HttpRequestMessage request, int? expectedStatus, bool schemaRefuses = false, HttpClient? http = null)
    {
        using var _ = request;
        var requestText = request.Content is null ? null : await request.Content.ReadAsStringAsync();
        var requestType = request.Content?.Headers.ContentType?.MediaType;
        var path = request.RequestUri!.OriginalString; // the client makes it absolute
        string[] requestHeaders = [.. request.Headers.Select(h => h.Key), .. request.Content?.Headers.Select(h => h.Key) ?? []];
        using var response = await (http ?? _http).SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var contentType = response.Content.Headers.ContentType?.MediaType;
        string text;
        if (contentType == "text/event-stream")
        {
            // The live stream up to the end of its first `event: joined` record (what its description promises comes before
            // it); any other stream (Durable Streams') its first line.
            // One deadline for the whole read: heartbeat comments would keep a per-line timeout from ever firing.
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            using var deadline = new CancellationTokenSource(TestTimeouts.Default);
            var lines = new List<string>();
            while (await reader.ReadLineAsync(deadline.Token) is { } line)
            {
                lines.Add(line);
                if (!path.StartsWith("/api/stream", StringComparison.Ordinal) || (line.Length == 0 && lines.Contains("event: joined")))
                {
                    break;
                }
            }

            text = string.Join('\n', lines);
        }
        else
        {
            text = await response.Content.ReadAsStringAsync();
        }

        if (expectedStatus is { } expected)
        {
            ((int)response.StatusCode).ShouldBe(expected, $"{request.Method} {path} {requestText}: {text}");
        }

        var exchange = new Exchange(request.Method, path, requestText, Json(requestType, requestText), (int)response.StatusCode, contentType,
            Json(contentType, text), schemaRefuses)
        {
            RequestContentType = requestType,
            RequestHeaders = requestHeaders,
            ResponseHeaders = [.. response.Headers.Select(h => h.Key), .. response.Content.Headers.Select(h => h.Key)],
            HasResponseBody = text.Length > 0,
            ResponseText = contentType == "text/event-stream" ? text : null,
        };
        lock (_exchanges)
        {
            _exchanges.Add(exchange); // a long poll may finish alongside another request
        }

        return exchange;
    }

    private static JsonElement? Json(string? contentType, string? text)
    {
        if (text is not { Length: > 0 } || contentType is null || !(contentType == "application/json" || contentType.EndsWith("+json", StringComparison.Ordinal)))
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            return null; // malformed on purpose: only the response is checked
        }
    }

    private sealed record Exchange(
        HttpMethod Method, string Path, string? RequestText, JsonElement? Request, int Status, string? ContentType, JsonElement? Response, bool SchemaRefuses)
    {
        public string? RequestContentType { get; init; } = "application/json";

        public IReadOnlyList<string> RequestHeaders { get; init; } = [];

        public IReadOnlyList<string> ResponseHeaders { get; init; } = [];

        public bool HasResponseBody { get; init; }

        /// <summary>An event stream's records, as far as they were read.</summary>
        public string? ResponseText { get; init; }
    }
}
