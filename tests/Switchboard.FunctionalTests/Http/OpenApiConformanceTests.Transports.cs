using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Switchboard.FunctionalTests.Otlp;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Http;

/// <summary>The routes outside the JSON API against the document: health, metrics, SSE, hooks, OTLP/HTTP and Slack.</summary>
public sealed partial class OpenApiConformanceTests
{
    [Fact]
    public async Task HealthMetricsAndTheEventStreamMatchTheDocument()
    {
        await Call(HttpMethod.Get, "/healthz", null, 200);
        await Call(HttpMethod.Get, "/readyz", null, 200);
        await Call(HttpMethod.Get, "/metrics", null, 200);
        _exchanges[^1].ContentType.ShouldBe("text/plain");

        await Call(HttpMethod.Post, "/api/sessions", """{"id":"oa-sse"}""", 201);
        var stream = await Send(new HttpRequestMessage(HttpMethod.Get, "/api/stream?topics=sessions,session:oa-sse&label=team=core&subtree=false"), 200);
        stream.ContentType.ShouldBe("text/event-stream");
        ShouldOpenWithRetryThenJoined(stream, "sessions", "session:oa-sse");
        var resumed = new HttpRequestMessage(HttpMethod.Get, "/api/stream?topics=summary&epoch=x");
        resumed.Headers.Add("Last-Event-ID", "0");
        ShouldOpenWithRetryThenJoined(await Send(resumed, 200), "summary");
        await Call(HttpMethod.Get, "/api/stream", null, 400);
        await Call(HttpMethod.Get, "/api/stream?topics=nope", null, 400);
        await Call(HttpMethod.Get, "/api/stream?topics=sessions&since=x", null, 400);

        CheckExchanges();
    }

    /// <summary>
    /// The stream opens as its description says: a <c>retry:</c> record, then an <c>event: joined</c> record (no <c>id:</c>)
    /// whose one <c>data:</c> line is the join reply of one of <paramref name="topics"/>.
    /// </summary>
    private static void ShouldOpenWithRetryThenJoined(Exchange stream, params string[] topics)
    {
        var records = stream.ResponseText!.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        records.Length.ShouldBeGreaterThanOrEqualTo(2, stream.ResponseText);
        records[0].ShouldMatch("^retry: [0-9]+$");
        var joined = records[^1].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        joined.Length.ShouldBe(2, records[^1]);
        joined[0].ShouldBe("event: joined");
        joined[1].ShouldStartWith("data: ");
        var reply = System.Text.Json.JsonDocument.Parse(joined[1]["data: ".Length..]).RootElement;
        reply.ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Object);
        topics.ShouldContain(reply.GetProperty("topic").GetString());
    }

    [Fact]
    public async Task HookCallsMatchTheDocument()
    {
        await Call(HttpMethod.Post, "/hooks/claude-code", """
            {"hook_event_name":"PreToolUse","session_id":"oa-hook","cwd":"/w/proj","tool_name":"Bash","tool_input":{"command":"ls"}}
            """, 200);
        await Call(HttpMethod.Post, "/hooks/codex", """{"hook_event_name":"SessionStart","session_id":"oa-codex","cwd":"/w"}""", 200);
        await Call(HttpMethod.Post, "/hooks/gemini-cli", """{"hook_event_name":"BeforeTool"}""", 400);
        await Call(HttpMethod.Post, "/hooks/codex", "session_id=x", 400);

        // An operator's message rides in the next answer: the answer's documented shape, not only {}.
        await Call(HttpMethod.Post, "/api/sessions/otel:s:oa-hook/commands", """{"type":"message","text":"look at the tests"}""", 201);
        await Call(HttpMethod.Post, "/hooks/claude-code", """{"hook_event_name":"UserPromptSubmit","session_id":"oa-hook","prompt":"go"}""", 200);
        _exchanges[^1].Response!.Value.GetProperty("hookSpecificOutput").GetProperty("additionalContext").GetString()!.ShouldContain("look at the tests");

        // What the API refuses with 404 or 409 a hook is not (so neither is documented): the end of a session nobody has
        // seen is dropped, and an event for a terminated session starts its continuation (the agent's --resume).
        await Call(HttpMethod.Post, "/hooks/claude-code", """{"hook_event_name":"SessionEnd","session_id":"oa-hook-unseen","reason":"exit"}""", 200);
        await Call(HttpMethod.Post, "/api/sessions/otel:s:oa-hook/terminate", null, 200);
        await Call(HttpMethod.Post, "/hooks/claude-code", """{"hook_event_name":"PreToolUse","session_id":"oa-hook","tool_name":"Read","tool_input":{}}""", 200);

        CheckExchanges();
    }

    [Fact]
    public async Task OtlpExportsInProtobufAndJsonMatchTheDocument()
    {
        var traces = OtlpBodies.Traces(OtlpBodies.Resource(OtlpBodies.Attr("service.name", "claude-code")),
            OtlpBodies.Span(OtlpBodies.Attr("session.id", "oa-otlp")));
        var protobuf = new ByteArrayContent(traces.ToByteArray());
        protobuf.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        var exported = await Send(new HttpRequestMessage(HttpMethod.Post, "/v1/traces") { Content = protobuf }, 200);
        exported.ContentType.ShouldBe("application/x-protobuf");

        var json = JsonFormatter.Default.Format(traces);
        await Send(new HttpRequestMessage(HttpMethod.Post, "/v1/traces") { Content = new StringContent(json, Encoding.UTF8, "application/json") }, 200);
        await Send(new HttpRequestMessage(HttpMethod.Post, "/v1/logs") { Content = new StringContent("{}", Encoding.UTF8, "application/json") }, 200);
        await Send(new HttpRequestMessage(HttpMethod.Post, "/v1/metrics") { Content = new StringContent("{}", Encoding.UTF8, "application/json") }, 200);
        await Send(new HttpRequestMessage(HttpMethod.Post, "/v1/traces") { Content = new StringContent("""{"resourceSpans":7}""", Encoding.UTF8, "application/json") }, 400);
        await Send(new HttpRequestMessage(HttpMethod.Post, "/v1/logs") { Content = new StringContent("x", Encoding.UTF8, "text/plain") }, 415, schemaRefuses: true);
        var gzip = new HttpRequestMessage(HttpMethod.Post, "/v1/metrics") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        gzip.Content.Headers.ContentEncoding.Add("br");
        await Send(gzip, 415);

        CheckExchanges();
    }

    [Fact]
    public async Task SlackInteractionsMatchTheDocument()
    {
        // Off: every click is refused as a route that is not set up.
        await Send(SlackClick("{}", "secret"), 404);

        const string secret = "oa-signing-secret";
        await using var slack = await SwitchboardServer.StartAsync(o =>
        {
            o.Slack.BotToken = "xoxb-oa";
            o.Slack.SigningSecret = secret;
            o.Slack.Channel = "#approvals";
            o.Slack.ApiBaseUrl = new Uri("http://127.0.0.1:9/api/");
            o.Slack.DashboardUrl = new Uri("https://switchboard.example.com/");
            o.Slack.Operators["U0ALICE"] = "alice";
        });
        using var http = new HttpClient { BaseAddress = slack.BaseAddress, Timeout = TestTimeouts.Default };
        var click = """
            {"type":"block_actions","user":{"id":"U0ALICE"},"actions":[{"type":"button","action_id":"allow","value":"{\"session_id\":\"oa-none\",\"approval_id\":\"ap_none\"}"}]}
            """;
        await Send(SlackClick(click, "forged"), 401, http: http);
        await Send(SlackClick("""{"type":"view_submission"}""", secret), 400, http: http);
        await Send(SlackClick(click.Replace("U0ALICE", "U0MALLORY", StringComparison.Ordinal), secret), 403, http: http);
        await Send(SlackClick(click, secret), 404, http: http);

        CheckExchanges();
    }

    /// <summary>A click as Slack posts it: the payload form-encoded, signed with <paramref name="secret"/> now.</summary>
    private static HttpRequestMessage SlackClick(string payload, string secret)
    {
        var body = Encoding.UTF8.GetBytes("payload=" + Uri.EscapeDataString(payload));
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/slack/interactions") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        request.Headers.Add("X-Slack-Request-Timestamp", timestamp);
        var signed = Encoding.UTF8.GetBytes($"v0:{timestamp}:").Concat(body).ToArray();
        request.Headers.Add("X-Slack-Signature", "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed)));
        return request;
    }
}
