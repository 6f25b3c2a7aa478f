using System.Net;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.FunctionalTests.Http;
using Switchboard.Otlp.Proto.Collector;
using Switchboard.Server.Ingest;
using Switchboard.Server.Otlp;
using Switchboard.Server.Otlp.Grpc;
using Switchboard.Testing;
using static Switchboard.FunctionalTests.Otlp.OtlpBodies;

namespace Switchboard.FunctionalTests.Otlp;

/// <summary>
/// OTLP costs are bounded (issue 44), each cap with an answer an exporter acts on: records past the per-request cap are
/// refused in <c>partial_success</c>; attributes past the per-record cap are ignored and counted; past the node's
/// concurrent requests, 503 with <c>Retry-After</c> (gRPC UNAVAILABLE with a retry delay). gRPC checks the key before it
/// decodes anything and counts against the per-key write rate, as HTTP does.
/// </summary>
public sealed class OtlpLimitTests
{
    private static Switchboard.Otlp.Proto.Trace.Span Chat(string conversation, long input, params Switchboard.Otlp.Proto.Common.KeyValue[] more) =>
        Span([Attr("gen_ai.operation.name", "chat"), Attr("gen_ai.conversation.id", conversation), Attr("gen_ai.usage.input_tokens", input), .. more]);

    [Fact]
    public async Task RecordsPastThePerRequestCapAreRefusedInPartialSuccessAndTheFirstOnesTaken()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Otlp.MaxRecordsPerRequest = 3);
        var spans = Enumerable.Range(0, 5).Select(_ => Chat("capped", 10)).ToArray();
        var answer = ExportTraceServiceResponse.Parser.ParseFrom(await PostOkAsync(server.Http, Traces(Resource(), spans)));

        answer.PartialSuccess.RejectedSpans.ShouldBe(2);
        answer.PartialSuccess.ErrorMessage.ShouldContain("Switchboard:Otlp:MaxRecordsPerRequest");
        (await OtlpKit.SessionAsync(server.Http, "otel:c:capped")).Long("input_tokens").ShouldBe(30);
        (await OtlpKit.RecordsAsync(server.Http, "traces", "rejected")).ShouldBe(2);
    }

    [Fact]
    public async Task AttributesPastThePerRecordCapAreIgnoredAndCountedAndTheRecordKept()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Otlp.MaxAttributesPerRecord = 8);
        var filler = Enumerable.Range(0, 10).Select(i => Attr($"filler.{i}", i)).ToArray();
        var span = Chat("wide", 10, [.. filler, Attr("gen_ai.usage.output_tokens", 5)]); // 14 attributes: 6 past the cap
        var resource = Resource([Attr("service.name", "wide-agent"), .. filler]); // 11: 3 past the cap
        var answer = ExportTraceServiceResponse.Parser.ParseFrom(await PostOkAsync(server.Http, Traces(resource, span)));

        answer.PartialSuccess.RejectedSpans.ShouldBe(0, "the span is kept: a warning, in the specification's form");
        answer.PartialSuccess.ErrorMessage.ShouldContain("9 attributes");
        answer.PartialSuccess.ErrorMessage.ShouldContain("Switchboard:Otlp:MaxAttributesPerRecord");
        var session = await OtlpKit.SessionAsync(server.Http, "otel:c:wide");
        session.Long("input_tokens").ShouldBe(10);
        session.Long("output_tokens").ShouldBe(0, "the output count came past the cap");
        session.GetProperty("labels").Str("service").ShouldBe("wide-agent");
        (await server.Http.GetStringAsync("/metrics")).ShouldContain("switchboard_otlp_attributes_ignored_total{signal=\"traces\"} 9");
    }

    [Fact]
    public async Task PastTheConcurrentRequestsAnExportGets503WithRetryAfterOrUnavailableWithARetryDelay()
    {
        var gate = new OtlpAdmissionTests.Gate();
        await using var server = await SwitchboardServer.StartAsync(
            o =>
            {
                o.Otlp.MaxConcurrentRequests = 1;
                o.Otlp.GrpcUrls = "http://127.0.0.1:0";
                o.Sockets.WriteWaitTimeout = TestTimeouts.Long;
            },
            services: s => s.AddSingleton<IWriteThrottle>(gate));
        var requests = server.Get<OtlpRequestGate>();

        // The first export holds the node's one slot while admission control holds its write.
        var first = PostOkAsync(server.Http, Traces(Resource(), Chat("first", 10)));
        await TestTimeouts.Eventually(() => Task.FromResult(requests.InFlight == 1), "the first export to take the slot");

        using var refused = await PostAsync(server.Http, Traces(Resource(), Chat("second", 10)));
        refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        refused.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(1));
        (await refused.Content.ReadAsStringAsync()).ShouldContain("Switchboard:Otlp:MaxConcurrentRequests");
        var grpc = new Uri(server.Get<OtlpGrpcListener>().Addresses.Single());
        var unavailable = await OtlpGrpcCall.CallAsync(grpc, Traces(Resource(), Chat("second", 10)).ToByteArray(), null);
        unavailable.ShouldBe(new GrpcAnswer("14", unavailable.Message, TimeSpan.FromSeconds(1)));
        unavailable.Message.ShouldNotBeNull().ShouldContain("Switchboard:Otlp:MaxConcurrentRequests");

        gate.Open();
        await first;
        requests.InFlight.ShouldBe(0);
        await PostOkAsync(server.Http, Traces(Resource(), Chat("second", 10))); // the exporter's retry
        (await OtlpKit.SessionAsync(server.Http, "otel:c:second")).Long("input_tokens").ShouldBe(10);
    }

    [Fact]
    public async Task GrpcChecksTheKeyBeforeItDecodesTheMessage()
    {
        const string writeKey = "grpc-limit-write-key-0123";
        const string readKey = "grpc-limit-read-key-0123";
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Otlp.GrpcUrls = "http://127.0.0.1:0";
            o.Security.AddApiKeys($"{writeKey},{readKey}:read");
        });
        var grpc = new Uri(server.Get<OtlpGrpcListener>().Addresses.Single());
        byte[] garbage = [0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]; // no export request: decoding it fails

        (await OtlpGrpcCall.CallAsync(grpc, garbage, null)).Status.ShouldBe("16", "UNAUTHENTICATED, not a decoding error");
        (await OtlpGrpcCall.CallAsync(grpc, garbage, "not-a-key-of-this-server")).Status.ShouldBe("7");
        (await OtlpGrpcCall.CallAsync(grpc, garbage, readKey)).Status.ShouldBe("7", "PERMISSION_DENIED");
        (await OtlpGrpcCall.CallAsync(grpc, garbage, writeKey)).Status.ShouldNotBe("0", "a write key gets as far as decoding, which fails");
        (await OtlpKit.RecordsAsync(server.HttpWithKey(readKey), "traces", "refused")).ShouldBe(3, "the refused calls, one record each");
    }

    [Fact]
    public async Task GrpcExportsCountAgainstThePerKeyWriteRateLikeHttp()
    {
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Otlp.GrpcUrls = "http://127.0.0.1:0";
            o.Http.WriteRateLimit = 1;
            o.Http.WriteRateWindow = TimeSpan.FromMinutes(10);
        });
        var grpc = new Uri(server.Get<OtlpGrpcListener>().Addresses.Single());
        (await OtlpGrpcCall.CallAsync(grpc, Traces(Resource(), Chat("rated-1", 10)).ToByteArray(), null)).Status.ShouldBe("0");

        var limited = await OtlpGrpcCall.CallAsync(grpc, Traces(Resource(), Chat("rated-2", 10)).ToByteArray(), null);
        limited.Status.ShouldBe("8", "RESOURCE_EXHAUSTED");
        limited.RetryDelay.ShouldNotBeNull().ShouldBeGreaterThan(TimeSpan.Zero, "with the delay that makes exporters retry it");
        (await PostAsync(server.Http, Traces(Resource(), Chat("rated-3", 10)))).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests,
            "the same bucket as HTTP writes from the same address");
        (await server.Http.GetJsonAsync("/api/sessions/otel:c:rated-2")).Status.ShouldBe(404);
    }
}
