using System.Buffers.Binary;
using Google.Protobuf;
using Switchboard.Otlp.Proto.Common;
using Switchboard.Otlp.Proto.Resource;
using Switchboard.Otlp.Proto.Trace;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// OTLP http/protobuf trace export bodies as an agent framework on the GenAI semantic conventions sends them: 512 ended
/// spans across 100 conversations (<c>gen_ai.conversation.id</c>), about four in five <c>chat {model}</c> with token
/// usage, the rest <c>execute_tool</c> (every conversation gets both), all children of their run's <c>invoke_agent</c> span. The body is serialized once; each
/// request then gets fresh span ids written into it in place (every span is new to the server, as an exporter's next batch
/// is), so making one costs a copy, not a serialization.
/// </summary>
internal sealed class OtlpRequests
{
    public const int SpansPerRequest = 512;
    public const int Conversations = 100;
    public const long InputTokensPerChat = 120;
    public const long OutputTokensPerChat = 30;

    private static readonly byte[] Marker = [0xF1, 0xE2, 0xD3, 0xC4];

    private readonly byte[] _template;
    private readonly int[] _spanIdOffsets;
    private long _next;

    public OtlpRequests(string runId)
    {
        var spans = new Span[SpansPerRequest];
        var ended = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        for (var i = 0; i < SpansPerRequest; i++)
        {
            var conversation = i % Conversations;
            var chat = i / Conversations % 4 != 3; // every conversation gets chat spans (with usage) and a tool span
            var span = new Span
            {
                TraceId = ByteString.CopyFrom(TraceId(conversation)),
                SpanId = ByteString.CopyFrom([.. Marker, (byte)(i >> 8), (byte)i, 0, 0]),
                ParentSpanId = ByteString.CopyFrom([0xA0, 0, 0, 0, 0, 0, (byte)(conversation >> 8), (byte)conversation]),
                Name = chat ? "chat gpt-bench" : "execute_tool lookup",
                Kind = chat ? Span.Types.SpanKind.Client : Span.Types.SpanKind.Internal,
                StartTimeUnixNano = ended - 250_000_000,
                EndTimeUnixNano = ended,
            };
            span.Attributes.Add(Text("gen_ai.operation.name", chat ? "chat" : "execute_tool"));
            span.Attributes.Add(Text("gen_ai.conversation.id", $"bench-{runId}-{conversation}"));
            span.Attributes.Add(Text("gen_ai.agent.name", "bench agent"));
            if (chat)
            {
                span.Attributes.Add(Text("gen_ai.request.model", "gpt-bench"));
                span.Attributes.Add(Number("gen_ai.usage.input_tokens", InputTokensPerChat));
                span.Attributes.Add(Number("gen_ai.usage.output_tokens", OutputTokensPerChat));
            }
            else
            {
                span.Attributes.Add(Text("gen_ai.tool.name", "lookup"));
            }

            spans[i] = span;
        }

        var request = new Switchboard.Otlp.Proto.Collector.ExportTraceServiceRequest();
        var resourceSpans = new ResourceSpans { Resource = new Resource() };
        resourceSpans.Resource.Attributes.Add(Text("service.name", "bench-agent"));
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "Switchboard.LoadGen" } };
        scope.Spans.Add(spans);
        resourceSpans.ScopeSpans.Add(scope);
        request.ResourceSpans.Add(resourceSpans);
        _template = request.ToByteArray();
        _spanIdOffsets = FindSpanIds(_template);
    }

    /// <summary>Chat spans per request, each carrying <see cref="InputTokensPerChat"/> and <see cref="OutputTokensPerChat"/>.</summary>
    public static int ChatsPerRequest => Enumerable.Range(0, SpansPerRequest).Count(i => i / Conversations % 4 != 3);

    public int Bytes => _template.Length;

    /// <summary>The next request's body: the template with every span id made new.</summary>
    public byte[] Next()
    {
        var body = (byte[])_template.Clone();
        var n = (uint)Interlocked.Increment(ref _next);
        foreach (var offset in _spanIdOffsets)
        {
            // A span id is the request's number (over the template's marker), then the span's index in the request.
            BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(offset), n);
        }

        return body;
    }

    private static byte[] TraceId(int conversation)
    {
        var id = new byte[16];
        id[0] = 0xB0;
        BinaryPrimitives.WriteInt32BigEndian(id.AsSpan(12), conversation);
        return id;
    }

    /// <summary>Where each span id's marker sits; the four bytes written per request replace it (index bytes stay).</summary>
    private static int[] FindSpanIds(byte[] body)
    {
        var offsets = new List<int>(SpansPerRequest);
        for (var i = 0; i + 8 <= body.Length; i++)
        {
            if (body.AsSpan(i, Marker.Length).SequenceEqual(Marker) && body[i - 1] == 8 /* length prefix of an 8-byte id */)
            {
                offsets.Add(i);
            }
        }

        if (offsets.Count != SpansPerRequest)
        {
            throw new InvalidOperationException($"found {offsets.Count} span ids in the template, expected {SpansPerRequest}");
        }

        return [.. offsets];
    }

    private static KeyValue Text(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    private static KeyValue Number(string key, long value) => new() { Key = key, Value = new AnyValue { IntValue = value } };
}
