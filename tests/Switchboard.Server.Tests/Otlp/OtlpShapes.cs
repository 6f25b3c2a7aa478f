using System.Text;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Switchboard.Otlp.Proto.Collector;
using Switchboard.Otlp.Proto.Common;
using Switchboard.Otlp.Proto.Logs;
using Switchboard.Otlp.Proto.Metrics;
using Switchboard.Otlp.Proto.Resource;
using Switchboard.Otlp.Proto.Trace;
using Switchboard.Server.Otlp;
using Switchboard.Server.Otlp.Mapping;

namespace Switchboard.Otlp.Shapes;

/// <summary>How an OTLP request of a given size is made up (issue 55: no shape may cost more per byte than another).</summary>
internal enum OtlpShape
{
    /// <summary>One huge resource attribute (its <c>session.id</c>) over as many small agent records as the request takes.</summary>
    HugeResourceAttribute,

    /// <summary>Many small agent records, each with its own handful of attributes, under a small resource.</summary>
    ManySmallRecords,

    /// <summary>Agent records whose attributes (and their resource's) nest lists and arrays deep inside each other, something at every level.</summary>
    DeepNesting,

    /// <summary>
    /// As <see cref="DeepNesting"/> with nothing at each level but the next: the protobuf decoder's worst case, an object
    /// for every few bytes (measured by the benchmark, not held to the others' cost).
    /// </summary>
    DenseNesting,
}

/// <summary>
/// OTLP export requests of about one size in each <see cref="OtlpShape"/>, for each signal, as protobuf or OTLP JSON:
/// the requests of <c>OtlpCostPropertyTests</c> and of <c>OtlpShapeBenchmark</c> (this file is linked into benchmarks/Switchboard.Benchmarks).
/// Every record is one the mapping takes (a <c>chat</c> span, a <c>claude_code.api_request</c> log, a point of a Claude
/// Code metric), so each one is mapped, not skipped. Deterministic: the same arguments make the same bytes.
/// </summary>
internal static partial class OtlpShapes
{
    /// <summary>Records a request carries at most: the server's default cap (<c>Switchboard:Otlp:MaxRecordsPerRequest</c>).</summary>
    public const int MaxRecords = 10_000;

    /// <summary>Nesting levels of a <see cref="OtlpShape.DeepNesting"/> value (two or three protobuf messages a level; decoders stop at 100).</summary>
    public const int Depth = 24;

    private const ulong Start = 1_795_000_000_000_000_000; // 2026-11-18, fixed so the bytes are; the mapping's clock is set to it

    /// <summary>A request of <paramref name="signal"/> in <paramref name="shape"/>, about <paramref name="bytes"/> long as protobuf.</summary>
    public static IMessage Build(OtlpSignal signal, OtlpShape shape, int bytes)
    {
        var resource = new Resource { Attributes = { Text("service.name", "shape-agent") } };
        if (shape == OtlpShape.HugeResourceAttribute)
        {
            resource.Attributes.Add(Text("session.id", new string('s', bytes / 2))); // half the request; small records the rest
        }
        else if (shape is OtlpShape.DeepNesting or OtlpShape.DenseNesting)
        {
            resource.Attributes.Add(new KeyValue { Key = "deep", Value = Nested(Depth, 0, shape == OtlpShape.DenseNesting) });
        }

        // Records are added until the request reaches its size, or the record cap.
        var records = new List<IMessage>();
        for (var (i, size) = (0, resource.CalculateSize()); size < bytes && records.Count < MaxRecords; i++)
        {
            var record = Record(signal, shape, i);
            records.Add(record);
            size += record.CalculateSize() + 3;
        }

        return Wrap(signal, resource, records);
    }

    /// <summary>The request as OTLP JSON (hex trace and span ids, as exporters send them).</summary>
    public static byte[] Json(IMessage request)
    {
        var json = new JsonFormatter(JsonFormatter.Settings.Default).Format(request);
        json = IdField().Replace(json, m => $"\"{m.Groups[1].Value}\": \"{Convert.ToHexStringLower(Convert.FromBase64String(m.Groups[2].Value))}\"");
        return Encoding.UTF8.GetBytes(json);
    }

    /// <summary>What the receiver does with a body before it writes (<c>OtlpReceiver</c>): decode, map, one write per session.</summary>
    public static TelemetryBatch DecodeAndMap(OtlpSignal signal, byte[] body, bool json)
    {
        var batch = new TelemetryBatch(DateTimeOffset.UnixEpoch.AddTicks((long)(Start / 100)), MaxRecords, 128);
        OtlpReceiver.Map(OtlpCodec.Decode(signal, body, json), batch);

        batch.ToWrites(32);
        return batch;
    }

    private static IMessage Record(OtlpSignal signal, OtlpShape shape, int i)
    {
        var own = shape switch
        {
            OtlpShape.ManySmallRecords => new List<KeyValue>
            {
                Text("session.id", $"shape-{i % 100}"), Text("model", "claude-sonnet-4-5"), Text("user.id", $"user-{i % 7}"),
                Text("type", i % 2 == 0 ? "input" : "output"),
            },
            OtlpShape.DeepNesting or OtlpShape.DenseNesting =>
                [Text("session.id", $"shape-{i % 100}"), new KeyValue { Key = "deep", Value = Nested(Depth, i, shape == OtlpShape.DenseNesting) }],
            _ => [], // the resource names the session
        };
        var time = Start + (ulong)i * 1_000_000;
        switch (signal)
        {
            case OtlpSignal.Traces:
                var span = new Span
                {
                    TraceId = ByteString.CopyFrom(Id(i, 16)),
                    SpanId = ByteString.CopyFrom(Id(i, 8)),
                    Name = "chat",
                    StartTimeUnixNano = time,
                    EndTimeUnixNano = time + 1_000,
                    Attributes = { Text("gen_ai.operation.name", "chat"), Number("gen_ai.usage.input_tokens", 10) },
                };
                span.Attributes.Add(own);
                return span;
            case OtlpSignal.Logs:
                var log = new LogRecord
                {
                    EventName = "claude_code.api_request",
                    TimeUnixNano = time,
                    Attributes = { Text("event.sequence", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), Number("input_tokens", 10) },
                };
                log.Attributes.Add(own);
                return log;
            default:
                var point = new NumberDataPoint { StartTimeUnixNano = Start, TimeUnixNano = time, AsDouble = 1 + i };
                point.Attributes.Add(own);
                return point;
        }
    }

    private static IMessage Wrap(OtlpSignal signal, Resource resource, List<IMessage> records) => signal switch
    {
        OtlpSignal.Traces => new ExportTraceServiceRequest
        {
            ResourceSpans = { new ResourceSpans { Resource = resource, ScopeSpans = { new ScopeSpans { Scope = Scope(), Spans = { records.Cast<Span>() } } } } },
        },
        OtlpSignal.Logs => new ExportLogsServiceRequest
        {
            ResourceLogs = { new ResourceLogs { Resource = resource, ScopeLogs = { new ScopeLogs { Scope = Scope(), LogRecords = { records.Cast<LogRecord>() } } } } },
        },
        _ => new ExportMetricsServiceRequest
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
                            Scope = Scope(),
                            Metrics =
                            {
                                new Metric
                                {
                                    Name = "claude_code.token.usage",
                                    Sum = new Sum { AggregationTemporality = AggregationTemporality.Cumulative, IsMonotonic = true, DataPoints = { records.Cast<NumberDataPoint>() } },
                                },
                            },
                        },
                    },
                },
            },
        },
    };

    private static InstrumentationScope Scope() => new() { Name = "com.anthropic.claude_code", Version = "2.1.0" };

    /// <summary>
    /// A list holding a name and an array holding a note and a list… <paramref name="depth"/> levels down, as a structured
    /// value (a tool's input, say) nests: something at every level; when <paramref name="dense"/>, nothing but the next level.
    /// </summary>
    private static AnyValue Nested(int depth, int salt, bool dense)
    {
        var value = new AnyValue { StringValue = $"leaf of record {salt}" };
        for (var level = depth; level > 0; level--)
        {
            value = (level % 2 == 0, dense) switch
            {
                (true, false) => new AnyValue { KvlistValue = new KeyValueList { Values = { Text("name", $"level {level} of record {salt}"), new KeyValue { Key = "child", Value = value } } } },
                (false, false) => new AnyValue { ArrayValue = new ArrayValue { Values = { new AnyValue { StringValue = $"item {level}" }, value } } },
                (true, true) => new AnyValue { KvlistValue = new KeyValueList { Values = { new KeyValue { Key = "l", Value = value } } } },
                (false, true) => new AnyValue { ArrayValue = new ArrayValue { Values = { value } } },
            };
        }

        return value;
    }

    private static byte[] Id(int i, int length)
    {
        var id = new byte[length];
        BitConverter.TryWriteBytes(id, i + 1);
        id[^1] = 0x5B;
        return id;
    }

    private static KeyValue Text(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    private static KeyValue Number(string key, long value) => new() { Key = key, Value = new AnyValue { IntValue = value } };

    [GeneratedRegex("\"(traceId|spanId|parentSpanId)\": \"([A-Za-z0-9+/=]*)\"")]
    private static partial Regex IdField();
}
