using Google.Protobuf;
using Switchboard.Otlp.Proto.Collector;
using Switchboard.Otlp.Proto.Common;
using Switchboard.Otlp.Proto.Logs;
using Switchboard.Otlp.Proto.Metrics;
using Switchboard.Otlp.Proto.Resource;
using Switchboard.Otlp.Proto.Trace;

namespace Switchboard.Server.Tests.Otlp;

/// <summary>
/// Export requests built with the generated classes that touch every field the mapping reads, with unknown fields of
/// every wire type inside them (added as bytes and kept by the parser), for <see cref="WireEquivalenceTests"/>.
/// </summary>
internal static class WireRequests
{
    public const ulong Now = 1_795_000_000_000_000_000;

    private static KeyValue Text(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    private static KeyValue Int(string key, long value) => new() { Key = key, Value = new AnyValue { IntValue = value } };

    private static KeyValue Double(string key, double value) => new() { Key = key, Value = new AnyValue { DoubleValue = value } };

    /// <summary>Unknown fields of every wire type: varint, fixed64, length-delimited, a group, fixed32.</summary>
    private static readonly byte[] Unknown =
    [
        0xF8, 0x06, 0x96, 0x01, // field 111, varint 150
        0xF1, 0x06, 1, 2, 3, 4, 5, 6, 7, 8, // field 110, fixed64
        0xEA, 0x06, 3, 0x61, 0x62, 0x63, // field 109, 3 bytes
        0xE3, 0x06, 0x08, 0x01, 0xE4, 0x06, // field 108, a group holding a varint
        0xDD, 0x06, 9, 9, 9, 9, // field 107, fixed32
    ];

    /// <summary>The message with <see cref="Unknown"/> fields after its own.</summary>
    private static T WithUnknown<T>(T message) where T : IMessage<T>, new()
    {
        var parser = new MessageParser<T>(() => new T());
        return parser.ParseFrom([.. message.ToByteArray(), .. Unknown]);
    }

    private static ByteString Bytes(params byte[] bytes) => ByteString.CopyFrom(bytes);

    private static ByteString Trace(byte n) => Bytes([.. Enumerable.Range(1, 15).Select(i => (byte)i), n]);

    private static ByteString SpanId(byte n) => Bytes(9, 8, 7, 6, 5, 4, 3, n);

    private static Resource Resource(params KeyValue[] attributes) => WithUnknown(new Resource { Attributes = { attributes } });

    public static ExportTraceServiceRequest Traces()
    {
        Switchboard.Otlp.Proto.Trace.Span Span(byte n, string? operation, byte parent, params KeyValue[] attributes)
        {
            var span = new Switchboard.Otlp.Proto.Trace.Span
            {
                TraceId = Trace(1), SpanId = SpanId(n), ParentSpanId = parent == 0 ? ByteString.Empty : SpanId(parent), Name = "span " + n,
                StartTimeUnixNano = Now + n * 1_000_000UL, EndTimeUnixNano = Now + n * 2_000_000_000UL, Kind = Switchboard.Otlp.Proto.Trace.Span.Types.SpanKind.Client,
                Events = { new Switchboard.Otlp.Proto.Trace.Span.Types.Event { Name = "e", Attributes = { Text("session.id", "not-this") } } },
            };
            if (operation is not null)
            {
                span.Attributes.Add(Text("gen_ai.operation.name", operation));
            }

            span.Attributes.Add(attributes);
            return WithUnknown(span);
        }

        var failed = Span(6, "chat", 2, Text("error.type", "timeout"));
        failed.Status = WithUnknown(new Status { Code = Status.Types.StatusCode.Error });
        var failedWithMessage = Span(7, "execute_tool", 2);
        failedWithMessage.Status = new Status { Code = Status.Types.StatusCode.Error, Message = "tool \0failed \ud83d\ude00" };
        var badIds = Span(8, "chat", 0);
        badIds.TraceId = Bytes(1, 2);
        var noEnd = Span(9, "embeddings", 1, Text("gen_ai.usage.input_tokens", "12"));
        noEnd.EndTimeUnixNano = 0;
        var outsideParent = Span(10, "invoke_agent", 0, Text("gen_ai.conversation.id", "sub-agent"));
        outsideParent.ParentSpanId = SpanId(99);
        return new ExportTraceServiceRequest
        {
            ResourceSpans =
            {
                WithUnknown(new ResourceSpans
                {
                    Resource = Resource(Text("service.name", "svc"), Text("session.id", "wire-1"), Text("user.id", "u1"), Int("organization.id", 42)),
                    ScopeSpans =
                    {
                        WithUnknown(new ScopeSpans
                        {
                            Scope = new InstrumentationScope { Name = "scope", Version = "1" },
                            Spans =
                            {
                                Span(1, "invoke_agent", 0, Text("gen_ai.agent.name", "Planner"), Text("gen_ai.request.model", "m1")),
                                Span(2, null, 1, Text("http.method", "GET")),
                                Span(3, "chat", 2, Int("gen_ai.usage.input_tokens", 100), Double("gen_ai.usage.output_tokens", 7.6), Text("gen_ai.response.model", "m2")),
                                Span(4, "execute_tool", 3),
                                Span(5, "unknown_op", 1),
                                failed, failedWithMessage, badIds, noEnd, outsideParent,
                            },
                        }),
                    },
                }),
                new ResourceSpans
                {
                    Resource = Resource(Text("service.name", "other")),
                    ScopeSpans = { new ScopeSpans { Spans = { Span(11, "create_agent", 0, Text("gen_ai.conversation.id", "conv-2"), new KeyValue { Key = "model" }) } } },
                },
            },
        };
    }

    public static ExportLogsServiceRequest Logs()
    {
        LogRecord Record(ulong time, string? eventName, AnyValue? body, params KeyValue[] attributes) => WithUnknown(new LogRecord
        {
            TimeUnixNano = time, ObservedTimeUnixNano = Now + 5, EventName = eventName ?? "", Body = body, SeverityText = "INFO",
            TraceId = Trace(2), SpanId = SpanId(2), Attributes = { attributes },
        });

        return new ExportLogsServiceRequest
        {
            ResourceLogs =
            {
                WithUnknown(new ResourceLogs
                {
                    Resource = Resource(Text("service.name", "claude-code"), Text("model", "resource-model")),
                    ScopeLogs =
                    {
                        WithUnknown(new ScopeLogs
                        {
                            LogRecords =
                            {
                                Record(Now, "claude_code.api_request", null, Text("session.id", "log-1"), Int("input_tokens", 10), Text("cache_read_tokens", "5"),
                                    Double("cache_creation_tokens", 2.4), Int("output_tokens", 3), Text("cost_usd", "0.25"), Text("event.sequence", "7")),
                                Record(0, "", new AnyValue { StringValue = "claude_code.api_error" }, Text("session.id", "log-1"), Text("error", "rate limited")),
                                Record(Now + 1, "", null, Text("event.name", "gemini_cli.api_response"), Text("session.id", "log-2"),
                                    Int("input_token_count", 4), Int("output_token_count", 6), Text("event.sequence", new string('9', 80))),
                                Record(Now + 2, "codex.sse_event", null, Text("conversation.id", "thread-1"), Text("input_token_count", "x"), Int("output_token_count", -4)),
                                Record(Now + 3, "not.an.agent", null, Text("session.id", "log-1")),
                                Record(Now + 4, "claude_code.user_prompt", null),
                                Record(Now + 5, "claude_code.tool_result", null, Text("session.id", "log-3"), Text("gen_ai.agent.name", "Worker"), Text("user.id", "u2")),
                            },
                        }),
                    },
                }),
            },
        };
    }

    public static ExportMetricsServiceRequest Metrics()
    {
        NumberDataPoint Point(ulong start, ulong time, double? asDouble, long asInt, params KeyValue[] attributes)
        {
            var point = new NumberDataPoint { StartTimeUnixNano = start, TimeUnixNano = time, Attributes = { attributes } };
            if (asDouble is { } d)
            {
                point.AsDouble = d;
            }
            else
            {
                point.AsInt = asInt;
            }

            return WithUnknown(point);
        }

        var nested = new KeyValue
        {
            Key = "nested",
            Value = new AnyValue
            {
                ArrayValue = new ArrayValue { Values = { new AnyValue { StringValue = "a\"<b>" }, new AnyValue { KvlistValue = new KeyValueList { Values = { Int("n", 1) } } } } },
            },
        };
        var raw = new KeyValue { Key = "raw", Value = new AnyValue { BytesValue = Bytes(0, 1, 2) } };
        return new ExportMetricsServiceRequest
        {
            ResourceMetrics =
            {
                WithUnknown(new ResourceMetrics
                {
                    Resource = Resource(Text("service.name", "claude-code"), Text("session.id", "metric-1"), new KeyValue { Key = "flag", Value = new AnyValue { BoolValue = true } }),
                    ScopeMetrics =
                    {
                        WithUnknown(new ScopeMetrics
                        {
                            Scope = WithUnknown(new InstrumentationScope { Name = "com.anthropic.claude_code", Version = "2.1.0", Attributes = { Text("scope.attr", "s") } }),
                            Metrics =
                            {
                                WithUnknown(new Metric
                                {
                                    Name = "claude_code.token.usage", Unit = "tokens",
                                    Sum = WithUnknown(new Sum
                                    {
                                        AggregationTemporality = AggregationTemporality.Cumulative, IsMonotonic = true,
                                        DataPoints = { Point(Now, Now + 10, null, 50, Text("type", "input"), nested, raw), Point(Now, Now + 10, 20.5, 0, Text("type", "output"), Double("d", 0.1)) },
                                    }),
                                }),
                                new Metric
                                {
                                    Name = "claude_code.cost.usage",
                                    Sum = new Sum { AggregationTemporality = AggregationTemporality.Delta, DataPoints = { Point(Now, Now + 11, 0.75, 0, Text("model", "m")) } },
                                },
                                new Metric
                                {
                                    Name = "gemini_cli.token.usage",
                                    Gauge = new Gauge { DataPoints = { Point(Now, Now + 12, null, 9, Text("type", "input"), Text("session.id", "metric-2")), Point(0, Now, null, 0) } },
                                },
                                new Metric { Name = "codex.turns", Sum = new Sum { DataPoints = { Point(Now, Now + 13, null, 2, Text("type", "thought")), Point(Now, Now + 13, double.NaN, 0) } } },
                                new Metric { Name = "http.requests", Sum = new Sum { DataPoints = { Point(Now, Now + 14, null, 5), Point(Now, Now + 14, null, 6) } } },
                                new Metric { Name = "claude_code.empty" },
                            },
                        }),
                    },
                }),
            },
        };
    }
}
