using Google.Protobuf;
using OpenTelemetry.Exporter;
using Switchboard.FunctionalTests.Http;
using Switchboard.Otlp.Proto.Collector;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Otlp;

/// <summary>OTLP/HTTP on the main listener: the real .NET exporter, exporter retries, and the answers the specification asks for.</summary>
public sealed class OtlpHttpTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private HttpClient Http => fixture.Server.Http;

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    [Fact]
    public async Task TheDotnetExporterOverHttpProtobufMakesOneSessionPerConversationWithExactUsage()
    {
        string[] conversations = [NewId("conv"), NewId("conv"), NewId("conv")];
        var before = await OtlpKit.RecordsAsync(Http, "traces");
        OtlpKit.TraceAgents(new Uri(fixture.Server.BaseAddress, "/v1/traces"), OtlpExportProtocol.HttpProtobuf, conversations, failing: conversations[2]);
        await OtlpKit.ExportedAsync(Http, before, conversations.Length * OtlpKit.SpansPerAgentTurn);

        foreach (var conversation in conversations)
        {
            var session = await OtlpKit.SessionAsync(Http, "otel:c:" + conversation);
            session.Long("input_tokens").ShouldBe(300);
            session.Long("output_tokens").ShouldBe(60);
            session.Str("name").ShouldBe("planner");
            var labels = session.GetProperty("labels");
            labels.Str("source").ShouldBe("opentelemetry");
            labels.Str("service").ShouldBe("travel-agent");
            labels.Str("agent").ShouldBe("planner");
            labels.Str("model").ShouldBe("gpt-4o");
        }

        // A finished run is idle; the one whose agent span failed is in error with its message.
        (await OtlpKit.SessionAsync(Http, "otel:c:" + conversations[0])).Str("state").ShouldBe("idle");
        var failed = await OtlpKit.SessionAsync(Http, "otel:c:" + conversations[2]);
        failed.Str("state").ShouldBe("error");
        failed.Str("error_message").ShouldBe("tool crashed");
    }

    [Fact]
    public async Task OneRequestAppendsAtMostOneEventPerSession()
    {
        string[] conversations = [NewId("co"), NewId("co")];
        var body = OtlpKit.ChatSpans(conversations, spansEach: 20, seed: 7).ToByteArray();
        var response = await OtlpKit.PostAsync(Http, "/v1/traces", body);
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        foreach (var conversation in conversations)
        {
            (await Http.EventsAsync(sessionId: "otel:c:" + conversation)).Count.ShouldBe(1);
            (await OtlpKit.SessionAsync(Http, "otel:c:" + conversation)).Long("input_tokens").ShouldBe(200);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheSameBodyPostedTwiceAddsNothing(bool gzip)
    {
        var conversation = NewId("dup");
        var body = OtlpKit.ChatSpans([conversation], spansEach: 3, seed: gzip ? 11 : 12).ToByteArray();
        (await OtlpKit.PostAsync(Http, "/v1/traces", body, gzip: gzip)).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        var head = await OtlpKit.HeadAsync(Http);

        var again = await OtlpKit.PostAsync(Http, "/v1/traces", body, gzip: gzip);
        again.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        again.Content.Headers.ContentType!.MediaType.ShouldBe("application/x-protobuf");
        ExportTraceServiceResponse.Parser.ParseFrom(await again.Content.ReadAsByteArrayAsync()).PartialSuccess.ShouldBeNull();

        (await OtlpKit.HeadAsync(Http)).ShouldBe(head);
        var session = await OtlpKit.SessionAsync(Http, "otel:c:" + conversation);
        session.Long("input_tokens").ShouldBe(30);
        session.Long("version").ShouldBe(1);
    }

    [Fact]
    public async Task OtlpJsonWithHexIdsIsTheSameAsProtobuf()
    {
        var conversation = NewId("json");
        var request = OtlpKit.ChatSpans([conversation], spansEach: 2, seed: 21);
        var json = """
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"json-agent"}}]},
             "scopeSpans":[{"spans":[
            """ + string.Join(",", request.ResourceSpans[0].ScopeSpans[0].Spans.Select(s => $$$"""
              {"traceId":"{{{Convert.ToHexStringLower(s.TraceId.Span)}}}","spanId":"{{{Convert.ToHexStringLower(s.SpanId.Span)}}}",
               "parentSpanId":"{{{Convert.ToHexStringLower(s.ParentSpanId.Span)}}}","name":"chat","kind":3,
               "startTimeUnixNano":"{{{s.StartTimeUnixNano}}}","endTimeUnixNano":{{{s.EndTimeUnixNano}}},
               "attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
                 {"key":"gen_ai.conversation.id","value":{"stringValue":"{{{conversation}}}"}},
                 {"key":"gen_ai.usage.input_tokens","value":{"intValue":"10"}},
                 {"key":"gen_ai.usage.output_tokens","value":{"intValue":5}}],
               "status":{"code":1}}
            """)) + "]}]}]}";
        var response = await OtlpKit.PostAsync(Http, "/v1/traces", System.Text.Encoding.UTF8.GetBytes(json), "application/json");
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        (await OtlpKit.SessionAsync(Http, "otel:c:" + conversation)).Long("input_tokens").ShouldBe(20);

        // The same spans as protobuf are the same records: nothing more is counted.
        var head = await OtlpKit.HeadAsync(Http);
        (await OtlpKit.PostAsync(Http, "/v1/traces", request.ToByteArray())).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        (await OtlpKit.HeadAsync(Http)).ShouldBe(head);
    }

    [Fact]
    public async Task AMalformedBodyGets400AndWritesNothing()
    {
        var head = await OtlpKit.HeadAsync(Http);
        var garbage = new byte[] { 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01 };
        var response = await OtlpKit.PostAsync(Http, "/v1/traces", garbage);
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await OtlpKit.PostAsync(Http, "/v1/logs", "{\"resourceLogs\": 7}"u8.ToArray(), "application/json")).StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        (await OtlpKit.PostAsync(Http, "/v1/metrics", [1, 2, 3], gzip: false)).StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        var notGzip = new ByteArrayContent([1, 2, 3]);
        notGzip.Headers.ContentType = new("application/x-protobuf");
        notGzip.Headers.ContentEncoding.Add("gzip");
        (await Http.PostAsync("/v1/traces", notGzip)).StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        (await OtlpKit.HeadAsync(Http)).ShouldBe(head);
    }

    [Fact]
    public async Task AnotherContentTypeOrEncodingGets415()
    {
        var body = OtlpKit.ChatSpans([NewId("ct")]).ToByteArray();
        (await OtlpKit.PostAsync(Http, "/v1/traces", body, "text/plain")).StatusCode.ShouldBe(System.Net.HttpStatusCode.UnsupportedMediaType);
        var brotli = new ByteArrayContent(body);
        brotli.Headers.ContentType = new("application/x-protobuf");
        brotli.Headers.ContentEncoding.Add("br");
        (await Http.PostAsync("/v1/traces", brotli)).StatusCode.ShouldBe(System.Net.HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task SpansThatAreNotFromAnAgentAreAcceptedAndIgnored()
    {
        var head = await OtlpKit.HeadAsync(Http);
        var request = OtlpKit.ChatSpans([NewId("web")]);
        var span = request.ResourceSpans[0].ScopeSpans[0].Spans[0];
        span.Attributes.Clear();
        span.Attributes.Add(OtlpKit.Attr("http.request.method", "GET"));
        var response = await OtlpKit.PostAsync(Http, "/v1/traces", request.ToByteArray());
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        (await OtlpKit.HeadAsync(Http)).ShouldBe(head);
    }

    [Fact]
    public async Task ASpanWithABadIdIsNamedInPartialSuccess()
    {
        var conversation = NewId("bad");
        var request = OtlpKit.ChatSpans([conversation], spansEach: 2, seed: 31);
        request.ResourceSpans[0].ScopeSpans[0].Spans[0].SpanId = ByteString.CopyFrom(1, 2, 3);
        var response = await OtlpKit.PostAsync(Http, "/v1/traces", request.ToByteArray());
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        var answer = ExportTraceServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        answer.PartialSuccess.RejectedSpans.ShouldBe(1);
        answer.PartialSuccess.ErrorMessage.ShouldContain("span_id");
        (await OtlpKit.SessionAsync(Http, "otel:c:" + conversation)).Long("input_tokens").ShouldBe(10);
    }
}

/// <summary>Limits and keys need servers of their own.</summary>
public sealed class OtlpHttpLimitTests
{
    [Fact]
    public async Task AnOversizedBodyGets413AndWritesNothing()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Otlp.MaxBodyBytes = 4096);
        var body = OtlpKit.ChatSpans(Enumerable.Range(0, 100).Select(i => $"big-{i}").ToList()).ToByteArray();
        body.Length.ShouldBeGreaterThan(4096);
        (await OtlpKit.PostAsync(server.Http, "/v1/traces", body)).StatusCode.ShouldBe(System.Net.HttpStatusCode.RequestEntityTooLarge);
        // Small on the wire, too big once gzip is undone.
        var zipped = await OtlpKit.PostAsync(server.Http, "/v1/traces", body, gzip: true);
        zipped.StatusCode.ShouldBe(System.Net.HttpStatusCode.RequestEntityTooLarge);
        (await OtlpKit.HeadAsync(server.Http)).ShouldBe(0);
    }

    [Fact]
    public async Task WithKeysNoKeyGets401AndAReadKeyGets403()
    {
        const string writeKey = "otlp-write-key-0123456789";
        const string readKey = "otlp-read-key-0123456789";
        await using var server = await SwitchboardServer.StartAsync(o => o.Security.AddApiKeys($"{writeKey},{readKey}:read"));
        var body = OtlpKit.ChatSpans(["keyed"]).ToByteArray();
        (await OtlpKit.PostAsync(server.Http, "/v1/traces", body)).StatusCode.ShouldBe(System.Net.HttpStatusCode.Unauthorized);
        using var reader = server.HttpWithKey(readKey);
        (await OtlpKit.PostAsync(reader, "/v1/traces", body)).StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);

        // The exporter sends the key as OTEL_EXPORTER_OTLP_HEADERS does.
        var before = await OtlpKit.RecordsAsync(reader, "traces");
        OtlpKit.TraceAgents(new Uri(server.BaseAddress, "/v1/traces"), OtlpExportProtocol.HttpProtobuf, ["keyed-conv"], apiKey: writeKey);
        await OtlpKit.ExportedAsync(reader, before, OtlpKit.SpansPerAgentTurn);
        (await OtlpKit.SessionAsync(reader, "otel:c:keyed-conv")).Long("input_tokens").ShouldBe(300);
    }
}
