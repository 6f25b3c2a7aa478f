using Google.Protobuf;
using Switchboard.Otlp.Proto.Collector;
using Switchboard.Otlp.Proto.Common;
using Switchboard.Otlp.Proto.Logs;
using Switchboard.Otlp.Proto.Metrics;
using Switchboard.Otlp.Proto.Resource;
using Switchboard.Otlp.Proto.Trace;

namespace Switchboard.FunctionalTests.Otlp;

/// <summary>OTLP export requests built field by field, for the tests that need a record exactly so.</summary>
internal static class OtlpBodies
{
    public static ulong Now => (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;

    public static KeyValue Attr(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    public static KeyValue Attr(string key, long value) => new() { Key = key, Value = new AnyValue { IntValue = value } };

    public static Resource Resource(params KeyValue[] attributes) => new() { Attributes = { attributes } };

    /// <summary>A span with fresh random ids (no parent), ended now, with <paramref name="attributes"/>.</summary>
    public static Span Span(params KeyValue[] attributes)
    {
        var ids = Guid.NewGuid().ToByteArray();
        var end = Now;
        return new Span
        {
            TraceId = ByteString.CopyFrom(ids),
            SpanId = ByteString.CopyFrom(ids, 0, 8),
            Name = "span",
            StartTimeUnixNano = end - 1_000_000,
            EndTimeUnixNano = end,
            Attributes = { attributes },
        };
    }

    public static ExportTraceServiceRequest Traces(Resource resource, params Span[] spans) =>
        new() { ResourceSpans = { new ResourceSpans { Resource = resource, ScopeSpans = { new ScopeSpans { Scope = new() { Name = "tests" }, Spans = { spans } } } } } };

    /// <summary>A log record named <paramref name="eventName"/>, timed now, with <paramref name="attributes"/>.</summary>
    public static LogRecord Log(string eventName, params KeyValue[] attributes) =>
        new() { EventName = eventName, TimeUnixNano = Now, Attributes = { attributes } };

    public static ExportLogsServiceRequest Logs(Resource resource, params LogRecord[] records) =>
        new() { ResourceLogs = { new ResourceLogs { Resource = resource, ScopeLogs = { new ScopeLogs { Scope = new() { Name = "tests" }, LogRecords = { records } } } } } };

    /// <summary>A metrics export of one sum metric (cumulative or delta) holding <paramref name="points"/>.</summary>
    public static ExportMetricsServiceRequest Sum(Resource resource, string metric, bool cumulative, params NumberDataPoint[] points) => new()
    {
        ResourceMetrics =
        {
            new ResourceMetrics
            {
                Resource = resource,
                ScopeMetrics =
                {
                    new ScopeMetrics
                    {
                        Scope = new() { Name = "com.anthropic.claude_code", Version = "2.1.0" },
                        Metrics =
                        {
                            new Metric
                            {
                                Name = metric,
                                Sum = new Sum
                                {
                                    AggregationTemporality = cumulative ? AggregationTemporality.Cumulative : AggregationTemporality.Delta,
                                    IsMonotonic = true,
                                    DataPoints = { points },
                                },
                            },
                        },
                    },
                },
            },
        },
    };

    public static NumberDataPoint Point(ulong start, ulong time, double value, params KeyValue[] attributes) =>
        new() { StartTimeUnixNano = start, TimeUnixNano = time, AsDouble = value, Attributes = { attributes } };

    /// <summary>Posts <paramref name="request"/> as protobuf to its signal's path; returns the response.</summary>
    public static Task<HttpResponseMessage> PostAsync(HttpClient http, IMessage request) =>
        OtlpKit.PostAsync(http, request switch
        {
            ExportTraceServiceRequest => "/v1/traces",
            ExportLogsServiceRequest => "/v1/logs",
            _ => "/v1/metrics",
        }, request.ToByteArray());

    /// <summary>Posts <paramref name="request"/> and expects 200; returns the answer's body.</summary>
    public static async Task<byte[]> PostOkAsync(HttpClient http, IMessage request)
    {
        using var response = await PostAsync(http, request);
        var body = await response.Content.ReadAsByteArrayAsync();
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, System.Text.Encoding.UTF8.GetString(body));
        return body;
    }
}
