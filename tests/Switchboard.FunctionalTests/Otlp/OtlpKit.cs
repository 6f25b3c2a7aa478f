using System.Diagnostics;
using System.Text.Json;
using Google.Protobuf;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Switchboard.FunctionalTests.Http;
using Switchboard.Otlp.Proto.Collector;
using Switchboard.Otlp.Proto.Common;
using Switchboard.Otlp.Proto.Trace;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Otlp;

/// <summary>What the OpenTelemetry tests share: an agent traced with the real .NET SDK, and request bodies for the raw-HTTP cases.</summary>
internal static class OtlpKit
{
    /// <summary>
    /// Runs one agent turn per conversation with the OpenTelemetry .NET SDK and its OTLP exporter: an <c>invoke_agent</c>
    /// span with two child <c>chat</c> spans carrying usage (100+20 and 200+40 tokens). A conversation named in
    /// <paramref name="failing"/> ends with an error status. Flushed before returning.
    /// </summary>
    public static void TraceAgents(Uri endpoint, OtlpExportProtocol protocol, IReadOnlyList<string> conversations, string? failing = null, string? apiKey = null)
    {
        using var source = new ActivitySource("switchboard-tests-" + Guid.NewGuid().ToString("N"));
        using var provider = Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(r => r.AddService("travel-agent", serviceVersion: "1.0.0"))
            .AddSource(source.Name)
            .AddOtlpExporter(o =>
            {
                o.Endpoint = endpoint;
                o.Protocol = protocol;
                if (apiKey is not null)
                {
                    o.Headers = "Authorization=Bearer " + apiKey;
                }
            })
            .Build();
        var previous = Activity.Current;
        Activity.Current = null;
        try
        {
            foreach (var conversation in conversations)
            {
                using var agent = source.StartActivity("invoke_agent planner", ActivityKind.Internal)!;
                agent.SetTag("gen_ai.operation.name", "invoke_agent");
                agent.SetTag("gen_ai.agent.name", "planner");
                agent.SetTag("gen_ai.conversation.id", conversation);
                foreach (var (input, output) in new[] { (100, 20), (200, 40) })
                {
                    Chat(source, conversation, input, output);
                }

                if (conversation == failing)
                {
                    agent.SetStatus(ActivityStatusCode.Error, "tool crashed");
                }
            }
        }
        finally
        {
            Activity.Current = previous;
        }

        provider.ForceFlush(30_000).ShouldBeTrue("the OTLP exporter did not flush");
    }

    /// <summary>Spans <see cref="TraceAgents"/> sends per conversation: the agent span and its two model calls.</summary>
    public const int SpansPerAgentTurn = 3;

    /// <summary>
    /// <c>switchboard_otlp_records_total</c> of <paramref name="signal"/> as the server reports it: one outcome, or all of
    /// them (0 when absent).
    /// </summary>
    public static async Task<double> RecordsAsync(HttpClient http, string signal, string? outcome = null) =>
        (await http.GetStringAsync("/metrics")).Split('\n')
            .Where(l => l.StartsWith("switchboard_otlp_records_total{", StringComparison.Ordinal)
                && l.Contains($"signal=\"{signal}\"", StringComparison.Ordinal)
                && (outcome is null || l.Contains($"outcome=\"{outcome}\"", StringComparison.Ordinal)))
            .Sum(l => double.Parse(l.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// Waits until the server has answered for <paramref name="spans"/> more spans than <paramref name="before"/>. The
    /// exporter's <c>ForceFlush</c> returns once its worker has taken the spans (it checks every second), which on a loaded
    /// machine can be while the export is still on its way; a test that reads right after a flush waits for this.
    /// </summary>
    public static Task ExportedAsync(HttpClient http, double before, int spans) =>
        TestTimeouts.Eventually(async () => await RecordsAsync(http, "traces") >= before + spans, $"the server to answer for {spans} more spans");

    /// <summary>One <c>chat gpt-4o</c> span of <paramref name="conversation"/> under the current span, with its usage.</summary>
    public static void Chat(ActivitySource source, string conversation, int input, int output)
    {
        using var chat = source.StartActivity("chat gpt-4o", ActivityKind.Client)!;
        chat.SetTag("gen_ai.operation.name", "chat");
        chat.SetTag("gen_ai.conversation.id", conversation);
        chat.SetTag("gen_ai.request.model", "gpt-4o");
        chat.SetTag("gen_ai.usage.input_tokens", input);
        chat.SetTag("gen_ai.usage.output_tokens", output);
    }

    /// <summary>An export request with one <c>chat</c> span per conversation (fixed ids, so the same bytes are the same spans).</summary>
    public static ExportTraceServiceRequest ChatSpans(IReadOnlyList<string> conversations, int spansEach = 1, long inputTokens = 10, long outputTokens = 5, int seed = 1)
    {
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "tests" } };
        var random = new Random(seed);
        var start = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        foreach (var conversation in conversations)
        {
            var trace = new byte[16];
            random.NextBytes(trace);
            for (var i = 0; i < spansEach; i++)
            {
                var spanId = new byte[8];
                random.NextBytes(spanId);
                var parent = new byte[8];
                random.NextBytes(parent);
                var span = new Span
                {
                    TraceId = ByteString.CopyFrom(trace),
                    SpanId = ByteString.CopyFrom(spanId),
                    ParentSpanId = ByteString.CopyFrom(parent),
                    Name = "chat gpt-4o",
                    Kind = Span.Types.SpanKind.Client,
                    StartTimeUnixNano = start,
                    EndTimeUnixNano = start + 1_000_000,
                };
                span.Attributes.Add(Attr("gen_ai.operation.name", "chat"));
                span.Attributes.Add(Attr("gen_ai.conversation.id", conversation));
                span.Attributes.Add(Attr("gen_ai.request.model", "gpt-4o"));
                span.Attributes.Add(new KeyValue { Key = "gen_ai.usage.input_tokens", Value = new AnyValue { IntValue = inputTokens } });
                span.Attributes.Add(new KeyValue { Key = "gen_ai.usage.output_tokens", Value = new AnyValue { IntValue = outputTokens } });
                scope.Spans.Add(span);
            }
        }

        var resource = new Switchboard.Otlp.Proto.Resource.Resource();
        resource.Attributes.Add(Attr("service.name", "bench-agent"));
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(new ResourceSpans { Resource = resource, ScopeSpans = { scope } });
        return request;
    }

    public static KeyValue Attr(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    public static async Task<HttpResponseMessage> PostAsync(HttpClient http, string path, byte[] body, string contentType = "application/x-protobuf", bool gzip = false)
    {
        var content = new ByteArrayContent(gzip ? Gzip(body) : body);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        if (gzip)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        return await http.PostAsync(path, content);
    }

    public static byte[] Gzip(byte[] body)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write(body);
        }

        return buffer.ToArray();
    }

    public static async Task<JsonElement> SessionAsync(HttpClient http, string id)
    {
        var (status, body, _) = await http.GetJsonAsync("/api/sessions/" + id);
        status.ShouldBe(200, $"session {id}: {body}");
        return body;
    }

    public static async Task<List<string>> SessionsAsync(HttpClient http)
    {
        var (status, body, _) = await http.GetJsonAsync("/api/sessions?limit=500");
        status.ShouldBe(200, body.ToString());
        return [.. body.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("id").GetString()!)];
    }

    public static async Task<long> HeadAsync(HttpClient http)
    {
        var events = await http.EventsAsync();
        return events.Count == 0 ? 0 : events[^1].Long("seq");
    }
}
