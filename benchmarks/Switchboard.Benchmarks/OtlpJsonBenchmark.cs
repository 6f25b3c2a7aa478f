using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Switchboard.Otlp.Proto.Collector;
using Switchboard.Otlp.Proto.Common;
using Switchboard.Otlp.Proto.Resource;
using Switchboard.Otlp.Proto.Trace;
using Switchboard.Otlp.Shapes;
using Switchboard.Server.Otlp;
using Switchboard.Server.Tests.Otlp;

namespace Switchboard.Benchmarks;

/// <summary>
/// Decoding one OTLP JSON trace export of <see cref="Spans"/> chat spans (hex ids, a handful of attributes each, as
/// exporters send them) into the request the mapping reads: through Google.Protobuf's parser and object tree, then
/// re-encoded (the decoder before issue 59), and token by token straight to protobuf (<c>Otlp/Json</c>).
/// </summary>
[MemoryDiagnoser]
public class OtlpJsonBenchmark
{
    private byte[] _body = [];

    [Params(512)]
    public int Spans { get; set; } = 512;

    [GlobalSetup]
    public void Setup()
    {
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "com.anthropic.claude_code", Version = "2.1.0" } };
        for (var i = 0; i < Spans; i++)
        {
            scope.Spans.Add(new Span
            {
                TraceId = ByteString.CopyFrom([.. Enumerable.Range(0, 16).Select(b => (byte)(b + i))]),
                SpanId = ByteString.CopyFrom([.. Enumerable.Range(0, 8).Select(b => (byte)(b * 3 + i))]),
                Name = "chat claude-sonnet",
                Kind = Span.Types.SpanKind.Client,
                StartTimeUnixNano = 1_700_000_000_000_000_000UL + (ulong)i,
                EndTimeUnixNano = 1_700_000_001_000_000_000UL + (ulong)i,
                Attributes =
                {
                    Text("gen_ai.operation.name", "chat"), Text("gen_ai.conversation.id", $"conversation-{i % 16}"),
                    Text("gen_ai.request.model", "claude-sonnet-4"), Number("gen_ai.usage.input_tokens", 1200 + i), Number("gen_ai.usage.output_tokens", 300),
                },
                Status = new Status { Code = Status.Types.StatusCode.Ok },
            });
        }

        var request = new ExportTraceServiceRequest
        {
            ResourceSpans = { new ResourceSpans { Resource = new Resource { Attributes = { Text("service.name", "claude-code") } }, ScopeSpans = { scope } } },
        };
        _body = OtlpShapes.Json(request);
        Console.WriteLine($"// {Spans} spans: {_body.Length} bytes of OTLP JSON");
    }

    [Benchmark(Baseline = true)]
    public object ObjectTree() => ObjectTreeJson.Decode(OtlpSignal.Traces, _body);

    [Benchmark]
    public object Transcoder() => OtlpCodec.Decode(OtlpSignal.Traces, _body, json: true);

    private static KeyValue Text(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    private static KeyValue Number(string key, long value) => new() { Key = key, Value = new AnyValue { IntValue = value } };
}
